// `placement { spread = "web" }` (planner/plan/spread.ts): where the starting VMs of a spread
// group go, the reason the plan gives, the warning when the spread cannot be honoured, and
// evacuation keeping the group apart.
import t from 'tap';
import { makePlan } from '../../planner/plan/make-plan.js';
import type { PoolMember, PowerState } from '../../planner/model/vm.js';
import { GiB, OPTIONS, config, observed, resource, state, vmConfig } from './builders.js';

const member = (name: string, free: number): PoolMember => ({ uuid: `h-${name}`, name, pcpus: 16, memory_total: 256 * GiB, memory_free: free, enabled: true });

interface Vm {
  address: string;
  power: PowerState; // as observed
  on?: string; // resident_on when running
  spread?: string;
}

function planSpread(vms: Vm[], members: PoolMember[], evacuate?: string) {
  return makePlan({
    config: config(vms.map((v) => vmConfig(v.address, v.spread ? { spread: v.spread } : {}, { power_state: 'running', name: v.address }))),
    state: state(vms.map((v, i) => resource(v.address, `u-${i}`, { power_state: v.power, name: v.address }))),
    inventories: {
      lab: {
        host: 'lab',
        toolstack: 'xapi',
        members,
        vms: vms.map((v, i) => observed(`u-${i}`, v.address, { power_state: v.power, name: v.address }, v.on ? { resident_on: v.on } : {})),
        templates: [],
        srs: [],
        networks: [],
      },
    },
    options: { ...OPTIONS, ...(evacuate ? { evacuate } : {}) },
  });
}

const MEMBERS = [member('xcp-01', 100 * GiB), member('xcp-02', 50 * GiB), member('xcp-03', 80 * GiB)];
const halted = (address: string, spread = 'web'): Vm => ({ address, power: 'halted', spread });
const running = (address: string, on: string, spread = 'web'): Vm => ({ address, power: 'running', on, spread });

t.test('the starting VMs of a spread group go to distinct members', async (t) => {
  const cases: { name: string; vms: Vm[]; members?: PoolMember[]; evacuate?: string; placed: Record<string, string | null>; reasons?: Record<string, RegExp>; warning?: RegExp }[] = [
    {
      name: 'three halted VMs of one group start on three members, the most free memory first',
      vms: [halted('vm.a'), halted('vm.b'), halted('vm.c')],
      placed: { 'vm.a': 'xcp-01', 'vm.b': 'xcp-03', 'vm.c': 'xcp-02' },
      reasons: {
        'vm.a': /^spread group "web": the VM starts on pool member "xcp-01", which runs no other VM of the group$/,
        'vm.c': /^spread group "web": the VM starts on pool member "xcp-02", which runs no other VM of the group \(the group runs on xcp-01, xcp-03\)$/,
      },
    },
    {
      name: 'a running VM of the group is not moved, and the others avoid its member',
      vms: [running('vm.a', 'xcp-01'), halted('vm.b'), halted('vm.c')],
      placed: { 'vm.a': null, 'vm.b': 'xcp-03', 'vm.c': 'xcp-02' },
    },
    {
      name: 'VMs of different groups do not avoid each other',
      vms: [running('vm.a', 'xcp-01', 'db'), halted('vm.b')],
      placed: { 'vm.a': null, 'vm.b': 'xcp-01' },
    },
    {
      name: 'a member without room for the VM is passed over',
      vms: [halted('vm.a'), halted('vm.b')],
      members: [member('xcp-01', 100 * GiB), member('xcp-02', 1 * GiB), member('xcp-03', 80 * GiB)],
      placed: { 'vm.a': 'xcp-01', 'vm.b': 'xcp-03' },
    },
    {
      name: 'a fourth VM on a three-member pool is a warning naming the group, and xapi places it',
      vms: [halted('vm.a'), halted('vm.b'), halted('vm.c'), halted('vm.d')],
      placed: { 'vm.a': 'xcp-01', 'vm.b': 'xcp-03', 'vm.c': 'xcp-02', 'vm.d': null },
      warning: /^spread group "web" on host "lab" cannot be honoured for vm\.d: every enabled pool member with room for it already runs a VM of the group \(members running the group: xcp-01, xcp-02, xcp-03\); xapi places it$/,
    },
    {
      name: 'evacuation sends a VM of the group to a member that runs none of it, though another has more room',
      vms: [running('vm.a', 'xcp-02'), running('vm.b', 'xcp-01')],
      evacuate: 'xcp-02',
      placed: { 'vm.a': 'xcp-03', 'vm.b': null },
    },
    {
      name: 'evacuation without a spread group takes the member with the most room',
      vms: [running('vm.a', 'xcp-02', ''), running('vm.b', 'xcp-01', '')],
      evacuate: 'xcp-02',
      placed: { 'vm.a': 'xcp-01', 'vm.b': null },
    },
  ];
  for (const c of cases) {
    const out = planSpread(c.vms.map((v) => (v.spread === '' ? { ...v, spread: undefined } : v)), c.members ?? MEMBERS, c.evacuate);
    t.same(out.errors, [], `${c.name}: planned`);
    const plan = out.plan!;
    const placed: Record<string, string | null> = {};
    for (const v of c.vms) {
      const steps = plan.steps.filter((s) => s.address === v.address);
      const set = steps.flatMap((s) => (s.op === 'set' ? s.args.changes.filter((x) => x.path === 'affinity') : []))[0];
      const migrate = steps.find((s) => s.op === 'migrate');
      placed[v.address] = migrate?.op === 'migrate' ? migrate.args.member : set ? String(set.value) : null;
      if (set) t.same(steps.map((s) => s.op), ['set', 'start'], `${c.name}: ${v.address} gets its affinity, then starts`);
    }
    t.same(placed, c.placed, `${c.name}: members`);
    for (const [address, re] of Object.entries(c.reasons ?? {})) {
      t.match(plan.resource_changes.find((r) => r.address === address)!.changes.find((x) => x.path === 'affinity')?.reason, re, `${c.name}: ${address}'s reason`);
    }
    const warnings = plan.warnings.filter((w) => w.startsWith('spread group'));
    if (c.warning) t.match(warnings, [c.warning], `${c.name}: the warning`);
    else t.same(warnings, [], `${c.name}: no spread warning`);
  }
});
