// The device changes of device-routes.test.ts in the power states it leaves out (paused and
// suspended, kept so after the apply) and against a guest whose PV drivers do not hot-plug
// devices; and keep_on_destroy, a mark on the disk: steps, effect, condition and disruption.
import t from 'tap';
import type { GuestCapabilities, PowerState, VmAttributes } from '../../../planner/model/vm.js';
import { makePlan } from '../../../planner/plan/make-plan.js';
import { attributes, config, GiB, observed, OPTIONS, resource, state, vmConfig } from '../builders.js';
import { expectRoute } from '../route.js';

const base = attributes();
const root = base.disks[0];
const SRS = [
  { uuid: 'sr-1', name: 'Local storage', type: 'ext', capabilities: ['VDI_CREATE', 'VDI_RESIZE', 'VDI_MIRROR', 'VDI_RESIZE_ONLINE'] },
  { uuid: 'sr-2', name: 'Fast', type: 'ext', capabilities: ['VDI_CREATE', 'VDI_RESIZE', 'VDI_MIRROR'] },
];
// PV drivers that report neither can-use-hotplug-vbd nor can-use-hotplug-vif.
const NO_DEVICE_HOTPLUG: GuestCapabilities = { pv_drivers: true, hotplug_disk: false, hotplug_network: false, hotplug_vcpus: true };

function plan(power: PowerState, desired: Partial<VmAttributes>, guest?: GuestCapabilities) {
  const obs = observed('u-1', 'vm.web', { power_state: power }, guest ? { guest } : {});
  return makePlan({
    config: config([vmConfig('vm.web', {}, { ...desired, power_state: power as 'running' })]),
    state: state([resource('vm.web', 'u-1', { power_state: power })]),
    inventories: { lab: { host: 'lab', toolstack: 'xapi', vms: [obs], templates: [], srs: SRS, networks: [] } },
    options: OPTIONS,
  });
}

const CHANGES: { name: string; path: string; desired: Partial<VmAttributes>; op: string; offline: string }[] = [
  { name: 'a disk grown', path: 'disks.root', desired: { disks: [{ ...root, size: 40 * GiB }] }, op: 'change_disk', offline: 'the disk is resized offline' },
  { name: 'a disk moved to another SR', path: 'disks.root', desired: { disks: [{ ...root, sr: 'Fast' }] }, op: 'change_disk', offline: 'the disk is copied offline' },
  { name: 'a disk added', path: 'disks.data', desired: { disks: [root, { name: 'data', size: 10 * GiB, sr: 'Local storage', bootable: false }] }, op: 'add_disk', offline: 'the disk is attached offline' },
  { name: 'a disk removed', path: 'disks.root', desired: { disks: [] }, op: 'remove_disk', offline: 'the disk is detached offline' },
  { name: 'an interface added', path: 'networks.eth1', desired: { networks: [...base.networks, { name: 'eth1', network: 'xenbr0' }] }, op: 'add_network', offline: 'the interface is changed offline' },
];

const THROUGH: Record<string, [string, string]> = { paused: ['unpause', 'pause'], suspended: ['resume', 'suspend'] };

for (const power of ['paused', 'suspended'] as const) {
  for (const c of CHANGES) {
    t.test(`${c.name} on a ${power} VM is made while halted, and the VM is brought back ${power}`, async (t) => {
      const [up, down] = THROUGH[power];
      const { rc } = expectRoute(t, plan(power, c.desired), {
        path: c.path, effect: 'requires_halt', condition: `the VM is ${power}, so ${c.offline}`, steps: `${up} clean_shutdown ${c.op} start ${down}`, disruption: 'halt',
      });
      t.not(rc.action, 'replace', 'never a replacement');
    });
  }
}

const PARTIAL: { name: string; path: string; desired: Partial<VmAttributes>; op: string; effect: string; condition: string }[] = [
  { name: 'a disk grown online needs PV drivers, not disk hot-plug', path: 'disks.root', desired: CHANGES[0].desired, op: 'change_disk', effect: 'live', condition: 'the SR resizes attached disks' },
  { name: 'a disk migrated live needs PV drivers, not disk hot-plug', path: 'disks.root', desired: CHANGES[1].desired, op: 'change_disk', effect: 'live', condition: 'the SR Local storage mirrors attached disks' },
  { name: 'a disk added halts the VM', path: 'disks.data', desired: CHANGES[2].desired, op: 'add_disk', effect: 'requires_halt', condition: "the guest's PV drivers do not hot-plug disks" },
  { name: 'a disk removed halts the VM', path: 'disks.root', desired: CHANGES[3].desired, op: 'remove_disk', effect: 'requires_halt', condition: "the guest's PV drivers do not hot-plug disks" },
  { name: 'an interface added halts the VM', path: 'networks.eth1', desired: CHANGES[4].desired, op: 'add_network', effect: 'requires_halt', condition: "the guest's PV drivers do not hot-plug network interfaces" },
];

for (const c of PARTIAL) {
  t.test(`on a running guest whose PV drivers do not hot-plug devices, ${c.name}`, async (t) => {
    const live = c.effect === 'live';
    expectRoute(t, plan('running', c.desired, NO_DEVICE_HOTPLUG), { ...c, steps: live ? c.op : `clean_shutdown ${c.op} start`, disruption: live ? 'none' : 'halt' });
  });
}

for (const power of ['running', 'halted', 'paused', 'suspended'] as const) {
  t.test(`keep_on_destroy set on a disk of a ${power} VM is a mark made in place, with no disruption and no power change`, async (t) => {
    const out = plan(power, { disks: [{ ...root, keep_on_destroy: true }] }, power === 'running' ? { pv_drivers: false, hotplug_disk: false, hotplug_network: false, hotplug_vcpus: false } : undefined);
    expectRoute(t, out, {
      path: 'disks.root', effect: 'live', reason: /^keep_on_destroy is a mark on the disk, changed in place$/, condition: 'the disk is neither resized nor moved', steps: 'change_disk', disruption: 'none',
    });
  });
}
