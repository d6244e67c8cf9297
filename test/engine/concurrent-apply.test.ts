// Two `xenform apply` processes started together on one configuration: the state lock lets
// exactly one run; the other fails at once and says who holds the lock.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { startSshd } from '../support/sshd.js';
import { BUILT, cli, hostBlock, inventory, sshdAvailable, WEB_BLOCK } from './crash-support.js';

t.test('two applies started together: one runs, the other fails at once naming the holder', {
  skip: !sshdAvailable() ? 'sshd is not installed (apt-get install openssh-server)' : !BUILT ? 'run `npm run build` first' : false,
}, async (t) => {
  const dir = t.testdir();
  const sshd = await startSshd({
    env: { XENSIM_STATE: path.join(dir, 'sim-lab.json'), XENSIM_FAULTS: JSON.stringify({ latency_ms: { '*': 10, 'vm-start': 400 } }) },
  });
  t.teardown(() => sshd.stop());
  fs.writeFileSync(path.join(dir, 'main.xf.hcl'), hostBlock(sshd) + WEB_BLOCK);
  const args = ['apply', '--auto-approve', '--var', 'n=3'];
  const runs = await Promise.all([cli(dir, args), cli(dir, args)]);
  const winners = runs.filter((r) => r.code === 0);
  const losers = runs.filter((r) => r.code !== 0);
  t.equal(winners.length, 1, 'exactly one apply succeeds');
  t.equal(losers.length, 1, 'the other fails');
  const [winner] = winners;
  const [loser] = losers;
  t.match(loser.stderr, /The state is locked: held by \S+@\S+ \(pid \d+\) for "(plan|apply)" since .*lock ID [0-9a-f-]{36}/, 'it names the holder');
  t.ok(loser.ms < winner.ms, `it fails at once (${loser.ms} ms, while the winner took ${winner.ms} ms)`);
  const inv = await inventory(sshd, dir);
  t.same(inv.vms.map((v) => v.attributes.name).sort(), ['web-0', 'web-1', 'web-2'], 'the VMs exist once each');
  t.notOk(fs.existsSync(path.join(dir, 'xenform.lock.json')), 'no lock is left behind');
});
