import t from 'tap';
import type { CdromAttributes, PowerState } from '../../planner/model/vm.js';
import type { SetChange } from '../../planner/model/ops.js';
import { planOne } from './builders.js';

interface Case {
  name: string;
  power: PowerState;
  before: CdromAttributes | undefined; // undefined: the guest file has no CD drive
  after: CdromAttributes;
  steps: string;
  effect: string;
  reason: RegExp;
  condition: RegExp | undefined;
  disruption: string;
}

const ISO = { iso: '/var/lib/xen/iso/debian-12.iso' };
const EMPTY = { iso: null };

const cases: Case[] = [
  { name: 'an ISO is inserted into the drive of a running xl guest with xl cd-insert', power: 'running', before: EMPTY, after: ISO, steps: 'set', effect: 'live', reason: /inserted into the CD drive in place \(xl cd-insert\), and the guest file says the same/, condition: undefined, disruption: 'none' },
  { name: 'the ISO is ejected from a running xl guest with xl cd-eject', power: 'running', before: ISO, after: EMPTY, steps: 'set', effect: 'live', reason: /emptied in place \(xl cd-eject\)/, condition: undefined, disruption: 'none' },
  { name: 'a halted xl guest gets the new media in its guest file', power: 'halted', before: EMPTY, after: ISO, steps: 'set', effect: 'live', reason: /the guest file names the new media/, condition: undefined, disruption: 'none' },
  { name: 'a paused xl guest is unpaused for the insert and paused again', power: 'paused', before: EMPTY, after: ISO, steps: 'unpause set pause', effect: 'live', reason: /xl cd-insert/, condition: undefined, disruption: 'none' },
  { name: 'a suspended xl guest is resumed for the insert, and the plan says why', power: 'suspended', before: EMPTY, after: ISO, steps: 'resume set suspend', effect: 'live', reason: /xl cd-insert/, condition: /the VM is suspended/, disruption: 'none' },
  { name: 'a halted xl guest without a drive gets one in its guest file', power: 'halted', before: undefined, after: ISO, steps: 'set', effect: 'live', reason: /a CD drive is added to the guest file with the ISO in it while the VM is halted/, condition: undefined, disruption: 'none' },
  {
    name: 'a running xl guest without a drive is halted for one to be added',
    power: 'running', before: undefined, after: EMPTY, steps: 'clean_shutdown set start', effect: 'requires_halt',
    reason: /a CD drive is added to the guest file while the VM is halted/, condition: /the VM has no CD drive, and xl cannot add an emulated drive to a running domain/, disruption: 'halt',
  },
];

const hvm = { mode: 'hvm' as const, bootloader: '', kernel: '', ramdisk: '', args: '', bootloader_args: '', order: 'cd', firmware: 'bios' as const };

for (const c of cases) {
  t.test(c.name, async (t) => {
    const out = planOne(c.power, { power_state: c.power as 'running', boot: hvm, cdrom: c.after }, { toolstack: 'xl', observedAttrs: { boot: hvm, ...(c.before ? { cdrom: c.before } : {}) } });
    t.same(out.errors, []);
    const rc = out.plan!.resource_changes[0];
    const change = rc.changes.find((x) => x.path === 'cdrom')!;
    t.equal(change.effect, c.effect, 'effect');
    t.match(change.reason, c.reason, 'reason');
    if (c.condition) t.match(change.condition, c.condition, 'condition');
    else t.equal(change.condition, undefined, 'no condition');
    t.equal(out.plan!.steps.map((s) => s.op).join(' '), c.steps, 'steps');
    t.equal(rc.disruption, c.disruption, 'disruption');
    const set = out.plan!.steps.find((s) => s.op === 'set')!.args as { changes: SetChange[] };
    t.same(set.changes, [{ path: 'cdrom', value: c.after }]);
  });
}
