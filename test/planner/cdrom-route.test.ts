import t from 'tap';
import type { CdromAttributes, PowerState } from '../../planner/model/vm.js';
import type { SetChange } from '../../planner/model/ops.js';
import { planOne } from './builders.js';

interface Case {
  name: string;
  power: PowerState;
  before: CdromAttributes | undefined; // undefined: the VM has no CD drive
  after: CdromAttributes;
  steps: string;
  effect: string;
  reason: RegExp;
  condition: RegExp | undefined;
  disruption: string;
}

const ISO = { iso: 'debian-12.iso' };
const OTHER = { iso: 'alpine.iso' };
const EMPTY = { iso: null };

const cases: Case[] = [
  { name: 'an ISO is inserted into the empty drive of a running VM in place', power: 'running', before: EMPTY, after: ISO, steps: 'set', effect: 'live', reason: /inserted into the CD drive in place/, condition: undefined, disruption: 'none' },
  { name: 'the ISO is ejected from a running VM in place', power: 'running', before: ISO, after: EMPTY, steps: 'set', effect: 'live', reason: /emptied in place/, condition: undefined, disruption: 'none' },
  { name: 'one ISO is swapped for another in a running VM in place', power: 'running', before: ISO, after: OTHER, steps: 'set', effect: 'live', reason: /swapped in place/, condition: undefined, disruption: 'none' },
  { name: 'an ISO is inserted into a halted VM', power: 'halted', before: EMPTY, after: ISO, steps: 'set', effect: 'live', reason: /inserted/, condition: undefined, disruption: 'none' },
  {
    name: 'a paused VM is unpaused for the insert and paused again',
    power: 'paused', before: EMPTY, after: ISO, steps: 'unpause set pause', effect: 'live', reason: /inserted/, condition: undefined, disruption: 'none',
  },
  {
    name: 'a suspended VM is resumed for the insert and suspended again, and the plan says why',
    power: 'suspended', before: EMPTY, after: ISO, steps: 'resume set suspend', effect: 'live', reason: /inserted/, condition: /the VM is suspended/, disruption: 'none',
  },
  { name: 'a halted VM without a drive gets one in place', power: 'halted', before: undefined, after: ISO, steps: 'set', effect: 'live', reason: /a CD drive is created .* and the ISO inserted while the VM is halted/, condition: undefined, disruption: 'none' },
  {
    name: 'a running VM without a drive is halted for one to be created',
    power: 'running', before: undefined, after: EMPTY, steps: 'clean_shutdown set start', effect: 'requires_halt',
    reason: /a CD drive is created \(vbd-create type=CD\) while the VM is halted/, condition: /the VM has no CD drive, and XAPI does not hot-plug one into a running guest/, disruption: 'halt',
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const out = planOne(c.power, { power_state: c.power as 'running', cdrom: c.after }, { observedAttrs: c.before ? { cdrom: c.before } : {} });
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

t.test('a configuration without a cdrom block leaves the drive alone', async (t) => {
  const out = planOne('running', {}, { observedAttrs: { cdrom: ISO } });
  t.same(out.plan!.steps, []);
});

t.test('a drive already holding the configured ISO plans nothing', async (t) => {
  const out = planOne('running', { cdrom: ISO }, { observedAttrs: { cdrom: ISO } });
  t.same(out.plan!.steps, []);
});
