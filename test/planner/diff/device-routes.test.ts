// Every disk and network interface change, in each power state, against each thing refresh can
// observe of the guest and the SR: the route's steps, effect, condition and disruption.
import t from 'tap';
import type { GuestCapabilities, PowerState, VmAttributes } from '../../../planner/model/vm.js';
import { makePlan } from '../../../planner/plan/make-plan.js';
import { attributes, config, GiB, observed, OPTIONS, resource, state, vmConfig } from '../builders.js';
import { expectRoute } from '../route.js';

const base = attributes();
const ALL: GuestCapabilities = { pv_drivers: true, hotplug_disk: true, hotplug_network: true, hotplug_vcpus: true };
const NO_DRIVERS: GuestCapabilities = { pv_drivers: false, hotplug_disk: false, hotplug_network: false, hotplug_vcpus: false };
const STOCK = ['VDI_CREATE', 'VDI_RESIZE', 'VDI_MIRROR']; // EXTSR.py: no VDI_RESIZE_ONLINE
const ONLINE = [...STOCK, 'VDI_RESIZE_ONLINE'];

interface Observation {
  name: string;
  guest?: GuestCapabilities;
  sr: string[];
}
const drivers: Observation = { name: 'a guest with PV drivers on an SR that resizes online', guest: ALL, sr: ONLINE };
const stock: Observation = { name: 'a guest with PV drivers on a stock SR', guest: ALL, sr: STOCK };
const bare: Observation = { name: 'a guest without PV drivers', guest: NO_DRIVERS, sr: ONLINE };
const unknown: Observation = { name: 'a host that reports no guest metrics', sr: ONLINE };

function plan(power: PowerState, seen: Observation, desired: Partial<VmAttributes>, replace: string[] = []) {
  const obs = observed('u-1', 'vm.web', { power_state: power }, seen.guest && power === 'running' ? { guest: seen.guest } : {});
  const srs = [
    { uuid: 'sr-1', name: 'Local storage', type: 'ext', capabilities: seen.sr },
    { uuid: 'sr-2', name: 'Fast', type: 'ext', capabilities: seen.sr },
  ];
  return makePlan({
    config: config([vmConfig('vm.web', {}, { ...desired, power_state: power === 'halted' ? 'halted' : 'running' })]),
    state: state([resource('vm.web', 'u-1', { power_state: power })]),
    inventories: { lab: { host: 'lab', toolstack: 'xapi', vms: [obs], templates: [], srs, networks: [] } },
    options: { ...OPTIONS, replace },
  });
}

const root = base.disks[0];
const CHANGES: { name: string; path: string; desired: Partial<VmAttributes>; op: string }[] = [
  { name: 'a disk grown', path: 'disks.root', desired: { disks: [{ ...root, size: 40 * GiB }] }, op: 'change_disk' },
  { name: 'a disk moved to another SR', path: 'disks.root', desired: { disks: [{ ...root, sr: 'Fast' }] }, op: 'change_disk' },
  { name: 'a disk added', path: 'disks.data', desired: { disks: [root, { name: 'data', size: 10 * GiB, sr: 'Local storage', bootable: false }] }, op: 'add_disk' },
  { name: 'a disk removed', path: 'disks.root', desired: { disks: [] }, op: 'remove_disk' },
  { name: 'an interface added', path: 'networks.eth1', desired: { networks: [...base.networks, { name: 'eth1', network: 'xenbr0' }] }, op: 'add_network' },
  { name: 'an interface removed', path: 'networks.eth0', desired: { networks: [] }, op: 'remove_network' },
  { name: 'an interface moved to another network', path: 'networks.eth0', desired: { networks: [{ name: 'eth0', network: 'xenbr1' }] }, op: 'remove_network add_network' },
];

