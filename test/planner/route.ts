// The checks a route table makes of a plan of one VM with one change: the change (its effect,
// reason and condition), the steps, the disruption and what the set step carries.
import type { Test } from 'tap';
import type { SetChange } from '../../planner/model/ops.js';
import type { PlanOutcome } from '../../planner/plan/make-plan.js';
import type { AttributeChange, ResourceChange } from '../../planner/plan/types.js';

export interface Route {
  path: string; // the one attribute the plan changes
  effect: string;
  reason?: RegExp; // checked where given
  condition: string | RegExp | undefined; // undefined: none, the route is a fixed rule
  steps: string; // the plan's step ops, space-separated
  disruption: string;
  // The new value, which the change shows and the set step carries (live: into the running
  // domain); absent for a route with no set step.
  set?: { value: unknown; live?: boolean };
}

export function expectRoute(t: Test, out: PlanOutcome, r: Route): { rc: ResourceChange; change: AttributeChange } {
  t.same(out.errors, [], 'no errors');
  const rc = out.plan!.resource_changes[0];
  t.same(rc.changes.map((x) => x.path), [r.path], 'the one change');
  const change = rc.changes[0];
  t.equal(change.effect, r.effect, 'effect');
  if (r.reason) t.match(change.reason, r.reason, 'reason');
  if (r.condition === undefined) t.equal(change.condition, undefined, 'no condition: a fixed rule');
  else if (typeof r.condition === 'string') t.equal(change.condition, r.condition, 'condition');
  else t.match(change.condition, r.condition, 'condition');
  t.equal(out.plan!.steps.map((s) => s.op).join(' '), r.steps, 'steps');
  t.equal(rc.disruption, r.disruption, 'disruption');
  if (r.set) {
    t.same(change.after, r.set.value, 'the change shows the new value');
    const set = out.plan!.steps.find((s) => s.op === 'set')!.args as { changes: SetChange[] };
    t.same(set.changes, [{ path: r.path, value: r.set.value, ...(r.set.live ? { live: true } : {}) }], 'the set step carries the new value');
  }
  return { rc, change };
}
