// Loads the configuration and state, refreshes every host in parallel, and makes the plan.
import type { Diagnostic } from '../planner/hcl/ast.js';
import type { Config } from '../planner/config/types.js';
import type { Disruption } from '../planner/model.js';
import type { Plan } from '../planner/plan/types.js';
import type { EventSink } from './events.js';

export interface PlanRequest {
  dir: string;
  vars: Record<string, string>;
  varFiles: string[];
  destroy: boolean;
  refreshOnly: boolean;
  refresh: boolean; // false: plan against the state without reading the hosts
  targets: string[];
  replace: string[];
  maxDisruption?: Exclude<Disruption, 'destroy'>;
  lockTimeoutMs?: number;
}

export interface PlanRun {
  plan: Plan | null;
  config: Config | null;
  diagnostics: Diagnostic[]; // configuration diagnostics, rendered by the cli
  files: Record<string, string>; // sources for rendering diagnostics
  errors: string[]; // refusals and host errors, each a complete sentence
}

export async function runPlan(req: PlanRequest, events?: EventSink): Promise<PlanRun> {
  throw new Error(`runPlan(${req.dir}, ${events ? 'with' : 'without'} events): not implemented yet`);
}
