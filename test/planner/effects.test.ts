import t from 'tap';
import type { DesiredPowerState, VmAttributes } from '../../planner/model/vm.js';
import type { VmConfig } from '../../planner/config/types.js';
import { attributes, GiB, planOne } from './builders.js';

const base = attributes();
const states: DesiredPowerState[] = ['running', 'paused', 'suspended', 'halted'];

interface Case {
  name: string;
  path: string;
  effect: string;
  desired: Partial<VmAttributes>;
  observed?: Partial<VmAttributes>; // what the host has besides the power state, when not the base
  vm?: Partial<VmConfig>;
  // expected steps per observed state (the VM stays in that state), and the disruption
  steps: Record<DesiredPowerState, string>;
  disruption: Record<DesiredPowerState, string>;
}

const META = { running: 'set', paused: 'set', suspended: 'set', halted: 'set' };
const NONE = { running: 'none', paused: 'none', suspended: 'none', halted: 'none' };
const HALT_STEPS = (op: string): Record<DesiredPowerState, string> => ({
  running: `clean_shutdown ${op} start`,
  paused: `unpause clean_shutdown ${op} start pause`,
  suspended: `resume clean_shutdown ${op} start suspend`,
  halted: op,
});
const HALT = { running: 'halt', paused: 'halt', suspended: 'halt', halted: 'none' };
const REBOOT_STEPS = {
  running: 'set clean_reboot',
  paused: 'set unpause clean_reboot pause',
  suspended: 'set resume clean_reboot suspend',
  halted: 'set',
};
const REBOOT = { running: 'reboot', paused: 'reboot', suspended: 'reboot', halted: 'none' };

const cases: Case[] = [
  { name: 'a new name is set in place', path: 'name', effect: 'live', desired: { name: 'web-new' }, steps: META, disruption: NONE },
  { name: 'a new description is set in place', path: 'description', effect: 'live', desired: { description: 'front end' }, steps: META, disruption: NONE },
  { name: 'new tags are set in place', path: 'tags', effect: 'live', desired: { tags: ['web', 'prod'] }, steps: META, disruption: NONE },
  { name: 'an other-config key is set in place', path: 'other_config.owner', effect: 'live', desired: { other_config: { owner: 'ops' } }, steps: META, disruption: NONE },
  {
    name: 'dynamic memory is ballooned on a running or halted VM, and through running otherwise',
    path: 'memory.dynamic_min',
    effect: 'live',
    desired: { memory: { ...base.memory, dynamic_min: GiB } },
    steps: { running: 'set', paused: 'unpause set pause', suspended: 'resume set suspend', halted: 'set' },
    disruption: NONE,
  },
  {
    name: 'static memory needs the VM halted',
    path: 'memory.static_max',
    effect: 'requires_halt',
    desired: { memory: { ...base.memory, static_max: 4 * GiB } },
    steps: HALT_STEPS('set'),
    disruption: HALT,
  },
  { name: 'vcpus_max needs the VM halted', path: 'vcpus_max', effect: 'requires_halt', desired: { vcpus_max: 4 }, steps: HALT_STEPS('set'), disruption: HALT },
  { name: 'a switch from PV to HVM needs the VM halted', path: 'boot.mode', effect: 'requires_halt', desired: { boot: { ...base.boot, mode: 'hvm' } }, steps: HALT_STEPS('set'), disruption: HALT },
  { name: 'vcpus at startup take effect at the next boot', path: 'vcpus', effect: 'next_boot', desired: { vcpus: 1 }, steps: REBOOT_STEPS, disruption: REBOOT },
  { name: 'PV args take effect at the next boot', path: 'boot.args', effect: 'next_boot', desired: { boot: { ...base.boot, args: 'console=hvc0' } }, steps: REBOOT_STEPS, disruption: REBOOT },
  { name: 'the PV kernel takes effect at the next boot', path: 'boot.bootloader', effect: 'next_boot', desired: { boot: { ...base.boot, bootloader: '' } }, steps: REBOOT_STEPS, disruption: REBOOT },
  {
    name: 'the HVM boot order takes effect at the next boot',
    path: 'boot.order',
    effect: 'next_boot',
    observed: { boot: { ...base.boot, mode: 'hvm' } },
    desired: { boot: { ...base.boot, mode: 'hvm', order: 'dc' } },
    steps: REBOOT_STEPS,
    disruption: REBOOT,
  },
  {
    name: 'boot changes with apply_boot_changes = "next_boot" are only set',
    path: 'boot.args',
    effect: 'next_boot',
    desired: { boot: { ...base.boot, args: 'console=hvc0' } },
    vm: { lifecycle: { prevent_destroy: false, ignore_changes: [], max_disruption: 'replace', apply_boot_changes: 'next_boot' } },
    steps: META,
    disruption: NONE,
  },
  {
    name: 'a new template replaces the VM',
    path: 'template',
    effect: 'forces_replace',
    desired: { template: 'Ubuntu 24.04' },
    steps: {
      running: 'clean_shutdown destroy create start',
      paused: 'unpause clean_shutdown destroy create start pause',
      suspended: 'destroy create start suspend',
      halted: 'destroy create',
    },
    disruption: { running: 'replace', paused: 'replace', suspended: 'replace', halted: 'replace' },
  },
  {
    name: 'a new disk is added while halted',
    path: 'disks.data',
    effect: 'requires_halt',
    desired: { disks: [...base.disks, { name: 'data', size: 10 * GiB, sr: 'Local storage', bootable: false }] },
    steps: HALT_STEPS('add_disk'),
    disruption: HALT,
  },
  { name: 'a removed disk is detached while halted', path: 'disks.root', effect: 'requires_halt', desired: { disks: [] }, steps: HALT_STEPS('remove_disk'), disruption: HALT },
  {
    name: 'a new network interface is added while halted',
    path: 'networks.eth1',
    effect: 'requires_halt',
    desired: { networks: [...base.networks, { name: 'eth1', network: 'xenbr1' }] },
    steps: HALT_STEPS('add_network'),
    disruption: HALT,
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    for (const s of states) {
      const out = planOne(s, { ...c.desired, power_state: s }, { vm: c.vm, observedAttrs: c.observed });
      t.same(out.errors, [], `${s}: no errors`);
      const rc = out.plan!.resource_changes[0];
      const change = rc.changes.find((x) => x.path === c.path);
      t.equal(change?.effect, c.effect, `${s}: ${c.path} is ${c.effect}`);
      t.ok(change?.reason, `${s}: the change says why`);
      t.equal(out.plan!.steps.map((x) => x.op).join(' '), c.steps[s], `${s}: steps`);
      t.equal(rc.disruption, c.disruption[s], `${s}: disruption`);
    }
  });
}

