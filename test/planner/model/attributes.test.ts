import t from 'tap';
import type { PowerState } from '../../../planner/model/vm.js';
import {
  ATTRIBUTES,
  attributeFormat,
  attributeLabel,
  attributeOf,
  BOOT_FIELDS,
  bootFieldsChanged,
  chainMembers,
  findAttribute,
  IGNORABLE,
  isIgnored,
} from '../../../planner/model/attributes.js';

const STATES: PowerState[] = ['halted', 'running', 'paused', 'suspended', 'crashed'];
// Settable states as letters: h(alted) r(unning) p(aused) s(uspended) c(rashed).
const LETTER: Record<PowerState, string> = { halted: 'h', running: 'r', paused: 'p', suspended: 's', crashed: 'c' };

// What a user can rely on for each attribute path: its effect, the power states in which a
// `set` of it is accepted, the rank of its `set` assignment, whether ignore_changes may name it.
const EXPECTED: [path: string, effect: string, settable: string, rank: number | null, ignorable: boolean][] = [
  ['name', 'live', 'hrpsc', 1, true],
  ['description', 'live', 'hrpsc', 1, true],
  ['template', 'forces_replace', '', null, true],
  ['host', 'forces_replace', '', null, false],
  ['power_state', 'live', '', null, true],
  ['memory.static_min', 'requires_halt', 'h', 2, true],
  ['memory.dynamic_min', 'live', 'hr', 2, true],
  ['memory.dynamic_max', 'live', 'hr', 2, true],
  ['memory.static_max', 'requires_halt', 'h', 2, true],
  ['vcpus', 'next_boot', 'hrpsc', 2, true],
  ['vcpus_max', 'requires_halt', 'h', 2, true],
  ['boot.mode', 'requires_halt', 'h', 3, true],
  ['boot.bootloader', 'next_boot', 'hrpsc', 4, true],
  ['boot.kernel', 'next_boot', 'hrpsc', 4, true],
  ['boot.ramdisk', 'next_boot', 'hrpsc', 4, true],
  ['boot.args', 'next_boot', 'hrpsc', 4, true],
  ['boot.bootloader_args', 'next_boot', 'hrpsc', 4, true],
  ['boot.order', 'next_boot', 'hrpsc', 4, true],
  ['boot.firmware', 'requires_halt', 'h', 3, true],
  ['boot.secure_boot', 'next_boot', 'hrpsc', 4, true],
  ['disks', 'requires_halt', 'h', null, true],
  ['disks.LABEL', 'requires_halt', 'h', null, false],
  ['networks', 'requires_halt', 'h', null, true],
  ['networks.LABEL', 'requires_halt', 'h', null, false],
  ['vtpm', 'requires_halt', 'h', 3, true],
  ['cdrom', 'live', 'hr', 1, true],
  ['tags', 'live', 'hrpsc', 1, true],
  ['other_config', 'live', 'hrpsc', 1, true],
  ['other_config.KEY', 'live', 'hrpsc', 1, true],
  ['affinity', 'live', 'hrpsc', 1, false],
];

t.test('the catalog lists exactly the attribute paths of the table, in its order', async (t) => {
  t.same(ATTRIBUTES.map((a) => a.path), EXPECTED.map(([p]) => p));
});

for (const [path, effect, settable, rank, ignorable] of EXPECTED) {
  t.test(`a change of ${path} is ${effect}`, async (t) => {
    const a = attributeOf(path);
    t.equal(a.effect, effect);
    t.ok(a.reason.length > 0, 'the entry says why');
    t.equal(a.setRank, rank, rank === null ? 'a set step never assigns it' : `a set step assigns it at rank ${rank}`);
    t.equal(a.ignorable, ignorable, ignorable ? 'ignore_changes may name it' : 'ignore_changes may not name it');
  });
  for (const s of STATES) {
    const may = settable.includes(LETTER[s]);
    t.test(`${path} ${may ? 'may' : 'may not'} be set while the VM is ${s}`, async (t) => {
      t.equal(attributeOf(path).settableIn.includes(s), may);
    });
  }
}

const members: [name: string, path: string, family: string][] = [
  ['an other-config key is described by other_config.KEY', 'other_config.owner', 'other_config.KEY'],
  ['a disk label is described by disks.LABEL', 'disks.root', 'disks.LABEL'],
  ['a network label is described by networks.LABEL', 'networks.eth0', 'networks.LABEL'],
  ['a boot field is described by itself, not by a family', 'boot.args', 'boot.args'],
];
for (const [name, path, family] of members) {
  t.test(name, async (t) => {
    t.equal(attributeOf(path).path, family);
  });
}

