// What a host will really make of the configuration: disk sizes in whole allocation units,
// the template's boot when the configuration names no boot mode.
import t from 'tap';
import { makePlan } from '../../planner/plan/make-plan.js';
import type { BootAttributes, DiskAttributes, HostInventory } from '../../planner/model/vm.js';
import { config, inventory, observed, OPTIONS, resource, state, vmConfig } from './builders.js';

const MiB = 1024 ** 2;
const disk = (size: number): DiskAttributes[] => [{ name: 'root', size, sr: 'Local storage', bootable: true }];
const withSr = (inv: Record<string, HostInventory>, unit?: number): Record<string, HostInventory> => {
  inv.lab.srs = [{ uuid: 'sr-1', name: 'Local storage', type: 'ext', ...(unit ? { allocation_unit: unit } : {}) }];
  return inv;
};

t.test('a new disk is planned at the size its SR will give it', async (t) => {
  const cases: { name: string; size: number; unit?: number; planned: number; rounded: boolean }[] = [
    { name: 'a 1001 MiB disk on a 2 MiB SR is planned at 1002 MiB', size: 1001 * MiB, unit: 2 * MiB, planned: 1002 * MiB, rounded: true },
    { name: 'a disk smaller than one unit gets one unit', size: 1, unit: 2 * MiB, planned: 2 * MiB, rounded: true },
    { name: 'a whole number of units is planned as configured', size: 1000 * MiB, unit: 2 * MiB, planned: 1000 * MiB, rounded: false },
    { name: 'on an SR of unknown unit the configured size is planned', size: 1001 * MiB, planned: 1001 * MiB, rounded: false },
  ];
  for (const c of cases) {
    const out = makePlan({ config: config([vmConfig('vm.web', {}, { disks: disk(c.size) })]), state: null, inventories: withSr(inventory([]), c.unit), options: OPTIONS });
    const rc = out.plan!.resource_changes[0];
    t.equal(rc.after!.disks[0].size, c.planned, `${c.name}: the plan's after value`);
    const create = out.plan!.steps.find((s) => s.op === 'create')!;
    t.equal((create.args as { attributes: { disks: DiskAttributes[] } }).attributes.disks[0].size, c.planned, `${c.name}: the size the create asks for`);
    t.equal(rc.reasons.some((r) => /disk "root": .* becomes .* allocates disks in units of/.test(r)), c.rounded, `${c.name}: ${c.rounded ? 'a reason says why' : 'no rounding reason'}`);
  }
});

t.test('a disk recorded at its configured size is not drift when the SR rounded it up', async (t) => {
  const cases: { name: string; recorded: number; host: number; drift: boolean }[] = [
    { name: 'recorded 1001 MiB, the host gave 1002 MiB: no drift', recorded: 1001 * MiB, host: 1002 * MiB, drift: false },
    { name: 'recorded 1002 MiB, the host has 1004 MiB: resized outside xenform', recorded: 1002 * MiB, host: 1004 * MiB, drift: true },
    { name: 'recorded 1002 MiB, the host has 1000 MiB: shrunk outside xenform', recorded: 1002 * MiB, host: 1000 * MiB, drift: true },
  ];
  for (const c of cases) {
    const out = makePlan({
      // configured no smaller than the host's disk: a shrink would refuse the plan
      config: config([vmConfig('vm.web', {}, { disks: disk(Math.max(c.recorded, c.host)) })]),
      state: state([resource('vm.web', 'u-1', { disks: disk(c.recorded) })]),
      inventories: withSr(inventory([observed('u-1', 'vm.web', { disks: disk(c.host) })]), 2 * MiB),
      options: OPTIONS,
    });
    const drift = out.plan!.drift.filter((d) => d.path === 'disks.root');
    t.equal(drift.length > 0, c.drift, c.name);
    if (c.drift) t.same([drift[0].before, drift[0].after], [disk(c.recorded)[0], disk(c.host)[0]], `${c.name}: before is the recorded disk, after the host's`);
  }
});

const HVM: BootAttributes = { mode: 'hvm', bootloader: '', kernel: '', ramdisk: '', args: '', bootloader_args: '', order: 'cdn', firmware: 'bios' };
const PV_DEFAULT: BootAttributes = { mode: 'pv', bootloader: '', kernel: '', ramdisk: '', args: '', bootloader_args: '', order: '', firmware: 'bios' };

t.test('a VM whose configuration names no boot mode boots as its template does', async (t) => {
  const follows = { boot_from_template: true as const };
  const templated = (inv: Record<string, HostInventory>, boot?: BootAttributes) => {
    inv.lab.templates = [{ uuid: 't-1', name: 'Debian Bookworm 12', ...(boot ? { boot } : {}) }];
    return inv;
  };
  const create = makePlan({ config: config([vmConfig('vm.web', follows, { boot: PV_DEFAULT })]), state: null, inventories: templated(inventory([]), HVM), options: OPTIONS });
  t.same(create.plan!.resource_changes[0].after!.boot, HVM, 'a new VM is planned with the HVM boot of its HVM template');

  const installed = observed('u-1', 'vm.web', { boot: HVM });
  const again = makePlan({
    config: config([vmConfig('vm.web', follows, { boot: PV_DEFAULT })]),
    state: state([resource('vm.web', 'u-1', { boot: HVM })]),
    inventories: templated(inventory([installed]), HVM),
    options: OPTIONS,
  });
  t.equal(again.plan!.resource_changes[0].action, 'noop', 'the VM installed from it converges');

  const gone = makePlan({
    config: config([vmConfig('vm.web', follows, { boot: PV_DEFAULT })]),
    state: state([resource('vm.web', 'u-1', { boot: HVM })]),
    inventories: inventory([installed]),
    options: OPTIONS,
  });
  t.equal(gone.plan!.resource_changes[0].action, 'noop', 'with the template gone from the host, the VM keeps the boot it has');

  const named = makePlan({ config: config([vmConfig('vm.web', {}, { boot: PV_DEFAULT })]), state: null, inventories: templated(inventory([]), HVM), options: OPTIONS });
  t.same(named.plan!.resource_changes[0].after!.boot, PV_DEFAULT, 'a boot mode the configuration names wins over the template');

  const unknown = makePlan({ config: config([vmConfig('vm.web', follows, { boot: PV_DEFAULT })]), state: null, inventories: templated(inventory([])), options: OPTIONS });
  t.same(unknown.plan!.resource_changes[0].after!.boot, PV_DEFAULT, 'a template that does not say how it boots leaves the configured default');
});

t.test('a reboot outside xenform boots the configuration a next_boot apply set: nothing is pending any more', async (t) => {
  const cases: { name: string; rebuilt: boolean; pending: boolean }[] = [
    { name: 'the domain xenform left is still running: the boot change is pending', rebuilt: false, pending: true },
    { name: 'the domain was rebuilt outside xenform: nothing is pending', rebuilt: true, pending: false },
  ];
  for (const c of cases) {
    const vm = observed('u-1', 'vm.web', {}, c.rebuilt ? { rebuilt_outside: true } : {});
    const out = makePlan({
      config: config([vmConfig('vm.web', { lifecycle: { prevent_destroy: false, ignore_changes: [], max_disruption: 'replace', apply_boot_changes: 'next_boot' } })]),
      state: state([resource('vm.web', 'u-1', {}, { pending_reboot: true })]),
      inventories: inventory([vm]),
      options: OPTIONS,
    });
    t.equal(out.plan!.drift.some((d) => d.kind === 'pending_reboot'), c.pending, c.name);
  }
});