t.test('the boot fields of the other mode are not compared', async (t) => {
  const pv = planOne('running', { boot: { ...base.boot, order: 'dc', firmware: 'uefi' } });
  t.same(pv.plan!.steps, [], 'an HVM boot order on a PV VM changes nothing');
  const hvm = { ...base.boot, mode: 'hvm' as const };
  const out = planOne('running', { boot: { ...hvm, args: 'quiet' } }, { observedAttrs: { boot: hvm } });
  t.same(out.plan!.steps, [], 'PV args on an HVM VM change nothing');
});

t.test('memory grows static_max first and shrinks it last', async (t) => {
  const grow = planOne('halted', { power_state: 'halted', memory: { static_min: GiB, static_max: 8 * GiB, dynamic_min: 4 * GiB, dynamic_max: 8 * GiB } });
  const growSet = grow.plan!.steps.find((s) => s.op === 'set')!.args as { changes: { path: string }[] };
  t.same(growSet.changes.map((c) => c.path), ['memory.static_max', 'memory.dynamic_max', 'memory.dynamic_min']);
  const shrink = planOne('halted', { power_state: 'halted', memory: { static_min: GiB / 2, static_max: GiB, dynamic_min: GiB, dynamic_max: GiB } });
  const shrinkSet = shrink.plan!.steps.find((s) => s.op === 'set')!.args as { changes: { path: string }[] };
  t.same(shrinkSet.changes.map((c) => c.path), ['memory.static_min', 'memory.dynamic_min', 'memory.dynamic_max', 'memory.static_max']);
});

t.test('vcpus_max is raised before vcpus and lowered after them', async (t) => {
  const paths = (vcpus: number, vcpus_max: number): string[] => {
    const out = planOne('halted', { power_state: 'halted', vcpus, vcpus_max }, { observedAttrs: { vcpus: 2, vcpus_max: 2 } });
    return (out.plan!.steps[0].args as { changes: { path: string }[] }).changes.map((c) => c.path);
  };
  t.same(paths(4, 4), ['vcpus_max', 'vcpus']);
  t.same(paths(1, 1), ['vcpus', 'vcpus_max']);
});

t.test('a running VM with static memory and PV args changes halts once, sets both, and starts', async (t) => {
  const out = planOne('running', { memory: { ...base.memory, static_max: 4 * GiB }, boot: { ...base.boot, args: 'console=hvc0' }, name: 'web2' });
  t.same(out.plan!.steps.map((s) => `${s.op} ${s.from}->${s.to}`), ['clean_shutdown running->halted', 'set halted->halted', 'start halted->running']);
  t.equal(out.plan!.summary.halt, 1);
  t.equal(out.plan!.summary.reboot, 0);
});

t.test('boot changes set with apply_boot_changes = "next_boot" mark the VM pending a reboot', async (t) => {
  const out = planOne('running', { boot: { ...base.boot, args: 'console=hvc0' } }, {
    vm: { lifecycle: { prevent_destroy: false, ignore_changes: [], max_disruption: 'none', apply_boot_changes: 'next_boot' } },
  });
  t.same(out.errors, []);
  t.equal(out.plan!.resource_changes[0].pending_reboot, true);
  t.match(out.plan!.resource_changes[0].reasons.join('\n'), /next reboot/);
});

t.test('ignore_changes leaves the ignored attribute alone', async (t) => {
  const out = planOne('running', { tags: ['other'], boot: { ...base.boot, args: 'x' } }, {
    vm: { lifecycle: { prevent_destroy: false, ignore_changes: ['tags', 'boot'], max_disruption: 'replace', apply_boot_changes: 'reboot' } },
  });
  t.same(out.plan!.steps, []);
  t.equal(out.plan!.resource_changes[0].action, 'noop');
});

t.test('ignore_changes = all leaves every attribute alone, the power state included', async (t) => {
  const out = planOne('running', { tags: ['other'], vcpus: 4, boot: { ...base.boot, args: 'x' }, power_state: 'halted' }, {
    vm: { lifecycle: { prevent_destroy: false, ignore_changes: ['all'], max_disruption: 'replace', apply_boot_changes: 'reboot' } },
  });
  t.same(out.plan!.steps, []);
  t.equal(out.plan!.resource_changes[0].action, 'noop');
});
