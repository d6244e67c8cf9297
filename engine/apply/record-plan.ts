// What an apply records from the plan itself, whether or not the VM had steps: which attributes
// derive from sensitive values (so `state show` masks them), and the restart triggers and
// shutdown policies a plan records without a step (a first value, a dropped one, a halted VM's;
// a VM with steps records them with its last step instead).
import type { State, StateResource } from '../../planner/model/state.js';
import type { Plan } from '../../planner/plan/types.js';
import type { ShutdownPolicy } from '../../planner/model/vm.js';

export function recordPlanFacts(state: State, plan: Plan, stepped: ReadonlySet<string>): State {
  const changes = new Map(plan.resource_changes.map((rc) => [rc.address, rc]));
  return {
    ...state,
    resources: state.resources.map((r) => {
      const rc = changes.get(r.address);
      if (!rc || (rc.uuid !== null && rc.uuid !== r.uuid && !stepped.has(r.address))) return r;
      const { sensitive_paths: _old, ...rest } = r;
      const next: StateResource = rc.sensitive_paths?.length ? { ...rest, sensitive_paths: rc.sensitive_paths } : rest;
      const trigger = rc.changes.find((c) => c.path === 'restart_trigger');
      if (trigger && !stepped.has(r.address)) next.restart_trigger = trigger.after as string | null;
      const policy = rc.changes.find((c) => c.path === 'shutdown');
      if (policy && !stepped.has(r.address)) next.shutdown = policy.after as ShutdownPolicy;
      return next;
    }),
  };
}
