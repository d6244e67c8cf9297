// README, "On a fresh machine": the SSH tests' throwaway OpenSSH server listens on 127.0.0.1
// only and leaves nothing running.
import t from 'tap';
import { alive, LOOPBACK, listeners, owners, withChildren } from '../support/listeners.js';
import { startSshd } from '../support/sshd.js';
import { until } from './ssh-cli.js';

t.test('the test sshd listens on 127.0.0.1 only and leaves nothing running', async (t) => {
  const sshd = await startSshd();
  let stopped = false;
  t.teardown(() => (stopped ? undefined : sshd.stop()));

  const ours = listeners().filter((l) => l.port === sshd.port);
  t.ok(ours.length > 0, 'sshd listens on its port');
  t.same(
    ours.filter((l) => !LOOPBACK.has(l.address)).map((l) => `${l.address}:${l.port}`),
    [],
    'no listening socket on any other address',
  );
  const listening = owners(new Set(ours.map((l) => l.inode)));
  t.ok(listening.length > 0, `the listening process is found (${listening.join(', ')})`);
  const pids = withChildren(listening);

  await sshd.stop();
  stopped = true;
  await until(() => pids.every((p) => !alive(p)), 'sshd exits', 30_000);
  t.same(pids.filter(alive), [], 'sshd has exited');
  t.same(listeners().filter((l) => l.port === sshd.port), [], 'nothing listens on its port any more');
});
