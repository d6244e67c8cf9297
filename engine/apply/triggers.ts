// Restart triggers a plan records without a step (a first value, a dropped one, a halted VM's):
// a VM with steps records its trigger with its last step instead.
import type { State } from '../../planner/model/state.js';
import type { Plan } from '../../planner/plan/types.js';

export function recordTriggers(state: State, plan: Plan, stepped: ReadonlySet<string>): State {
  const triggers = new Map<string, { uuid: string | null; value: string | null }>();
  for (const rc of plan.resource_changes) {
    const c = rc.changes.find((x) => x.path === 'restart_trigger');
    if (c && !stepped.has(rc.address)) triggers.set(rc.address, { uuid: rc.uuid, value: c.after as string | null });
  }
  if (triggers.size === 0) return state;
  return {
    ...state,
    resources: state.resources.map((r) => {
      const t = triggers.get(r.address);
      return t && t.uuid === r.uuid ? { ...r, restart_trigger: t.value } : r;
    }),
  };
}
