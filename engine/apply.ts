// Runs a plan's step graph against the hosts and records the result in the state.
import type { Plan } from '../planner/plan/types.js';
import type { EventSink } from './events.js';

export interface ApplyRequest {
  dir: string;
  parallelism: number; // overall, default 10
  savedPlan: boolean; // a plan from a file: refused as a whole when the state's lineage or serial moved
  lockTimeoutMs?: number;
  signal?: AbortSignal; // first abort: finish steps in flight and stop; see interrupt()
}

export interface ApplyResult {
  ok: boolean;
  succeeded: string[]; // step ids
  failed: { step: string; error: string }[];
  skipped: { step: string; reason: string }[];
  refused: { address: string; reason: string }[];
  errors: string[];
}

export async function runApply(plan: Plan, req: ApplyRequest, events: EventSink): Promise<ApplyResult> {
  throw new Error(`runApply(${plan.steps.length} steps, ${req.dir}, ${typeof events}): not implemented yet`);
}
