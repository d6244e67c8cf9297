// A throwaway OpenSSH server on 127.0.0.1 for the transport's own tests, until
// test/support/sshd.ts (owned by the simulator) is on main.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface LocalSshd {
  host: string;
  port: number;
  user: string;
  dir: string;
  identityFile: string;
  knownHostsFile: string;
  hostKeyFingerprint: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export async function startLocalSshd(opts: { env?: Record<string, string>; sftp?: boolean } = {}): Promise<LocalSshd> {
  mkdirSync('/run/sshd', { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'xenform-sshd-'));
  const port = await freePort();
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id_ed25519')]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'id_ed25519.pub')));
  const hostPub = readFileSync(join(dir, 'host_key.pub'), 'utf8').trim().split(' ');
  writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostPub[0]} ${hostPub[1]}\n`);
  const fp = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(dir, 'host_key.pub')], { encoding: 'utf8' }).split(' ')[1];
  const env = Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
  writeFileSync(join(dir, 'sshd_config'), [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${join(dir, 'host_key')}`, `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`, 'PasswordAuthentication no', 'KbdInteractiveAuthentication no',
    'UsePAM no', 'StrictModes no', 'PermitRootLogin yes', 'LogLevel ERROR', 'MaxSessions 20',
    ...(opts.sftp === false ? [] : ['Subsystem sftp internal-sftp']),
    ...(env ? [`SetEnv ${env}`] : []), '',
  ].join('\n'));
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += c));
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => { s.end(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (up) break;
    if (child.exitCode !== null) throw new Error(`sshd exited: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    host: '127.0.0.1', port, user: userInfo().username, dir,
    identityFile: join(dir, 'id_ed25519'), knownHostsFile: join(dir, 'known_hosts'), hostKeyFingerprint: fp, child,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