// [change, observation] -> on a running VM: effect and condition (halted: always offline, no disruption).
const RUNNING: Record<string, Record<string, [string, string]>> = {
  'a disk grown': {
    [drivers.name]: ['live', 'the SR resizes attached disks'],
    [stock.name]: ['requires_halt', 'the SR Local storage cannot resize an attached disk (no VDI_RESIZE_ONLINE)'],
    [bare.name]: ['requires_halt', 'the guest has no PV drivers, so the disk cannot be hot-plugged'],
    [unknown.name]: ['requires_halt', 'the host reports no guest metrics, so the disk cannot be hot-plugged'],
  },
  'a disk moved to another SR': {
    [drivers.name]: ['live', 'the SR Local storage mirrors attached disks'],
    [stock.name]: ['live', 'the SR Local storage mirrors attached disks'],
    [bare.name]: ['requires_halt', 'the guest has no PV drivers, so the disk cannot be migrated live'],
    [unknown.name]: ['requires_halt', 'the guest has no PV drivers, so the disk cannot be migrated live'],
  },
  'a disk added': {
    [drivers.name]: ['live', "the guest's PV drivers hot-plug disks"],
    [stock.name]: ['live', "the guest's PV drivers hot-plug disks"],
    [bare.name]: ['requires_halt', 'the guest has no PV drivers, so the disk cannot be hot-plugged'],
    [unknown.name]: ['requires_halt', 'the host reports no guest metrics, so the disk cannot be hot-plugged'],
  },
  'a disk removed': {
    [drivers.name]: ['live', "the guest's PV drivers hot-plug disks"],
    [stock.name]: ['live', "the guest's PV drivers hot-plug disks"],
    [bare.name]: ['requires_halt', 'the guest has no PV drivers, so the disk cannot be hot-plugged'],
    [unknown.name]: ['requires_halt', 'the host reports no guest metrics, so the disk cannot be hot-plugged'],
  },
};
for (const nic of ['an interface added', 'an interface removed', 'an interface moved to another network']) {
  RUNNING[nic] = {
    [drivers.name]: ['live', "the guest's PV drivers hot-plug network interfaces"],
    [stock.name]: ['live', "the guest's PV drivers hot-plug network interfaces"],
    [bare.name]: ['requires_halt', 'the guest has no PV drivers, so the interface cannot be hot-plugged'],
    [unknown.name]: ['requires_halt', 'the host reports no guest metrics, so the interface cannot be hot-plugged'],
  };
}

for (const c of CHANGES) {
  for (const seen of [drivers, stock, bare, unknown]) {
    t.test(`${c.name} on a running VM, ${seen.name}`, async (t) => {
      const [effect, condition] = RUNNING[c.name][seen.name];
      const live = effect === 'live';
      const { rc } = expectRoute(t, plan('running', seen, c.desired), {
        path: c.path, effect, condition, steps: live ? c.op : `clean_shutdown ${c.op} start`, disruption: live ? 'none' : 'halt',
      });
      t.not(rc.action, 'replace', 'never a replacement');
    });
  }
  t.test(`${c.name} on a halted VM is made offline with no disruption`, async (t) => {
    expectRoute(t, plan('halted', drivers, c.desired), { path: c.path, effect: 'requires_halt', condition: /^the VM is halted/, steps: c.op, disruption: 'none' });
  });
}

t.test('a disk shrink is refused at plan time, naming the VM, the disk, both sizes and --replace', async (t) => {
  for (const power of ['running', 'halted'] as const) {
    const out = plan(power, drivers, { disks: [{ ...root, size: 10 * GiB }] });
    t.equal(out.plan, null, `${power}: no plan`);
    t.equal(out.errors.length, 1);
    t.match(out.errors[0].detail, /vm\.web: disk "root" cannot shrink from 20GiB to 10GiB/);
    t.match(out.errors[0].detail, /--replace vm\.web/);
  }
  const replaced = plan('running', drivers, { disks: [{ ...root, size: 10 * GiB }] }, ['vm.web']);
  t.same(replaced.errors, [], 'with --replace the VM is recreated');
  t.equal(replaced.plan!.resource_changes[0].action, 'replace');
});

t.test('a grown disk and a new interface on a hot-plugging guest take no halt together; one halting change halts once', async (t) => {
  const both = { disks: [{ ...root, size: 40 * GiB }], networks: [...base.networks, { name: 'eth1', network: 'xenbr0' }] };
  const live = plan('running', drivers, both);
  t.equal(live.plan!.steps.map((s) => s.op).join(' '), 'change_disk add_network');
  t.equal(live.plan!.resource_changes[0].disruption, 'none');
  const halting = plan('running', stock, both);
  t.equal(halting.plan!.steps.map((s) => s.op).join(' '), 'clean_shutdown change_disk add_network start');
  t.equal(halting.plan!.resource_changes[0].disruption, 'halt');
});

t.test('a disk moved to an SR the host does not have is refused at plan time', async (t) => {
  const out = plan('running', drivers, { disks: [{ ...root, sr: 'Nowhere' }] });
  t.equal(out.plan, null);
  t.match(out.errors.map((e) => e.detail).join('\n'), /Nowhere/);
});
