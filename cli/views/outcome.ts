// After an apply that did not complete: per VM, where it is now and what is left to do, from the
// plan and what the apply reports. Pure: the command prints it.
import type { Step } from '../../planner/model/ops.js';
import type { Plan } from '../../planner/plan/types.js';
import { describeStep } from './describe.js';

export interface ApplyOutcome {
  succeeded: string[]; // step ids
  failed: { step: string; error: string }[];
  refused: { address: string; reason: string }[];
  restored?: { address: string; to: string; ok: boolean; error?: string }[];
}

// "vm.web: start failed: the host refused" — a failed step by its VM and op, never its id.
export function failedLine(plan: Plan, f: { step: string; error: string }): string {
  const s = plan.steps.find((x) => x.id === f.step);
  return s ? `${s.address}: ${s.op.replace(/_/g, ' ')} failed: ${f.error}` : `a step failed: ${f.error}`;
}

export function whereVmsAre(plan: Plan, outcome: ApplyOutcome): string[] {
  const done = new Set(outcome.succeeded);
  const byVm = new Map<string, Step[]>();
  for (const s of plan.steps) byVm.set(s.address, [...(byVm.get(s.address) ?? []), s]);
  const lines: string[] = [];
  for (const [address, steps] of byVm) {
    const left = steps.filter((s) => !done.has(s.id));
    if (left.length === 0) continue;
    const rc = plan.resource_changes.find((c) => c.address === address);
    const ran = steps.filter((s) => done.has(s.id));
    const last = ran[ran.length - 1];
    const restored = outcome.restored?.find((r) => r.address === address && r.ok);
    let now: string;
    if (restored) now = `${restored.to} (brought back)`;
    else if (last?.op === 'destroy') now = 'destroyed';
    else if (last?.to) now = last.to;
    else if (rc?.before && !(rc.action === 'replace' && ran.some((s) => s.op === 'destroy'))) now = `${rc.before.power_state}${ran.length ? '' : ', untouched'}`;
    else now = 'not created';
    const refused = outcome.refused.find((r) => r.address === address);
    const why = refused ? ' (refused)' : '';
    lines.push(`  ${address}: ${now}${why}; left to do: ${left.map((s) => describeStep(s)).join(', ')}`);
  }
  return lines;
}
