// Saved plans on the command line: written by `plan --out`, read by apply, show and graph.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { isPlanFileError, parsePlan, serializePlan } from '../planner/plan/plan-file.js';
import type { Plan } from '../planner/plan/types.js';
import { isWorkdirFile } from './workdir.js';

// Refuses, before anything is planned, an --out that would overwrite configuration or state.
export function refuseToOverwrite(cmd: Command, out: string): void {
  if (isWorkdirFile(out)) {
    cmd.error(`Error: --out ${out} would overwrite xenform's own configuration or state; save the plan under another name, such as tonight.xfplan.`);
  }
}

export function writePlanFile(dir: string, out: string, plan: Plan): void {
  writeFileSync(path.resolve(dir, out), serializePlan(plan), { mode: 0o600 });
}

// The plan saved in `planFile`, or null after saying why it cannot be used.
export function readPlanFile(ctx: CliContext, dir: string, planFile: string): Plan | null {
  let text: string;
  try {
    text = readFileSync(path.resolve(dir, planFile), 'utf8');
  } catch (err) {
    ctx.io.stderr(`Error: cannot read the plan file ${planFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}\n`);
    ctx.exit(1);
    return null;
  }
  const plan = parsePlan(text);
  if (isPlanFileError(plan)) {
    ctx.io.stderr(`Error: ${planFile} is not a usable plan: ${plan.error}\n`);
    ctx.exit(1);
    return null;
  }
  return plan;
}
