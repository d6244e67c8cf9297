import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { StateStore } from '../../engine/state/local/store.js';
import { runSim } from '../../providers/sim/index.js';
import { simPaths } from '../../providers/factory.js';
import { xenform } from '../support/cli-io.js';

const CONFIG = `
host "lab" {
  simulator = true
  toolstack = "xapi"
}

vm "legacy" {
  host        = host.lab
  name        = "legacy"
  template    = "Other install media"
  power_state = "running"
  memory      = "1GiB"
  vcpus       = 1
  boot {
    mode  = "hvm"
    order = "cd"
  }
}
`;

async function handMadeVm(dir: string): Promise<string> {
  const { statePath, root } = simPaths(dir, 'lab');
  fs.mkdirSync(root, { recursive: true });
  const sim = (...argv: string[]) => runSim(['xe', ...argv], { statePath, root });
  const install = await sim('vm-install', 'template=Other install media', 'new-name-label=legacy');
  const uuid = install.stdout.trim();
  await sim('vm-memory-limits-set', `uuid=${uuid}`, `static-min=${2 ** 30}`, `static-max=${2 ** 30}`, `dynamic-min=${2 ** 30}`, `dynamic-max=${2 ** 30}`);
  await sim('vm-param-set', `uuid=${uuid}`, 'other-config:owner=ops');
  await sim('vm-start', `uuid=${uuid}`);
  return uuid;
}

t.test('import records a VM made by hand as not owned and prints the HCL that matches it', async (t) => {
  const dir = t.testdir({ 'main.xf.hcl': CONFIG });
  const uuid = await handMadeVm(dir);
  const r = await xenform(['--chdir', dir, 'import', 'vm.legacy', uuid]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, `Imported vm.legacy: VM ${uuid} ("legacy") on host lab`);
  t.match(r.stdout, /vm "legacy" \{\n  host        = host\.lab\n  name        = "legacy"/);
  t.match(r.stdout, /power_state = "running"/);
  t.match(r.stdout, /memory      = "1GiB"/);
  t.match(r.stdout, /"owner" = "ops"/);
  const state = (await new StateStore(dir).read())!;
  t.same(state.resources.map((x) => [x.address, x.uuid, x.owned]), [['vm.legacy', uuid, false]]);

  const again = await xenform(['--chdir', dir, 'import', 'vm.legacy', uuid]);
  t.equal(again.code, 1, 'importing into a recorded address is refused');
  t.match(again.stderr, /vm\.legacy is already in the state/);
});

const refusals = [
  { name: 'an address without a vm block is refused with a suggestion', args: (u: string) => ['import', 'vm.legacyy', u], message: /vm\.legacyy is not in the configuration; did you mean vm\.legacy\?/ },
  { name: 'a uuid the host does not have is refused', args: () => ['import', 'vm.legacy', '00000000-0000-0000-0000-000000000000'], message: /Host "lab" has no VM with uuid 00000000-0000-0000-0000-000000000000/ },
  { name: 'text that is not an address is refused', args: (u: string) => ['import', 'legacy', u], message: /"legacy" is not a resource address/ },
];
for (const c of refusals) {
  t.test(c.name, async (t) => {
    const dir = t.testdir({ 'main.xf.hcl': CONFIG });
    const uuid = await handMadeVm(dir);
    const r = await xenform(['--chdir', dir, ...c.args(uuid)]);
    t.equal(r.code, 1);
    t.match(r.stderr, c.message);
    t.notOk(fs.existsSync(path.join(dir, 'xenform.state.json')) && (await new StateStore(dir).read())!.resources.length > 0, 'nothing is recorded');
  });
}
