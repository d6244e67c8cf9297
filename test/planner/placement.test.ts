// Placement in a XAPI pool (planner/plan/placement.ts): which steps an `affinity` plans from
// what refresh saw, and the reason and disruption the plan gives.
import t from 'tap';
import { makePlan } from '../../planner/plan/make-plan.js';
import type { GuestCapabilities, ObservedVm, PoolMember, PowerState } from '../../planner/model/vm.js';
import { GiB, OPTIONS, config, observed, resource, state, vmConfig } from './builders.js';

const member = (name: string): PoolMember => ({ uuid: `h-${name}`, name, pcpus: 16, memory_total: 256 * GiB, memory_free: 200 * GiB, enabled: true });
const MEMBERS = ['xcp-01', 'xcp-02', 'xcp-03'].map(member);
const drivers = (pv: boolean): GuestCapabilities => ({ pv_drivers: pv, hotplug_disk: pv, hotplug_network: pv, hotplug_vcpus: pv });

function planAffinity(power: PowerState, wanted: string, obs: Partial<ObservedVm>, mode: 'pv' | 'hvm' = 'hvm') {
  const boot = { mode, bootloader: '', kernel: '', ramdisk: '', args: '', bootloader_args: '', order: mode === 'hvm' ? 'cd' : '', firmware: 'bios' as const };
  const attrs = { power_state: power, boot };
  const vm = observed('u-1', 'vm.web', attrs, obs);
  return makePlan({
    config: config([vmConfig('vm.web', { affinity: wanted }, attrs)]),
    state: state([resource('vm.web', 'u-1', attrs)]),
    inventories: { lab: { host: 'lab', toolstack: 'xapi', members: MEMBERS, vms: [vm], templates: [], srs: [], networks: [] } },
    options: OPTIONS,
  });
}

t.test('an affinity plans the route xapi allows, with the reason', async (t) => {
  const cases: { name: string; power: PowerState; wanted: string; obs: Partial<ObservedVm>; mode?: 'pv' | 'hvm'; steps: string[]; disruption: string; reason: RegExp }[] = [
    {
      name: 'a running HVM guest with PV drivers on another member is migrated live',
      power: 'running', wanted: 'xcp-02', obs: { resident_on: 'xcp-01', affinity: 'xcp-01', guest: drivers(true) },
      steps: ['migrate'], disruption: 'none', reason: /live migration moves the running VM from pool member "xcp-01" to "xcp-02"/,
    },
    {
      name: 'a running PV guest is migrated live whatever its drivers',
      power: 'running', wanted: 'xcp-03', obs: { resident_on: 'xcp-01', guest: drivers(false) }, mode: 'pv',
      steps: ['migrate'], disruption: 'none', reason: /live migration/,
    },
    {
      name: 'a running HVM guest without PV drivers is halted (hard: xapi refuses it a clean shutdown too, and its policy falls back to hard) and started on the new member',
      power: 'running', wanted: 'xcp-02', obs: { resident_on: 'xcp-01', affinity: 'xcp-01', guest: drivers(false) },
      steps: ['hard_shutdown', 'set', 'start'], disruption: 'halt', reason: /xapi refuses to migrate an HVM guest without PV drivers live/,
    },
    {
      name: 'a paused VM cannot be migrated: halted cleanly (unpause first), started there and paused again',
      power: 'paused', wanted: 'xcp-02', obs: { resident_on: 'xcp-01', guest: drivers(true) },
      steps: ['unpause', 'clean_shutdown', 'set', 'start', 'pause'], disruption: 'halt', reason: /xapi migrates only a running VM/,
    },
    {
      name: 'a halted VM gets the affinity as metadata',
      power: 'halted', wanted: 'xcp-03', obs: { affinity: 'xcp-01' },
      steps: ['set'], disruption: 'none', reason: /the affinity is metadata/,
    },
    {
      name: 'a running VM already on the member only has its affinity recorded',
      power: 'running', wanted: 'xcp-02', obs: { resident_on: 'xcp-02' },
      steps: ['set'], disruption: 'none', reason: /already runs on "xcp-02"/,
    },
    {
      name: 'a VM on its affinity has nothing to do',
      power: 'running', wanted: 'xcp-02', obs: { resident_on: 'xcp-02', affinity: 'xcp-02' },
      steps: [], disruption: 'none', reason: /^$/,
    },
  ];
  for (const c of cases) {
    const out = planAffinity(c.power, c.wanted, c.obs, c.mode);
    t.same(out.errors, [], `${c.name}: planned`);
    const rc = out.plan!.resource_changes[0];
    t.same(out.plan!.steps.map((s) => s.op), c.steps, `${c.name}: steps`);
    t.equal(rc.disruption, c.disruption, `${c.name}: disruption`);
    t.match(rc.reasons.join('\n'), c.reason, `${c.name}: reason`);
  }
});

t.test('an affinity naming no member of the pool is refused, listing the members', async (t) => {
  const out = planAffinity('running', 'xcp-9', { resident_on: 'xcp-01' });
  t.equal(out.plan, null);
  t.match(out.errors[0].detail, 'affinity = "xcp-9" names no member of the pool on host "lab" (members: xcp-01, xcp-02, xcp-03)');
});