t.test('an unknown path has no entry, and asking for its rule is an error', async (t) => {
  t.equal(findAttribute('boot.colour'), undefined);
  t.equal(findAttribute('colour'), undefined);
  t.throws(() => attributeOf('memory.huge'), /no catalog entry for attribute memory\.huge/);
});

t.test('a disk present on both sides with other settings is changed in place, never replaced', async (t) => {
  t.equal(attributeOf('disks.data').whenChanged?.effect, 'requires_halt');
  t.same(attributeOf('disks.data').whenChanged?.settableIn, ['halted']);
});

t.test('devices are added and removed by their own steps', async (t) => {
  t.equal(attributeOf('disks.root').device, 'disk');
  t.equal(attributeOf('networks.eth0').device, 'network');
  t.equal(attributeOf('memory.static_max').device, undefined);
});

const labels: [path: string, label: string][] = [
  ['power_state', 'power state'],
  ['vcpus', 'vCPUs'],
  ['vcpus_max', 'maximum vCPUs'],
  ['memory.static_max', 'memory.static_max'],
  ['other_config.owner', 'other_config.owner'],
  ['not.in.catalog', 'not.in.catalog'],
];
for (const [path, label] of labels) {
  t.test(`${path} reads as "${label}" in messages`, async (t) => {
    t.equal(attributeLabel(path), label);
  });
}

const formats: [path: string, format: string][] = [
  ['memory.static_min', 'bytes'],
  ['memory.dynamic_max', 'bytes'],
  ['boot.args', 'words'],
  ['boot.kernel', 'plain'],
  ['vcpus', 'plain'],
  ['', 'plain'],
];
for (const [path, format] of formats) {
  t.test(`${path || 'an empty path'} is shown as ${format}`, async (t) => {
    t.equal(attributeFormat(path), format);
  });
}

t.test('ignore_changes may name these paths, and only their listed sub-paths', async (t) => {
  t.same([...IGNORABLE], [
    ['name', null],
    ['description', null],
    ['template', null],
    ['power_state', null],
    ['memory', ['static_min', 'dynamic_min', 'dynamic_max', 'static_max']],
    ['vcpus', null],
    ['vcpus_max', null],
    ['boot', ['mode', 'bootloader', 'kernel', 'ramdisk', 'args', 'bootloader_args', 'order', 'firmware', 'secure_boot']],
    ['disks', null],
    ['networks', null],
    ['vtpm', null],
    ['cdrom', null],
    ['tags', null],
    ['other_config', 'any'],
  ]);
});

const ignored: [name: string, path: string, ignore: string[], expected: boolean][] = [
  ['a whole block ignores its fields', 'boot.args', ['boot'], true],
  ['a field ignores only itself', 'boot.kernel', ['boot.args'], false],
  ['an other-config key ignores only that key', 'other_config.team', ['other_config.owner'], false],
  ['other_config ignores every key', 'other_config.team', ['other_config'], true],
  ['a name prefix is not a path prefix', 'vcpus_max', ['vcpus'], false],
  ['all ignores a field of a block', 'boot.args', ['all'], true],
  ['all ignores a disk', 'disks.data', ['all'], true],
  ['all ignores the power state', 'power_state', ['all'], true],
  ['all never ignores a move to another host block', 'host', ['all'], false],
  ['all never ignores the pool member a VM prefers', 'affinity', ['all'], false],
];
for (const [name, path, ignore, expected] of ignored) {
  t.test(name, async (t) => {
    t.equal(isIgnored(path, ignore), expected);
  });
}

t.test('each boot mode compares only its own fields', async (t) => {
  t.same(BOOT_FIELDS.pv, ['bootloader', 'kernel', 'ramdisk', 'args', 'bootloader_args']);
  t.same(BOOT_FIELDS.hvm, ['order', 'firmware', 'secure_boot']);
  const pv = { mode: 'pv' as const, bootloader: 'pygrub', kernel: '', ramdisk: '', args: '', bootloader_args: '', order: '', firmware: 'bios' as const };
  t.same(bootFieldsChanged(pv, { ...pv, order: 'dc', args: 'quiet' }), ['args'], 'an HVM field on a PV VM is not a change');
  t.same(bootFieldsChanged(pv, { ...pv, mode: 'hvm', kernel: 'k' }), ['mode', 'kernel'], 'a mode change comes first');
});

t.test('the chains list their members in invariant order', async (t) => {
  t.same(chainMembers('memory'), ['memory.static_min', 'memory.dynamic_min', 'memory.dynamic_max', 'memory.static_max']);
  t.same(chainMembers('vcpus'), ['vcpus', 'vcpus_max']);
});
