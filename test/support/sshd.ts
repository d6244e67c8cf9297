// A real OpenSSH server for tests: `sshd` on 127.0.0.1 and a free port, with a throwaway
// configuration, host key, client key and known_hosts file, running as the current user.
// Its SetEnv puts the simulator's `xe` and `xl` first on PATH and passes the caller's
// XENSIM_* variables. Never listens anywhere but loopback.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Sshd {
  host: '127.0.0.1';
  port: number;
  user: string;
  identityFile: string;
  knownHostsFile: string;
  hostKeyFingerprint: string; // "SHA256:…"
  env: Record<string, string>;
  stop(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
// test/support -> the project root, from the sources or from dist/.
const projectRoot = [resolve(here, '..', '..'), resolve(here, '..', '..', '..')].find((d) => existsSync(join(d, 'providers', 'sim', 'bin', 'xe')))!;
export const SIM_BIN = join(projectRoot, 'providers', 'sim', 'bin');

function findSshd(): string {
  for (const p of ['/usr/sbin/sshd', '/usr/local/sbin/sshd', '/sbin/sshd']) if (existsSync(p)) return p;
  throw new Error('sshd not found: install the openssh-server package (apt-get install openssh-server)');
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

// sshd_config values are split like a shell word list; quote every value.
function configQuote(v: string): string {
  return '"' + v.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

function banner(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      s.destroy();
      res(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.on('data', (d) => done(d.toString().startsWith('SSH-')));
    s.on('error', () => done(false));
  });
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

export async function startSshd(opts: { env?: Record<string, string>; sftp?: boolean } = {}): Promise<Sshd> {
  const sshd = findSshd();
  const dir = mkdtempSync(join(tmpdir(), 'xenform-sshd-'));
  try {
    const keygen = (file: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'xenform-test', '-f', file], { stdio: 'ignore' });
    const hostKey = join(dir, 'host_ed25519');
    const identityFile = join(dir, 'id_ed25519');
    keygen(hostKey);
    keygen(identityFile);
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${identityFile}.pub`));
    const fp = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`]).toString().split(' ')[1];
    const user = userInfo().username;
    // Privilege separation needs this directory when sshd starts as root.
    if (process.getuid?.() === 0 && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

    const env: Record<string, string> = { ...(opts.env ?? {}) };
    const path = `${SIM_BIN}:${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`;
    const setEnv = [`PATH=${path}`, ...Object.entries(env).map(([k, v]) => `${k}=${v}`)].map(configQuote).join(' ');

    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      const config = [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        'AddressFamily inet',
        `HostKey ${hostKey}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        'StrictModes no',
        'UsePAM no',
        `AllowUsers ${user}`,
        'PermitUserEnvironment no',
        'X11Forwarding no',
        'PrintMotd no',
        'MaxStartups 100:30:200',
        'MaxSessions 100',
        'LogLevel ERROR',
        `SetEnv ${setEnv}`,
        ...(opts.sftp ? ['Subsystem sftp internal-sftp'] : []),
        '',
      ].join('\n');
      const configFile = join(dir, 'sshd_config');
      writeFileSync(configFile, config);
      const child = spawn(sshd, ['-D', '-e', '-f', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
      running.add(child);
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += d.toString()));
      let exited = false;
      child.on('exit', () => {
        exited = true;
        running.delete(child);
      });
      const deadline = Date.now() + 10_000;
      let up = false;
      while (!exited && Date.now() < deadline) {
        if (await banner(port)) {
          up = true;
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      if (!up) {
        child.kill('SIGKILL');
        if (attempt < 3 && /Address already in use|Bind to port/.test(stderr)) continue;
        throw new Error(`sshd did not start on 127.0.0.1:${port}: ${stderr.trim() || 'no answer within 10 s'}`);
      }
      const hostPub = readFileSync(`${hostKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
      const knownHostsFile = join(dir, 'known_hosts');
      writeFileSync(knownHostsFile, `[127.0.0.1]:${port} ${hostPub}\n`);
      return {
        host: '127.0.0.1',
        port,
        user,
        identityFile,
        knownHostsFile,
        hostKeyFingerprint: fp,
        env,
        stop: async () => {
          if (!exited) {
            const gone = new Promise<void>((r) => child.once('exit', () => r()));
            child.kill('SIGTERM');
            const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
            await gone;
            clearTimeout(timer);
          }
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

// The OpenSSH client arguments that reach the server with its throwaway key, pinned host key, no agent and no prompt.
export function sshArgs(s: Sshd): string[] {
  return [
    '-F', '/dev/null',
    '-p', String(s.port),
    '-i', s.identityFile,
    '-o', 'IdentitiesOnly=yes',
    '-o', 'BatchMode=yes',
    '-o', `UserKnownHostsFile=${s.knownHostsFile}`,
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'LogLevel=ERROR',
    `${s.user}@${s.host}`,
  ];
}

export interface SshResult {
  stdout: string;
  stderr: string;
  code: number;
}

// Runs one remote command line through the real `ssh` client.
export function ssh(s: Sshd, command: string, stdin?: string): Promise<SshResult> {
  return new Promise((res, rej) => {
    const child = spawn('ssh', [...sshArgs(s), command], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d.toString()));
    child.stderr.on('data', (d) => (stderr += d.toString()));
    child.on('error', rej);
    child.on('close', (code) => res({ stdout, stderr, code: code ?? -1 }));
    child.stdin.on('error', () => undefined); // ssh may exit before reading its input
    child.stdin.end(stdin ?? '');
  });
}

// Single quotes for a remote shell word.
export function shq(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`;
}
