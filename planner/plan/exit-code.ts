// `--detailed-exitcode`: 0 no changes, 2 changes, 3 changes with disruption above none.
import type { Plan } from './types.js';
import { changedOutside } from '../diff/drift.js';

export function hasChanges(plan: Plan): boolean {
  if (plan.options.refresh_only) return changedOutside(plan.drift).length > 0;
  return plan.steps.length > 0 || plan.resource_changes.some((c) => (c.action !== 'noop' && c.action !== 'read') || c.previous_address !== undefined || c.importing !== undefined) || (plan.output_changes ?? []).length > 0;
}

export function detailedExitCode(plan: Plan): 0 | 2 | 3 {
  if (!hasChanges(plan)) return 0;
  return plan.resource_changes.some((c) => c.disruption !== 'none') ? 3 : 2;
}
