// Capacity at plan time for raises on a running VM in a XAPI pool (planner/plan/capacity.ts):
// memory.static_max and vcpus_max need a halt, and the start after it is charged on the member
// the VM runs on only what the raise adds; a raise that does not fit is refused naming the
// member, the need and what is free. A live vCPU raise (VCPUs-at-startup, up to vcpus_max)
// charges nothing: xapi's overhead counts VCPUs-max.
import t from 'tap';
import { makePlan } from '../../planner/plan/make-plan.js';
import type { GuestCapabilities, PoolMember, VmAttributes } from '../../planner/model/vm.js';
import { GiB, OPTIONS, config, observed, resource, state, vmConfig } from './builders.js';

const MiB = 1024 * 1024;
const member = (name: string, free: number, pcpus = 16): PoolMember => ({ uuid: `h-${name}`, name, pcpus, memory_total: 256 * GiB, memory_free: free, enabled: true });
const drivers: GuestCapabilities = { pv_drivers: true, hotplug_disk: true, hotplug_network: true, hotplug_vcpus: true };

// vm.web runs on xcp-01 with 2 GiB (a PV guest: 20 MiB of overhead at 2 vCPUs) and is given `wanted`.
function planRaise(wanted: Partial<VmAttributes>, members: PoolMember[], was: Partial<VmAttributes> = {}) {
  const running = { power_state: 'running' as const };
  const vm = observed('u-1', 'vm.web', { ...running, ...was }, { resident_on: 'xcp-01', guest: drivers });
  return makePlan({
    config: config([vmConfig('vm.web', {}, { ...running, ...wanted })]),
    state: state([resource('vm.web', 'u-1', { ...running, ...was })]),
    inventories: { lab: { host: 'lab', toolstack: 'xapi', members, vms: [vm], templates: [], srs: [], networks: [] } },
    options: OPTIONS,
  });
}

const memory = (max: number) => ({ memory: { static_min: GiB, static_max: max, dynamic_min: max, dynamic_max: max } });

t.test('a raise on a running VM counts against its member, only by what it adds', async (t) => {
  const cases: { name: string; wanted: Partial<VmAttributes>; was?: Partial<VmAttributes>; members: PoolMember[]; steps?: string[]; refused?: RegExp }[] = [
    {
      name: 'a memory raise that fits in what its member has free plus what the VM gives back is planned',
      wanted: memory(3 * GiB),
      members: [member('xcp-01', 2 * GiB), member('xcp-02', 512 * MiB), member('xcp-03', 512 * MiB)],
      steps: ['clean_shutdown', 'set', 'start'],
    },
    {
      name: 'a memory raise larger than its member has free is refused naming the member, the need and the free memory',
      wanted: memory(4 * GiB),
      members: [member('xcp-01', 1 * GiB), member('xcp-02', 512 * MiB), member('xcp-03', 512 * MiB)],
      // 4 GiB + 36 MiB overhead (PV, 2 vCPUs), against the 2 GiB + 20 MiB it takes now
      refused: /vm\.web would start on pool member "xcp-01", which would need 4132MiB \(memory 4GiB \+ overhead 36MiB\), 2064MiB more than the 2068MiB it takes now, but has 1GiB free/,
    },
    {
      name: 'a memory raise goes to another member when xapi would pick it (no affinity) and it has room',
      wanted: memory(4 * GiB),
      members: [member('xcp-01', 1 * GiB), member('xcp-02', 8 * GiB), member('xcp-03', 512 * MiB)],
      steps: ['clean_shutdown', 'set', 'start'],
    },
    {
      name: 'a vcpus_max raise beyond the physical CPUs of its member is refused naming the member',
      wanted: { vcpus: 8, vcpus_max: 8 },
      members: [member('xcp-01', 8 * GiB, 4), member('xcp-02', 1 * GiB, 4), member('xcp-03', 1 * GiB, 4)],
      refused: /vm\.web would start on pool member "xcp-01", which has 4 physical CPUs, but vcpus_max is 8/,
    },
    {
      name: 'a vcpus_max raise whose larger overhead fits is planned',
      wanted: { vcpus: 4, vcpus_max: 4 },
      members: [member('xcp-01', 64 * MiB), member('xcp-02', 0), member('xcp-03', 0)],
      steps: ['clean_shutdown', 'set', 'start'],
    },
    {
      name: 'a vcpus_max raise whose larger overhead does not fit is refused',
      wanted: { vcpus: 4, vcpus_max: 4 },
      members: [member('xcp-01', 0), member('xcp-02', 0), member('xcp-03', 0)],
      refused: /pool member "xcp-01", which would need 2070MiB \(memory 2GiB \+ overhead 22MiB\), 2MiB more than the 2068MiB it takes now, but has 0B free/,
    },
    {
      name: 'a live vCPU raise up to vcpus_max needs no room',
      wanted: { vcpus: 2 },
      was: { vcpus: 1 },
      members: [member('xcp-01', 0), member('xcp-02', 0), member('xcp-03', 0)],
      steps: ['set'],
    },
  ];
  for (const c of cases) {
    const out = planRaise(c.wanted, c.members, c.was);
    if (c.refused) {
      t.equal(out.plan, null, `${c.name}: refused`);
      t.equal(out.errors.length, 1, `${c.name}: one refusal`);
      t.match(out.errors[0]?.detail, c.refused, `${c.name}: the refusal`);
      t.equal(out.errors[0]?.summary, 'Not enough room on a pool member', `${c.name}: summary`);
    } else {
      t.same(out.errors, [], `${c.name}: planned`);
      t.same(out.plan?.steps.map((s) => s.op), c.steps, `${c.name}: steps`);
    }
  }
});
