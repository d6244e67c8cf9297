// A disk moved to another SR keeps the VM and its data: storage motion on a running guest
// with PV drivers (vdi-pool-migrate), else a copy while halted with the VBD swapped.
import t, { type Test } from 'tap';
import path from 'node:path';
import { exampleCopy, xenform, editConfig } from './cli.js';
import { runSim } from '../../providers/sim/index.js';
import { update } from '../../providers/sim/store.js';
import { simPaths } from '../../providers/factory.js';
import type { Plan } from '../../planner/plan/types.js';

async function quickstartWithTwoSrs(t: Test, faults: object) {
  const dir = exampleCopy('quickstart', t.teardown);
  const env = { XENSIM_FAULTS: JSON.stringify(faults) };
  t.equal(xenform(dir, ['apply', '--auto-approve'], env).code, 0, 'the quickstart is applied');
  const { statePath } = simPaths(dir, 'demo');
  await update(statePath, () => t.fail('the host exists') as never, (st) => {
    const uuid = '3b6c9a4e-0000-4000-8000-00000000f457';
    st.srs[uuid] = { uuid, name: 'Fast', desc: '', type: 'ext', contentType: 'user', shared: false, size: 500 * 1024 ** 3, other: {} };
  });
  const xe = async (...args: string[]) => (await runSim(['xe', ...args], { statePath, faults: env.XENSIM_FAULTS })).stdout.trim();
  const web = await xe('vm-list', 'name-label=web', 'params=uuid', '--minimal');
  const disk = async () => {
    const vdi = await xe('vdi-list', `other-config:xenform-vm=${web}`, 'other-config:xenform-disk=data', 'params=uuid', '--minimal');
    return { vdi, sr: await xe('vdi-param-get', `uuid=${vdi}`, 'param-name=sr-name-label'), domain: await xe('vm-param-get', `uuid=${web}`, 'param-name=dom-id') };
  };
  editConfig(dir, 'sr   = "Local storage"', 'sr   = "Fast"');
  return { dir, env, xe, web, disk, statePath: path.dirname(statePath) };
}

const cases = [
  { name: 'a running guest with PV drivers has its disk migrated live', faults: {}, steps: ['change_disk'], disruption: 'none', sameDomain: true },
  {
    name: 'a running guest without PV drivers is halted, its disk copied and swapped',
    faults: { no_pv_drivers: ['web'] },
    steps: ['hard_shutdown', 'change_disk', 'start'],
    disruption: 'halt',
    sameDomain: false,
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const { dir, env, xe, web, disk } = await quickstartWithTwoSrs(t, c.faults);
    if (c.faults.no_pv_drivers) editConfig(dir, '  vcpus       = 2\n\n  disk "data"', '  vcpus       = 2\n\n  shutdown {\n    mode = "hard"\n  }\n\n  disk "data"');
    const before = await disk();
    const plan = JSON.parse(xenform(dir, ['plan', '--json'], env).stdout) as Plan;
    const rc = plan.resource_changes.find((r) => r.address === 'vm.web')!;
    t.equal(rc.disruption, c.disruption);
    t.same(plan.steps.map((s) => s.op), c.steps);
    const applied = xenform(dir, ['apply', '--auto-approve'], env);
    t.equal(applied.code, 0, `applied (${applied.stderr})`);
    const after = await disk();
    t.equal(await xe('vm-list', 'name-label=web', 'params=uuid', '--minimal'), web, 'the VM keeps its uuid');
    t.equal(after.sr, 'Fast', 'the disk is on the new SR');
    t.not(after.vdi, '', 'the disk is still attached and marked');
    t.equal(await xe('vdi-list', `uuid=${before.vdi}`, 'params=uuid', '--minimal'), '', 'the old VDI is gone');
    t.equal(after.domain === before.domain, c.sameDomain, c.sameDomain ? 'never halted' : 'halted once');
    t.equal(xenform(dir, ['plan', '--detailed-exitcode'], env).code, 0, 'a second plan is empty');
  });
}
