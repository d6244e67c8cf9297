// README, "On a fresh machine": the team-state tests' PostgreSQL cluster and PgBouncer leave
// nothing running and listen on nothing beyond 127.0.0.1. Read from /proc (Linux).
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import t from 'tap';
import { startPostgres } from '../../../support/postgres.js';
import { until } from '../../../providers/ssh-cli.js';

interface Listener {
  address: string; // hex, as /proc/net/tcp{,6} writes it
  port: number;
  inode: string;
}

const LISTEN = '0A';

function listeners(): Listener[] {
  const out: Listener[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== LISTEN) continue;
      const [address, port] = f[1].split(':');
      out.push({ address, port: parseInt(port, 16), inode: f[9] });
    }
  }
  return out;
}

// The processes holding any of these socket inodes.
function owners(inodes: Set<string>): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${p}/fd`);
    } catch {
      continue; // gone, or not ours to read
    }
    for (const fd of fds) {
      let link = '';
      try {
        link = readlinkSync(`/proc/${p}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m && inodes.has(m[1])) {
        pids.push(Number(p));
        break;
      }
    }
  }
  return pids;
}

// Those processes and every process they started (PostgreSQL's backends and workers).
function withChildren(pids: number[]): number[] {
  const all = new Set(pids);
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const ppid = Number(readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]);
      if (all.has(ppid)) all.add(Number(p));
    } catch {
      // gone
    }
  }
  return [...all];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const LOOPBACK = new Set(['0100007F', '0000000000000000FFFF00000100007F']); // 127.0.0.1, as IPv4 and IPv4-mapped IPv6

t.test('the test PostgreSQL and PgBouncer listen on 127.0.0.1 only and leave nothing running', async (t) => {
  const pg = await startPostgres();
  let destroyed = false;
  t.teardown(() => (destroyed ? undefined : pg.destroy()));
  const bouncerUrl = await pg.pgbouncer();
  const ports = new Set([pg.port, Number(new URL(bouncerUrl).port)]);

  const ours = listeners().filter((l) => ports.has(l.port));
  t.same([...new Set(ours.map((l) => l.port))].sort(), [...ports].sort(), 'both the server and the bouncer listen');
  t.same(
    ours.filter((l) => !LOOPBACK.has(l.address)).map((l) => `${l.address}:${l.port}`),
    [],
    'no listening socket on any other address',
  );
  const listening = owners(new Set(ours.map((l) => l.inode)));
  t.ok(listening.length >= 2, `the listening processes are found (${listening.join(', ')})`);
  const pids = withChildren(listening);

  await pg.destroy();
  destroyed = true;
  await until(() => pids.every((p) => !alive(p)), 'the server, its backends and the bouncer exit', 30_000);
  t.same(pids.filter(alive), [], 'the server, its backends and the bouncer have exited');
  t.same(listeners().filter((l) => ports.has(l.port)), [], 'nothing listens on their ports any more');
});
