// With --target a capacity refusal is per VM (planner/plan/capacity-scope.ts): the targeted VMs
// that fit still plan, the one that does not is left out with its reason, and so are the VMs
// that depend on it. Without --target the same plan is refused as a whole.
import t from 'tap';
import { makePlan } from '../../planner/plan/make-plan.js';
import type { PoolMember } from '../../planner/model/vm.js';
import { GiB, OPTIONS, config, observed, resource, state, vmConfig } from './builders.js';

const member = (name: string, free: number): PoolMember => ({ uuid: `h-${name}`, name, pcpus: 16, memory_total: 256 * GiB, memory_free: free, enabled: true });

// Halted VMs, each 2 GiB + 20 MiB on its member, configured running with affinity xcp-01
// (which has room for two of them) but vm.d, which goes to xcp-02.
function planStarts(targets: string[], dependsOn: Record<string, string[]> = {}) {
  const names = ['vm.a', 'vm.b', 'vm.c', 'vm.d'];
  const halted = { power_state: 'halted' as const };
  return makePlan({
    config: config(names.map((a) => vmConfig(a, { affinity: a === 'vm.d' ? 'xcp-02' : 'xcp-01', depends_on: dependsOn[a] ?? [] }, { power_state: 'running', name: a }))),
    state: state(names.map((a, i) => resource(a, `u-${i}`, { ...halted, name: a }))),
    inventories: {
      lab: {
        host: 'lab',
        toolstack: 'xapi',
        members: [member('xcp-01', 4.5 * GiB), member('xcp-02', 64 * GiB)],
        vms: names.map((a, i) => observed(`u-${i}`, a, { ...halted, name: a }, { affinity: 'xcp-01' })),
        templates: [],
        srs: [],
        networks: [],
      },
    },
    options: { ...OPTIONS, targets },
  });
}

t.test('a capacity refusal with --target is per VM', async (t) => {
  const cases: { name: string; targets: string[]; dependsOn?: Record<string, string[]>; planned: string[]; left: RegExp[] }[] = [
    {
      name: 'of three targeted starts the two that fit plan and the third is refused with its figures',
      targets: ['vm.a', 'vm.b', 'vm.c'],
      planned: ['vm.a', 'vm.b'],
      left: [/^vm\.c is not in this plan \(--target\): refused: vm\.c would start on pool member "xcp-01", which would need 2068MiB \(memory 2GiB \+ overhead 20MiB\) but has 472MiB free after the VMs planned onto it before \(vm\.a, vm\.b\)$/],
    },
    {
      name: 'a targeted VM that depends on the refused one is left out too, saying why',
      targets: ['vm.a', 'vm.b', 'vm.c', 'vm.d'],
      dependsOn: { 'vm.d': ['vm.c'] },
      planned: ['vm.a', 'vm.b'],
      left: [/^vm\.c is not in this plan \(--target\): refused: /, /^vm\.d is not in this plan \(--target\): left out: it depends on vm\.c, which is not in this plan either$/],
    },
    {
      name: 'targets that fit plan with no refusal',
      targets: ['vm.a', 'vm.c', 'vm.d'],
      planned: ['vm.a', 'vm.c', 'vm.d'],
      left: [],
    },
  ];
  for (const c of cases) {
    const out = planStarts(c.targets, c.dependsOn);
    t.same(out.errors, [], `${c.name}: planned`);
    const plan = out.plan!;
    t.same(plan.resource_changes.map((r) => r.address), c.planned, `${c.name}: the VMs in the plan`);
    t.same([...new Set(plan.steps.map((s) => s.address))], c.planned, `${c.name}: the VMs with steps`);
    const left = plan.warnings.filter((w) => w.includes('is not in this plan'));
    t.equal(left.length, c.left.length, `${c.name}: one warning per VM left out`);
    c.left.forEach((re, i) => t.match(left[i], re, `${c.name}: warning ${i + 1}`));
  }
});

t.test('without --target the same shortage refuses the whole plan', async (t) => {
  const out = planStarts([]);
  t.equal(out.plan, null);
  t.same(out.errors.map((e) => [e.summary, e.address]), [['Not enough room on a pool member', 'vm.c']]);
});
