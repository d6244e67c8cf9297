// `--evacuate MEMBER` (planner/plan/placement.ts): where each VM running on the drained member
// goes, and the reason the plan gives, with and without an affinity.
import t from 'tap';
import { makePlan } from '../../planner/plan/make-plan.js';
import type { PoolMember } from '../../planner/model/vm.js';
import { GiB, OPTIONS, config, observed, resource, state, vmConfig } from './builders.js';

const member = (name: string, free: number, enabled = true): PoolMember => ({ uuid: `h-${name}`, name, pcpus: 16, memory_total: 256 * GiB, memory_free: free, enabled });

// vm.web runs on xcp-01 (a PV guest), which is drained; xcp-03 has the most room.
function planEvacuation(affinity: string | undefined, xcp02Enabled = true) {
  const running = { power_state: 'running' as const };
  const vm = observed('u-1', 'vm.web', running, { resident_on: 'xcp-01', ...(affinity ? { affinity } : {}) });
  return makePlan({
    config: config([vmConfig('vm.web', affinity ? { affinity } : {}, running)]),
    state: state([resource('vm.web', 'u-1', running)]),
    inventories: {
      lab: {
        host: 'lab',
        toolstack: 'xapi',
        members: [member('xcp-01', 10 * GiB), member('xcp-02', 50 * GiB, xcp02Enabled), member('xcp-03', 100 * GiB)],
        vms: [vm],
        templates: [],
        srs: [],
        networks: [],
      },
    },
    options: { ...OPTIONS, evacuate: 'xcp-01' },
  });
}

t.test('evacuation respects affinity', async (t) => {
  const cases: { name: string; affinity?: string; xcp02Enabled?: boolean; to: string; reason: RegExp }[] = [
    { name: 'a VM with no affinity goes to the enabled member with the most room', to: 'xcp-03', reason: /off pool member "xcp-01" \(--evacuate\) to "xcp-03" \(xe vm-migrate/ },
    {
      name: 'a VM whose affinity is the drained member goes to another member and says so',
      affinity: 'xcp-01', to: 'xcp-03', reason: /off pool member "xcp-01" \(--evacuate\) to "xcp-03" \(its affinity "xcp-01" is the member drained\)/,
    },
    {
      name: 'a VM whose affinity is another enabled member goes there, though another has more room',
      affinity: 'xcp-02', to: 'xcp-02', reason: /off pool member "xcp-01" \(--evacuate\) to "xcp-02", its affinity/,
    },
    {
      name: 'a VM whose affinity is a disabled member goes to an enabled one and says why',
      affinity: 'xcp-02', xcp02Enabled: false, to: 'xcp-03', reason: /to "xcp-03" \(its affinity "xcp-02" is disabled or has no room\)/,
    },
  ];
  for (const c of cases) {
    const out = planEvacuation(c.affinity, c.xcp02Enabled);
    t.same(out.errors, [], `${c.name}: planned`);
    const plan = out.plan!;
    t.same(plan.steps.map((s) => [s.op, s.op === 'migrate' ? s.args.member : null]), [['migrate', c.to]], `${c.name}: one live migration to ${c.to}`);
    t.equal(plan.resource_changes[0].disruption, 'none', `${c.name}: no disruption`);
    t.match(plan.resource_changes[0].reasons.join('\n'), c.reason, `${c.name}: reason`);
  }
});
