import t from 'tap';
import { makePlan } from '../../planner/plan/make-plan.js';
import type { State } from '../../planner/model/state.js';
import { config, inventory, LINEAGE, OPTIONS } from './builders.js';
import { applyPlan, ModelHost } from './model-host.js';
import { randomScenario, rng } from './random.js';

const SEED = Number(process.env.PLANNER_SEED ?? 20261125);
const CASES = 400;

t.test(`random configurations and hosts (seed ${SEED}): every step is legal in order, and a second plan has no changes`, async (t) => {
  const r = rng(SEED);
  let steps = 0;
  const failures: string[] = [];
  const fail = (m: string): void => void failures.push(m);
  for (let i = 0; i < CASES; i++) {
    const sc = randomScenario(r, i);
    const st: State = { version: 1, lineage: LINEAGE, serial: 1, xenform_version: '0.1.0', resources: sc.resources, outputs: {} };
    const first = makePlan({ config: config(sc.vms, sc.toolstack), state: st, inventories: inventory(sc.observed, sc.toolstack), options: OPTIONS });
    if (!first.plan) {
      fail(`case ${i}: refused: ${first.errors.map((d) => d.detail).join('; ')}`);
      continue;
    }
    const ids = first.plan.steps.map((s) => s.id);
    if (ids.some((id, k) => id !== `s${k + 1}`)) fail(`case ${i}: ids do not run s1..sN: ${ids.join(' ')}`);
    const seen = new Set<string>();
    for (const s of first.plan.steps) {
      if (!s.depends_on.every((d) => seen.has(d))) fail(`case ${i}: ${s.id} depends on a later step`);
      seen.add(s.id);
    }
    const host = new ModelHost('lab', sc.toolstack, sc.observed);
    let after: State;
    try {
      after = applyPlan(first.plan, new Map([['lab', host]]), st, LINEAGE, new Map(sc.vms.map((v) => [v.address, v.restart_trigger])));
    } catch (e) {
      fail(`case ${i}: ${(e as Error).message}\n${JSON.stringify(first.plan.steps.map((s) => [s.address, s.op, s.from, s.to]))}`);
      continue;
    }
    steps += first.plan.steps.length;
    for (const vm of sc.vms) {
      const rec = after.resources.find((x) => x.address === vm.address);
      if (rec?.attributes.power_state !== vm.attributes.power_state) fail(`case ${i}: ${vm.address} ends ${rec?.attributes.power_state}, wanted ${vm.attributes.power_state}`);
    }
    const second = makePlan({ config: config(sc.vms, sc.toolstack), state: after, inventories: { lab: host.inventory() }, options: OPTIONS });
    const changes = second.plan?.resource_changes.filter((c) => c.action !== 'noop') ?? [];
    if (second.plan?.steps.length !== 0 || changes.length > 0) {
      fail(`case ${i}: the second plan is not empty: ${JSON.stringify(second.plan?.steps.map((s) => [s.address, s.op]) ?? second.errors)} ${JSON.stringify(changes.map((c) => [c.address, c.action, c.changes]))}`);
    }
    if (second.plan!.drift.some((d) => d.kind !== 'pending_reboot')) fail(`case ${i}: drift after apply: ${JSON.stringify(second.plan!.drift)}`);
  }
  t.same(failures, [], 'no illegal step, unreached state or leftover change');
  t.ok(steps > CASES, `${steps} steps checked`);
});
