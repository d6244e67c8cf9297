// boot { once } against every power state the VM can be observed in, and on creation: which
// start carries the one-shot order, the change the plan shows (with its lifetime), the steps
// and the disruption.
import t from 'tap';
import type { BootAttributes, PowerState } from '../../../planner/model/vm.js';
import { makePlan } from '../../../planner/plan/make-plan.js';
import { attributes, config, observed, OPTIONS, resource, state, vmConfig } from '../builders.js';

const HVM: BootAttributes = { ...attributes().boot, mode: 'hvm', bootloader: '', args: '', order: 'c' };

function plan(power: PowerState | null, desired: 'running' | 'halted', boot: BootAttributes = HVM) {
  const vm = vmConfig('vm.web', { boot_once: 'd' }, { boot, power_state: desired });
  const vms = power === null ? [] : [observed('u-1', 'vm.web', { boot: HVM, power_state: power })];
  return makePlan({
    config: config([vm]),
    state: state(power === null ? [] : [resource('vm.web', 'u-1', { boot: HVM, power_state: power })]),
    inventories: { lab: { host: 'lab', toolstack: 'xapi', vms, templates: [], srs: [{ uuid: 'sr-1', name: 'Local storage', type: 'ext' }], networks: [{ uuid: 'n-1', name: 'xenbr0', bridge: 'xenbr0' }] } },
    options: OPTIONS,
  });
}

const CASES: { name: string; power: PowerState | null; desired: 'running' | 'halted'; steps: string; once: boolean; disruption: string }[] = [
  { name: 'a VM created running boots from CD at its first start', power: null, desired: 'running', steps: 'create start', once: true, disruption: 'none' },
  { name: 'a VM created halted is not started, so nothing boots from CD yet', power: null, desired: 'halted', steps: 'create', once: false, disruption: 'none' },
  { name: 'a halted VM started by the plan boots from CD at that start', power: 'halted', desired: 'running', steps: 'start', once: true, disruption: 'none' },
  { name: 'a halted VM that stays halted plans nothing', power: 'halted', desired: 'halted', steps: '', once: false, disruption: 'none' },
  { name: 'a running VM is never restarted for a one-shot boot', power: 'running', desired: 'running', steps: '', once: false, disruption: 'none' },
  { name: 'a paused VM is unpaused, not started: no one-shot', power: 'paused', desired: 'running', steps: 'unpause', once: false, disruption: 'none' },
  { name: 'a suspended VM is resumed, not started: no one-shot', power: 'suspended', desired: 'running', steps: 'resume', once: false, disruption: 'none' },
];

for (const c of CASES) {
  t.test(c.name, async (t) => {
    const out = plan(c.power, c.desired);
    t.same(out.errors, []);
    const p = out.plan!;
    t.equal(p.steps.map((s) => s.op).join(' '), c.steps, 'steps');
    const start = p.steps.find((s) => s.op === 'start');
    const rc = p.resource_changes[0];
    const change = rc.changes.find((x) => x.path === 'boot.once');
    t.equal(rc.disruption, c.disruption, 'disruption');
    if (c.once) {
      t.same(start?.args, { boot_once: { order: 'd', restore: 'c' } }, 'the start carries the one-shot order and the order restored after it');
      t.match(change, { before: 'c', after: 'd', effect: 'live', lifetime: 'once, at the next start', reason: /boots from CD at this start .* the permanent order "c" is restored right after it/ });
      t.equal(change?.condition, undefined, 'no condition: the rule does not depend on the guest');
    } else {
      t.equal(change, undefined, 'no one-shot change');
      if (start) t.same(start.args, {}, 'a plain start');
    }
  });
}

t.test('a start in a halt route of a running VM keeps the permanent order', async (t) => {
  const vm = vmConfig('vm.web', { boot_once: 'n' }, { boot: HVM, memory: { ...attributes().memory, static_max: 3 * 1024 ** 3, dynamic_max: 3 * 1024 ** 3, dynamic_min: 3 * 1024 ** 3 } });
  const out = makePlan({
    config: config([vm]),
    state: state([resource('vm.web', 'u-1', { boot: HVM })]),
    inventories: { lab: { host: 'lab', toolstack: 'xapi', vms: [observed('u-1', 'vm.web', { boot: HVM })], templates: [], srs: [], networks: [] } },
    options: OPTIONS,
  });
  const p = out.plan!;
  t.equal(p.steps.map((s) => s.op).join(' '), 'clean_shutdown set start');
  t.same(p.steps.find((s) => s.op === 'start')!.args, {});
  t.notOk(p.resource_changes[0].changes.some((c) => c.path === 'boot.once'));
  t.equal(p.resource_changes[0].disruption, 'halt');
});
