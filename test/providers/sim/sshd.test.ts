// The test SSH server: loopback only, simulator first on PATH, XENSIM_* passed, clean stop.
import t from 'tap';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { startSshd, ssh, SIM_BIN } from '../../support/sshd.js';

t.test('the test sshd serves the simulator on 127.0.0.1 and leaves nothing behind', async (t) => {
  const faults = '{"latency_ms": {"vm-list": 1}, "note": "a \\"quoted\\" value"}';
  const s = await startSshd({ env: { XENSIM_STATE: '/nonexistent/ignored.json', XENSIM_FAULTS: faults } });
  let stopped = false;
  t.teardown(() => (stopped ? undefined : s.stop()));
  t.equal(s.host, '127.0.0.1');
  t.match(s.hostKeyFingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/, 'the host key fingerprint is an OpenSSH SHA256 one');
  const r = await ssh(s, 'command -v xe; command -v xl; printenv XENSIM_FAULTS; printenv XENSIM_STATE');
  t.equal(r.code, 0, r.stderr);
  t.same(r.stdout.split('\n'), [`${SIM_BIN}/xe`, `${SIM_BIN}/xl`, faults, '/nonexistent/ignored.json', ''], 'xe and xl resolve to the simulator and the environment arrives intact');
  const pidDir = dirname(s.identityFile);
  await s.stop();
  stopped = true;
  t.notOk(existsSync(pidDir), 'the temporary directory is removed');
  const again = await ssh(s, 'true');
  t.equal(again.code, 255, 'the server no longer answers');
});
