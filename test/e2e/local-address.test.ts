// README "Reaching hosts": `address = "local"` runs `xe`/`xl` directly, for xenform on dom0
// itself. Here dom0's `xe` is the simulator's, first on PATH, as it is on a real dom0.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exampleCopy, xenform } from './cli.js';
import { SIM_BIN } from '../support/sshd.js';

t.test('address = "local" runs xe directly on the machine xenform runs on: apply creates the VMs there and the next plan has no changes', async (t) => {
  const dir = exampleCopy('quickstart', t.teardown);
  const file = path.join(dir, 'main.xf.hcl');
  const text = readFileSync(file, 'utf8');
  t.ok(text.includes('  simulator = true\n'));
  writeFileSync(file, text.replace('  simulator = true\n', '  address = "local"\n'));
  const dom0 = path.join(dir, 'dom0.json');
  const env = { PATH: `${SIM_BIN}:${path.dirname(process.execPath)}:/usr/bin:/bin`, XENSIM_STATE: dom0, NODE_OPTIONS: '' };
  const apply = xenform(dir, ['apply', '--auto-approve'], env);
  t.equal(apply.code, 0, apply.stderr);
  t.match(readFileSync(dom0, 'utf8'), /"web"/, 'the VM was made by the xe on this machine');
  const state = JSON.parse(readFileSync(path.join(dir, 'xenform.state.json'), 'utf8')) as { resources: { address: string }[] };
  t.same(state.resources.map((r) => r.address).sort(), ['vm.installer', 'vm.web']);
  t.match(xenform(dir, ['plan'], env).stdout, /No changes/);
});
