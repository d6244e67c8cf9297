// Filling values known only after apply into a step just before it runs: from the configuration
// evaluated again with the VMs made so far; a value still unknown is an error naming it.
import t from 'tap';
import { fillUnknowns } from '../../../engine/apply/fill-unknowns.js';
import { emptyState } from '../../../engine/state/transitions.js';
import { UNKNOWN, type Config, type VmConfig } from '../../../planner/config/types.js';
import { stepOf, type FlatStep } from '../../support/steps.js';

const step = (flat: FlatStep) => stepOf(flat, { address: 'vm.web', host: 'lab' });
const vm = (attributes: Record<string, unknown>) => ({ address: 'vm.web', attributes }) as unknown as VmConfig;
const config = (v: VmConfig) => ({ vms: [v] }) as unknown as Config;

const cases: { name: string; planned: ReturnType<typeof step>; now: Config | string; want?: unknown; error?: RegExp }[] = [
  {
    name: 'a set of the description takes the value evaluated with the new VM known',
    planned: step({ op: 'set', changes: [{ path: 'description', value: UNKNOWN }, { path: 'vcpus', value: 2 }] }),
    now: config(vm({ description: 'db is U1' })),
    want: { changes: [{ path: 'description', value: 'db is U1' }, { path: 'vcpus', value: 2 }] },
  },
  {
    name: 'an other-config key with dots is found under other_config',
    planned: step({ op: 'set', changes: [{ path: 'other_config.app.db', value: UNKNOWN }] }),
    now: config(vm({ other_config: { 'app.db': 'U1' } })),
    want: { changes: [{ path: 'other_config.app.db', value: 'U1' }] },
  },
  {
    name: 'a disk of a create is matched by name, not by position',
    planned: step({ op: 'create', attributes: { disks: [{ name: 'b', sr: UNKNOWN }] }, markers: { address: 'vm.web', lineage: 'L' } }),
    now: config(vm({ disks: [{ name: 'a', sr: 'A' }, { name: 'b', sr: 'B' }] })),
    want: { attributes: { disks: [{ name: 'b', sr: 'B' }] }, markers: { address: 'vm.web', lineage: 'L' } },
  },
  {
    name: 'a value still unknown is an error naming the attribute',
    planned: step({ op: 'set', changes: [{ path: 'boot.args', value: UNKNOWN }] }),
    now: config(vm({ boot: { args: UNKNOWN } })),
    error: /vm\.web: boot\.args is still known only after apply when its set step runs/,
  },
  {
    name: 'a configuration that no longer loads is an error that says why',
    planned: step({ op: 'set', changes: [{ path: 'description', value: UNKNOWN }] }),
    now: 'The configuration saved with the plan has errors',
    error: /could not be filled in: The configuration saved with the plan has errors/,
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const r = fillUnknowns(c.planned, () => emptyState('test'), () => c.now);
    if (c.error) t.match('error' in r ? r.error : '', c.error);
    else t.same('step' in r ? r.step.args : r, c.want);
  });
}

t.test('a step with nothing unknown is not evaluated again', async (t) => {
  let evaluated = 0;
  const s = step({ op: 'set', changes: [{ path: 'vcpus', value: 2 }] });
  const r = fillUnknowns(s, () => emptyState('test'), () => (evaluated++, 'unused'));
  t.equal('step' in r && r.step, s);
  t.equal(evaluated, 0);
});
