// Values known only after apply, as the published plan JSON shows them: as Terraform's plan JSON
// does, `after` holds null where a value is not known yet and `after_unknown` mirrors `after`
// with true there. The saved plan keeps the planner's marker instead: apply fills it in.
import { containsUnknown, isUnknown } from '../config/types.js';
import type { Step } from '../model/ops.js';
import type { AttributeChange, Plan, ResourceChange } from './types.js';

// The value with its unknown parts null, and where they were (undefined when none were).
export function splitUnknown(v: unknown): { known: unknown; unknown: unknown } {
  if (isUnknown(v)) return { known: null, unknown: true };
  if (Array.isArray(v)) {
    const parts = v.map(splitUnknown);
    const any = parts.some((p) => p.unknown !== undefined);
    return { known: parts.map((p) => p.known), unknown: any ? parts.map((p) => p.unknown ?? false) : undefined };
  }
  if (v !== null && typeof v === 'object') {
    const known: Record<string, unknown> = {};
    const unknown: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const p = splitUnknown(x);
      known[k] = p.known;
      if (p.unknown !== undefined) unknown[k] = p.unknown;
    }
    return { known, unknown: Object.keys(unknown).length > 0 ? unknown : undefined };
  }
  return { known: v, unknown: undefined };
}

// The paths ("attributes.description", "changes[0].value") of the unknown parts of a value.
export function unknownPaths(v: unknown, prefix = ''): string[] {
  if (isUnknown(v)) return [prefix];
  if (Array.isArray(v)) return v.flatMap((x, i) => unknownPaths(x, `${prefix}[${i}]`));
  if (v !== null && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => unknownPaths(x, prefix ? `${prefix}.${k}` : k));
  return [];
}

function publishResource(rc: ResourceChange): ResourceChange {
  if (!containsUnknown(rc.after) && !rc.changes.some((c) => isUnknown(c.after))) return rc;
  const after = splitUnknown(rc.after);
  return {
    ...rc,
    after: after.known as ResourceChange['after'],
    after_unknown: (after.unknown ?? {}) as Record<string, unknown>,
    changes: rc.changes.map((c): AttributeChange => (containsUnknown(c.after) ? { ...c, after: splitUnknown(c.after).known, after_unknown: true } : c)),
  };
}

function publishStep(s: Step): Step {
  if (!containsUnknown(s.args)) return s;
  return { ...s, args: splitUnknown(s.args).known, args_unknown: unknownPaths(s.args) } as Step;
}

export function publishUnknowns(plan: Plan): Plan {
  return { ...plan, resource_changes: plan.resource_changes.map(publishResource), steps: plan.steps.map(publishStep) };
}
