// A throwaway PostgreSQL cluster for tests: initdb in a temporary directory, a free port on
// 127.0.0.1 only, its Unix socket in the same directory, stopped and removed afterwards.
// As root, the server runs as the `postgres` user (PostgreSQL refuses to run as root).
// Optionally a PgBouncer in transaction mode in front of it.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './sshd.js';

export const PG_BIN = process.env.XENFORM_PG_BIN ?? '/usr/lib/postgresql/15/bin';
export const PGBOUNCER = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((p) => existsSync(p));

// Why the PostgreSQL tests cannot run here, or null. The tests fail with it: never skipped silently.
export function postgresMissing(): string | null {
  for (const b of ['initdb', 'pg_ctl', 'postgres']) {
    if (!existsSync(join(PG_BIN, b))) return `PostgreSQL is not installed (${join(PG_BIN, b)} is missing): apt-get install postgresql (.ci/run does)`;
  }
  return null;
}

export interface Postgres {
  port: number;
  admin: string; // connection string of the superuser
  url: string; // of the role `xf`: may create schemas in database `xenform`, nothing in `public`
  start(): Promise<void>; // after stop()
  stop(): Promise<void>; // the server goes away (fast shutdown: every connection is cut)
  pgbouncer(): Promise<string>; // a transaction-mode PgBouncer in front; its connection string for `xf`
  destroy(): Promise<void>;
}

// Run as `postgres` when we are root; as ourselves otherwise.
function runAs(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error('running as root, but there is no `postgres` user to run PostgreSQL as');
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

function run(cmd: string, args: string[], who: { uid?: number; gid?: number }): Promise<void> {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { ...who, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', rej);
    child.on('close', (code) => (code === 0 ? res() : rej(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${out}`))));
  });
}

async function sql(url: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

export async function startPostgres(): Promise<Postgres> {
  const missing = postgresMissing();
  if (missing) throw new Error(missing);
  const who = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'xenform-pg-'));
  if (who.uid !== undefined) chownSync(dir, who.uid, who.gid!);
  const data = join(dir, 'data');
  const superuser = who.uid !== undefined ? 'postgres' : userInfo().username;
  await run(join(PG_BIN, 'initdb'), ['-D', data, '-U', superuser, '--auth=trust', '--no-sync', '-E', 'UTF8'], who);
  const port = await freePort();
  writeFileSync(
    join(data, 'postgresql.auto.conf'),
    `listen_addresses = '127.0.0.1'\nport = ${port}\nunix_socket_directories = '${dir}'\nfsync = off\nmax_connections = 50\n`,
  );
  const pgCtl = (...args: string[]) => run(join(PG_BIN, 'pg_ctl'), ['-D', data, '-w', '-l', join(dir, 'server.log'), ...args], who);
  let running = false;
  const bouncers: number[] = [];
  const start = async () => {
    await pgCtl('start');
    running = true;
  };
  const stop = async () => {
    if (!running) return;
    running = false;
    await pgCtl('stop', '-m', 'fast');
  };
  await start();
  const admin = `postgres://${superuser}@127.0.0.1:${port}/postgres`;
  try {
    await sql(admin, 'CREATE ROLE xf LOGIN');
    await sql(admin, 'CREATE DATABASE xenform');
    await sql(admin, 'GRANT CREATE, CONNECT ON DATABASE xenform TO xf');
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    port,
    admin,
    url: `postgres://xf@127.0.0.1:${port}/xenform`,
    start,
    stop,
    async pgbouncer() {
      if (!PGBOUNCER) throw new Error('pgbouncer is not installed: apt-get install pgbouncer (.ci/run does)');
      const bport = await freePort();
      const n = bouncers.length;
      const ini = join(dir, `pgbouncer${n}.ini`);
      writeFileSync(
        ini,
        `[databases]\nxenform = host=127.0.0.1 port=${port} dbname=xenform user=xf\n` +
          `[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = ${bport}\nunix_socket_dir = ${dir}\n` +
          `auth_type = any\npool_mode = transaction\nmax_client_conn = 100\ndefault_pool_size = 4\n` +
          `pidfile = ${join(dir, `pgbouncer${n}.pid`)}\nlogfile = ${join(dir, `pgbouncer${n}.log`)}\n`,
      );
      if (who.uid !== undefined) chownSync(ini, who.uid, who.gid!);
      await run(PGBOUNCER, ['-d', ini], who);
      bouncers.push(n);
      const url = `postgres://xf@127.0.0.1:${bport}/xenform`;
      for (let i = 0; ; i++) {
        try {
          await sql(url, 'SELECT 1');
          return url;
        } catch (err) {
          if (i > 200) throw err;
          await new Promise((r) => setTimeout(r, 25)); // polling for the daemon to listen
        }
      }
    },
    async destroy() {
      for (const n of bouncers) {
        const pid = Number(spawnSync('cat', [join(dir, `pgbouncer${n}.pid`)], { encoding: 'utf8' }).stdout.trim());
        if (pid > 0) {
          try {
            process.kill(pid, 'SIGTERM');
          } catch {
            // gone already
          }
        }
      }
      await stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
