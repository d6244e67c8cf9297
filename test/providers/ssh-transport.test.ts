import t from 'tap';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { SshTransport, type SshTransportOptions } from '../../providers/transport/ssh.js';
import { ProviderError } from '../../providers/provider.js';
import { HOSTILE } from './hostile.js';
import { startSshd, type Sshd } from '../support/sshd.js';
import { killSessions, sshdDir } from './sshd-sessions.js';

const NO_AGENT = { SSH_AUTH_SOCK: undefined };

function transportFor(sshd: Sshd, extra: Partial<SshTransportOptions> = {}, target: Partial<SshTransportOptions['target']> = {}) {
  return new SshTransport({
    env: NO_AGENT,
    sshEnv: { home: sshdDir(sshd), sshConfigText: null },
    ...extra,
    target: {
      label: 'lab', address: sshd.host, port: sshd.port, user: sshd.user,
      identityFile: sshd.identityFile, knownHosts: sshd.knownHostsFile, ...target,
    },
  });
}


t.test('over a real OpenSSH server', async (t) => {
  const sshd = await startSshd({ sftp: true });
  t.teardown(() => sshd.stop());

  for (const mode of ['shell', 'exec'] as const) {
    t.test(`commands through ${mode === 'shell' ? 'the persistent shell' : 'one exec channel each'} come back whole`, async (t) => {
      const ssh = transportFor(sshd, { mode });
      t.teardown(() => ssh.close());
      t.same(await ssh.exec(['echo', 'hello']), { stdout: 'hello\n', stderr: '', code: 0 }, 'stdout');
      t.same(await ssh.exec(['sh', '-c', 'printf err >&2; printf out; exit 4']), { stdout: 'out', stderr: 'err', code: 4 }, 'stderr and exit code, no trailing newlines');
      t.same(await ssh.exec(['cat'], { stdin: 'fed\nby stdin' }), { stdout: 'fed\nby stdin', stderr: '', code: 0 }, 'stdin');
      const many = await Promise.all(Array.from({ length: 12 }, (_, i) => ssh.exec(['sh', '-c', `sleep 0.0${i % 3}; echo ${i}`])));
      t.same(many.map((r) => r.stdout), Array.from({ length: 12 }, (_, i) => `${i}\n`), 'concurrent commands never mix');
      t.equal(ssh.roundTrips(), 15, 'every command counts as one round trip');
    });
  }

  t.test('every hostile value reaches the remote program byte for byte', async (t) => {
    const ssh = transportFor(sshd);
    t.teardown(() => ssh.close());
    const values = HOSTILE.map(([, v]) => v);
    const r = await ssh.exec(['printf', '%s\\0', ...values]);
    t.same(r.stdout.split('\0').slice(0, -1), values);
    await t.rejects(ssh.exec(['echo', 'a\0b']), /NUL/, 'a NUL byte is refused before anything is sent');
  });

  t.test('a batch is one round trip with one result per command, in order', async (t) => {
    const ssh = transportFor(sshd);
    t.teardown(() => ssh.close());
    const results = await ssh.batch([['echo', 'one'], ['sh', '-c', 'echo two >&2; exit 2'], ['printf', 'three']]);
    t.same(results, [
      { stdout: 'one\n', stderr: '', code: 0 },
      { stdout: '', stderr: 'two\n', code: 2 },
      { stdout: 'three', stderr: '', code: 0 },
    ]);
    t.equal(ssh.roundTrips(), 1);
  });

  t.test('files are written and read back through SFTP', async (t) => {
    const ssh = transportFor(sshd);
    t.teardown(() => ssh.close());
    const path = join(sshdDir(sshd), 'guest.cfg');
    await ssh.writeFile(path, 'name = "web-0"\n', 0o600);
    t.equal(readFileSync(path, 'utf8'), 'name = "web-0"\n');
    t.equal(await ssh.readFile(path), 'name = "web-0"\n');
    t.equal(await ssh.readFile(join(sshdDir(sshd), 'missing.cfg')), null, 'a missing file reads as null');
  });

  t.test('an unknown host key is refused with its fingerprint and how to trust it', async (t) => {
    const empty = join(sshdDir(sshd), 'empty_known_hosts');
    writeFileSync(empty, '');
    const ssh = transportFor(sshd, {}, { knownHosts: empty });
    t.teardown(() => ssh.close());
    const err = await ssh.exec(['true']).catch((e) => e);
    t.type(err, ProviderError);
    t.equal(err.code, 'HOST_KEY');
    t.match(err.message, sshd.hostKeyFingerprint, 'the message shows the SHA256 fingerprint');
    t.match(err.message, /ssh-keyscan -p \d+ 127\.0\.0\.1/, 'and the ssh-keyscan line');
    t.match(err.message, `host_key = "${sshd.hostKeyFingerprint}"`, 'and the host_key pin');
  });

  t.test('a changed host key is refused, saying how to check it on the host', async (t) => {
    const other = join(sshdDir(sshd), 'other_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const pub = readFileSync(`${other}.pub`, 'utf8').split(' ');
    const file = join(sshdDir(sshd), 'changed_known_hosts');
    writeFileSync(file, `[127.0.0.1]:${sshd.port} ${pub[0]} ${pub[1]}\n`);
    const ssh = transportFor(sshd, {}, { knownHosts: file });
    t.teardown(() => ssh.close());
    const err = await ssh.exec(['true']).catch((e) => e);
    t.equal(err.code, 'HOST_KEY');
    t.match(err.message, /has CHANGED/);
    t.match(err.message, sshd.hostKeyFingerprint);
    t.match(err.message, /Check the fingerprint on the host itself .*ssh-keygen -lf \/etc\/ssh\/ssh_host_ed25519_key\.pub/, 'and how to check it on the host');
  });

  t.test('a hashed known_hosts entry is recognised', async (t) => {
    const file = join(sshdDir(sshd), 'hashed_known_hosts');
    writeFileSync(file, readFileSync(sshd.knownHostsFile));
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    t.match(readFileSync(file, 'utf8'), /^\|1\|/, 'the file is hashed');
    const ssh = transportFor(sshd, {}, { knownHosts: file });
    t.teardown(() => ssh.close());
    t.equal((await ssh.exec(['echo', 'ok'])).stdout, 'ok\n');
  });

  t.test('a pinned host_key is enough, and a wrong one is refused', async (t) => {
    const none = join(sshdDir(sshd), 'none');
    const good = transportFor(sshd, {}, { knownHosts: none, hostKey: sshd.hostKeyFingerprint });
    t.teardown(() => good.close());
    t.equal((await good.exec(['echo', 'ok'])).stdout, 'ok\n');
    const bad = transportFor(sshd, {}, { knownHosts: none, hostKey: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    t.teardown(() => bad.close());
    const err = await bad.exec(['true']).catch((e) => e);
    t.equal(err.code, 'HOST_KEY');
    t.match(err.message, /pinned host_key/);
  });

  t.test('a Host alias of ~/.ssh/config gives the address, port, user and key', async (t) => {
    const config = `Host dom0-lab\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${sshd.user}\n  IdentityFile ${sshd.identityFile}\n  UserKnownHostsFile ${sshd.knownHostsFile}\n`;
    const ssh = new SshTransport({ env: NO_AGENT, sshEnv: { home: sshdDir(sshd), sshConfigText: config }, target: { label: 'lab', address: 'dom0-lab' } });
    t.teardown(() => ssh.close());
    t.equal((await ssh.exec(['echo', 'via alias'])).stdout, 'via alias\n');
    t.equal(ssh.description, `ssh ${sshd.user}@127.0.0.1:${sshd.port}`);
  });

  t.test('a key with a passphrase is opened with XENFORM_SSH_PASSPHRASE', async (t) => {
    const key = join(sshdDir(sshd), 'id_locked');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'sesame', '-f', key]);
    writeFileSync(join(sshdDir(sshd), 'authorized_keys'), readFileSync(`${key}.pub`), { flag: 'a' });
    const ssh = transportFor(sshd, { env: { XENFORM_SSH_PASSPHRASE: 'sesame' } }, { identityFile: key });
    t.teardown(() => ssh.close());
    t.equal((await ssh.exec(['echo', 'unlocked'])).stdout, 'unlocked\n');
    const noTerminal = transportFor(sshd, { env: {} }, { identityFile: key });
    t.teardown(() => noTerminal.close());
    await t.rejects(noTerminal.exec(['true']), /passphrase.*XENFORM_SSH_PASSPHRASE/s, 'without it and without a terminal the error says what to do');
  });

  t.test('a dropped connection fails the interrupted command, which is not repeated, and the next command reconnects', async (t) => {
    const ssh = transportFor(sshd);
    t.teardown(() => ssh.close());
    const marker = join(sshdDir(sshd), 'ran-count');
    await ssh.exec(['true']);
    const slow = ssh.exec(['sh', '-c', `echo x >> ${marker}; sleep 5`]);
    await new Promise((r) => setTimeout(r, 300));
    t.ok(killSessions(sshd) > 0, 'the session was cut on the server side');
    const err = await slow.catch((e) => e);
    t.type(err, ProviderError);
    t.equal(err.code, 'TRANSPORT');
    t.match(err.message, /not repeated/);
    t.match(err.message, /sleep 5/, 'the message names the interrupted command');
    t.equal((await ssh.exec(['echo', 'back'])).stdout, 'back\n', 'the next command opens a new connection');
    t.equal(readFileSync(marker, 'utf8'), 'x\n', 'the interrupted command ran once');
  });

  for (const mode of ['shell', 'exec'] as const) {
    t.test(`an aborted command (${mode}) stops being waited for and the transport keeps working`, async (t) => {
      const ssh = transportFor(sshd, { mode });
      t.teardown(() => ssh.close());
      await ssh.exec(['true']); // connected, so that the abort lands while the command runs
      const stop = new AbortController();
      setTimeout(() => stop.abort(), 200);
      const err = await ssh.exec(['sleep', '5'], { signal: stop.signal }).catch((e) => e);
      t.equal(err.code, 'ABORTED');
      t.match(err.message, /sleep 5.*abandoned/);
      t.equal((await ssh.exec(['echo', 'still here'])).stdout, 'still here\n');
      await t.rejects(ssh.exec(['echo', 'never'], { signal: stop.signal }), { code: 'ABORTED' }, 'an already aborted signal runs nothing');
    });
  }

  t.test('a command past its timeout is abandoned and the transport keeps working', async (t) => {
    const ssh = transportFor(sshd);
    t.teardown(() => ssh.close());
    const err = await ssh.exec(['sleep', '5'], { timeoutMs: 200 }).catch((e) => e);
    t.equal(err.code, 'TIMEOUT');
    t.equal((await ssh.exec(['echo', 'still here'])).stdout, 'still here\n');
  });
});

t.test('without SFTP, files go through the shell', async (t) => {
  const sshd = await startSshd();
  t.teardown(() => sshd.stop());
  const ssh = transportFor(sshd);
  t.teardown(() => ssh.close());
  const path = join(sshdDir(sshd), "it's a file.cfg");
  await ssh.writeFile(path, 'memory = 512\n');
  t.equal(readFileSync(path, 'utf8'), 'memory = 512\n');
  t.equal(await ssh.readFile(path), 'memory = 512\n');
  t.equal(await ssh.readFile(`${path}.missing`), null);
});

t.test('connection problems are reported as sentences naming the host', async (t) => {
  const sshd = await startSshd();
  t.teardown(() => sshd.stop());
  const cases: { name: string; target: Partial<SshTransportOptions['target']>; code: string; message: RegExp }[] = [
    { name: 'nothing listens on the port', target: { port: 1 }, code: 'TRANSPORT', message: /cannot connect to host "lab" \(.*:1\)/ },
    { name: 'the identity file is not a key', target: { identityFile: '/dev/null' }, code: 'AUTH', message: /identity_file \/dev\/null of host "lab" is not a private key/ },
    { name: 'the identity file does not exist', target: { identityFile: join(sshdDir(sshd), 'nope') }, code: 'AUTH', message: /cannot read identity_file .*nope for host "lab"/ },
    { name: 'the server refuses the key', target: { identityFile: join(sshdDir(sshd), 'host_ed25519') }, code: 'AUTH', message: /host "lab" .* refused the login; tried .*host_ed25519/ },
  ];
  for (const c of cases) {
    const ssh = transportFor(sshd, { connectTimeoutMs: 3000 }, c.target);
    const err = await ssh.exec(['true']).catch((e) => e);
    await ssh.close();
    t.type(err, ProviderError, c.name);
    t.equal(err.code, c.code, `${c.name}: ${c.code}`);
    t.match(err.message, c.message, `${c.name}: the message says so`);
  }
});

t.test('a host that accepts the connection but never says a word is a clear error, not a crash', async (t) => {
  const sshd = await startSshd();
  t.teardown(() => sshd.stop());
  let clientGone: Promise<void> = Promise.resolve();
  const silent = createServer((socket) => {
    socket.on('error', () => undefined); // it never answers, and is cut when the client gives up
    socket.resume();
    clientGone = new Promise((resolve) => socket.once('close', () => resolve()));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => silent.close(() => resolve())));
  const port = (silent.address() as AddressInfo).port;
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown) => uncaught.push(e);
  process.on('uncaughtException', onUncaught);
  t.teardown(() => process.off('uncaughtException', onUncaught));

  const ssh = transportFor(sshd, { connectTimeoutMs: 500 }, { port });
  const err = await ssh.exec(['true']).catch((e) => e);
  await ssh.close();
  t.type(err, ProviderError, 'the command fails with a ProviderError');
  t.equal(err.code, 'TRANSPORT');
  t.match(err.message, /cannot connect to host "lab" .*no answer within 500 ms/, 'that names the host and the wait');
  await clientGone;
  t.pass('the connection is closed, not left open');
  t.same(uncaught, [], 'and nothing escapes as an uncaught exception');
});
