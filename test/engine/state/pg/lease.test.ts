// Two machines on one PostgreSQL state, each naming itself with XENFORM_HOLDER, as two CI
// runners would. The first apply takes the lock, then stops answering before any step (its
// host does not answer SSH, and the process is frozen: its heartbeat stops). The second is
// refused while the first is alive, then waits for the lease to run out, takes the lock over
// saying whose it was and why, and converges.
import t, { type Test } from 'tap';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { postgresMissing } from '../../../support/postgres.js';
import { BUILT, cli, sshdAvailable } from '../../crash-support.js';
import { disagreements, query, twoMachines, until } from './support.js';

const missing = postgresMissing() ?? (!sshdAvailable() ? 'sshd is not installed (apt-get install openssh-server)' : !BUILT ? 'run `npm run build` first' : null);
if (missing) t.fail(missing);

// A TCP port on 127.0.0.1 that accepts connections and never says a word: an SSH client
// waits there for the server's greeting.
async function silentPort(t: Test): Promise<number> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => void sockets.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return (server.address() as net.AddressInfo).port;
}

t.test('a lock whose holder on another machine went silent is taken over after its lease, saying so, and the apply converges', { skip: Boolean(missing), timeout: 300_000 }, async (t) => {
  const { db, sshd, a, b } = await twoMachines(t, 10);
  const lease = { XENFORM_PG_LOCK_LEASE: '2' };
  t.equal((await cli(a, ['init'])).code, 0);

  // Machine A's way to the host is stalled: its apply holds the lock with no step started.
  const main = path.join(a, 'main.xf.hcl');
  fs.writeFileSync(main, fs.readFileSync(main, 'utf8').replace(`port          = ${sshd.port}`, `port          = ${await silentPort(t)}`));
  const first = cli(a, ['apply', '--auto-approve'], { env: { ...lease, XENFORM_HOLDER: 'ops@laptop-a' } });
  const holder = async () => (await query(db.url, 'SELECT pid, who FROM lab.locks')).rows[0] as { pid: number; who: string } | undefined;
  await until('machine A holds the lock', async () => (await holder())?.who === 'ops@laptop-a');
  const pid = Number((await holder())!.pid);
  t.teardown(() => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // ended already
    }
  });

  const refused = await cli(b, ['apply', '--auto-approve'], { env: { ...lease, XENFORM_HOLDER: 'ci@runner-b' } });
  t.equal(refused.code, 1, 'while A is alive, B is refused');
  t.match(refused.stderr, /The state is locked: held by ops@laptop-a \(pid \d+\) for "apply" since \d{4}-/);

  process.kill(pid, 'SIGSTOP'); // A stops answering: its heartbeat stops
  t.same((await query(db.url, 'SELECT entry FROM lab.journal')).rows, [], 'A had started no step');
  const second = await cli(b, ['apply', '--auto-approve', '--lock-timeout', '120s'], { env: { ...lease, XENFORM_HOLDER: 'ci@runner-b' } });
  t.equal(second.code, 0, second.stderr);
  t.match(
    second.stdout + second.stderr,
    /Took over the lock of ops@laptop-a \(pid \d+\) for "apply" since \S+, lock ID \S+: its heartbeat stopped \d+ s ago \(lease 2 s\) and its journal shows no step in flight\./,
    'B says whose lock it took over and why',
  );
  t.same(await disagreements(sshd, b, 2), [], 'B converged: every VM once, on the host and in the state');
  const versions = await query(db.url, 'SELECT written_by FROM lab.state_versions ORDER BY serial');
  t.ok(versions.rows.length > 0 && versions.rows.every((r) => r.written_by === 'ci@runner-b'), 'every version was written by B, naming itself');

  process.kill(pid, 'SIGKILL');
  t.equal((await first).signal, 'SIGKILL');
  t.same(await disagreements(sshd, b, 2), [], 'A, gone, changed nothing');
});
