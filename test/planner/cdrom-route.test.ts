import t from 'tap';
import type { BootAttributes, CdromAttributes, PowerState, Toolstack } from '../../planner/model/vm.js';
import { planOne } from './builders.js';
import { expectRoute, type Route } from './route.js';

interface Case extends Omit<Route, 'path' | 'set'> {
  name: string;
  toolstack: Toolstack;
  power: PowerState;
  before: CdromAttributes | undefined; // undefined: the VM (on xl, its guest file) has no CD drive
  after: CdromAttributes;
  reason: RegExp;
}

const ISO = { iso: 'debian-12.iso' };
const OTHER = { iso: 'alpine.iso' };
const XL_ISO = { iso: '/var/lib/xen/iso/debian-12.iso' };
const EMPTY = { iso: null };

const cases: Case[] = [
  { name: 'an ISO is inserted into the empty drive of a running VM in place', toolstack: 'xapi', power: 'running', before: EMPTY, after: ISO, steps: 'set', effect: 'live', reason: /inserted into the CD drive in place/, condition: undefined, disruption: 'none' },
  { name: 'the ISO is ejected from a running VM in place', toolstack: 'xapi', power: 'running', before: ISO, after: EMPTY, steps: 'set', effect: 'live', reason: /emptied in place/, condition: undefined, disruption: 'none' },
  { name: 'one ISO is swapped for another in a running VM in place', toolstack: 'xapi', power: 'running', before: ISO, after: OTHER, steps: 'set', effect: 'live', reason: /swapped in place/, condition: undefined, disruption: 'none' },
  { name: 'an ISO is inserted into a halted VM', toolstack: 'xapi', power: 'halted', before: EMPTY, after: ISO, steps: 'set', effect: 'live', reason: /inserted/, condition: undefined, disruption: 'none' },
  {
    name: 'a paused VM is unpaused for the insert and paused again',
    toolstack: 'xapi', power: 'paused', before: EMPTY, after: ISO, steps: 'unpause set pause', effect: 'live', reason: /inserted/, condition: undefined, disruption: 'none',
  },
  {
    name: 'a suspended VM is resumed for the insert and suspended again, and the plan says why',
    toolstack: 'xapi', power: 'suspended', before: EMPTY, after: ISO, steps: 'resume set suspend', effect: 'live', reason: /inserted/, condition: /the VM is suspended/, disruption: 'none',
  },
  { name: 'a halted VM without a drive gets one in place', toolstack: 'xapi', power: 'halted', before: undefined, after: ISO, steps: 'set', effect: 'live', reason: /a CD drive is created .* and the ISO inserted while the VM is halted/, condition: undefined, disruption: 'none' },
  {
    name: 'a running VM without a drive is halted for one to be created',
    toolstack: 'xapi', power: 'running', before: undefined, after: EMPTY, steps: 'clean_shutdown set start', effect: 'requires_halt',
    reason: /a CD drive is created \(vbd-create type=CD\) while the VM is halted/, condition: /the VM has no CD drive, and XAPI does not hot-plug one into a running guest/, disruption: 'halt',
  },
  { name: 'an ISO is inserted into the drive of a running xl guest with xl cd-insert', toolstack: 'xl', power: 'running', before: EMPTY, after: XL_ISO, steps: 'set', effect: 'live', reason: /inserted into the CD drive in place \(xl cd-insert\), and the guest file says the same/, condition: undefined, disruption: 'none' },
  { name: 'the ISO is ejected from a running xl guest with xl cd-eject', toolstack: 'xl', power: 'running', before: XL_ISO, after: EMPTY, steps: 'set', effect: 'live', reason: /emptied in place \(xl cd-eject\)/, condition: undefined, disruption: 'none' },
  { name: 'a halted xl guest gets the new media in its guest file', toolstack: 'xl', power: 'halted', before: EMPTY, after: XL_ISO, steps: 'set', effect: 'live', reason: /the guest file names the new media/, condition: undefined, disruption: 'none' },
  { name: 'a paused xl guest is unpaused for the insert and paused again', toolstack: 'xl', power: 'paused', before: EMPTY, after: XL_ISO, steps: 'unpause set pause', effect: 'live', reason: /xl cd-insert/, condition: undefined, disruption: 'none' },
  { name: 'a suspended xl guest is resumed for the insert, and the plan says why', toolstack: 'xl', power: 'suspended', before: EMPTY, after: XL_ISO, steps: 'resume set suspend', effect: 'live', reason: /xl cd-insert/, condition: /the VM is suspended/, disruption: 'none' },
  { name: 'a halted xl guest without a drive gets one in its guest file', toolstack: 'xl', power: 'halted', before: undefined, after: XL_ISO, steps: 'set', effect: 'live', reason: /a CD drive is added to the guest file with the ISO in it while the VM is halted/, condition: undefined, disruption: 'none' },
  {
    name: 'a running xl guest without a drive is halted for one to be added',
    toolstack: 'xl', power: 'running', before: undefined, after: EMPTY, steps: 'clean_shutdown set start', effect: 'requires_halt',
    reason: /a CD drive is added to the guest file while the VM is halted/, condition: /the VM has no CD drive, and xl cannot add an emulated drive to a running domain/, disruption: 'halt',
  },
];

// xl has CD drives for HVM guests only (planner/config/cdrom.ts), so an xl case's VM is HVM.
const HVM: BootAttributes = { mode: 'hvm', bootloader: '', kernel: '', ramdisk: '', args: '', bootloader_args: '', order: 'cd', firmware: 'bios' };

for (const c of cases) {
  t.test(c.name, async (t) => {
    const boot = c.toolstack === 'xl' ? { boot: HVM } : {};
    const out = planOne(c.power, { power_state: c.power as 'running', ...boot, cdrom: c.after }, {
      toolstack: c.toolstack,
      observedAttrs: { ...boot, ...(c.before ? { cdrom: c.before } : {}) },
    });
    expectRoute(t, out, { ...c, path: 'cdrom', set: { value: c.after } });
  });
}

t.test('a configuration without a cdrom block leaves the drive alone', async (t) => {
  const out = planOne('running', {}, { observedAttrs: { cdrom: ISO } });
  t.same(out.plan!.steps, []);
});

t.test('a drive already holding the configured ISO plans nothing', async (t) => {
  const out = planOne('running', { cdrom: ISO }, { observedAttrs: { cdrom: ISO } });
  t.same(out.plan!.steps, []);
});
