// Saved plans on the command line: written by `plan --out`, read by apply, show and graph.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { isPlanFileError, parseSavedPlan, serializeSavedPlan, type SavedPlan } from '../planner/plan/plan-file.js';
import { isWorkdirFile } from './workdir.js';

// Refuses, before anything is planned, an --out that would overwrite configuration or state.
export function refuseToOverwrite(cmd: Command, out: string): void {
  if (isWorkdirFile(out)) {
    cmd.error(`Error: --out ${out} would overwrite xenform's own configuration or state; save the plan under another name, such as tonight.xfplan.`);
  }
}

// Mode 0600: the configuration snapshot holds the variable values, sensitive ones included.
export function writePlanFile(dir: string, out: string, saved: SavedPlan): void {
  writeFileSync(path.resolve(dir, out), serializeSavedPlan(saved), { mode: 0o600 });
}

// The plan saved in `planFile`, or null after saying why it cannot be used.
export function readPlanFile(ctx: CliContext, dir: string, planFile: string): SavedPlan | null {
  let text: string;
  try {
    text = readFileSync(path.resolve(dir, planFile), 'utf8');
  } catch (err) {
    ctx.io.stderr(`Error: cannot read the plan file ${planFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}\n`);
    ctx.exit(1);
    return null;
  }
  const saved = parseSavedPlan(text);
  if (isPlanFileError(saved)) {
    ctx.io.stderr(`Error: ${planFile} is not a usable plan: ${saved.error}\n`);
    ctx.exit(1);
    return null;
  }
  return saved;
}
