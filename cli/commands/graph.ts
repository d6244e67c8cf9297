// xenform graph [PLANFILE]: the step graph in DOT.
import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { runPlan } from '../../engine/run-plan.js';
import { addPlanOptions, planRequest, refuseConflicts, type PlanFlags } from '../arguments.js';
import { readPlanFile } from '../plan-file.js';
import { reportPlanRun } from '../views/plan.js';
import { renderPlanDot } from '../views/dot.js';

export function register(program: Command, ctx: CliContext): void {
  addPlanOptions(
    program
      .command('graph')
      .description('print the step graph of a saved or a fresh plan in DOT')
      .argument('[planfile]', 'a plan saved with `xenform plan --out`'),
  ).action(async (planFile: string | undefined, flags: PlanFlags, cmd: Command) => {
    refuseConflicts(cmd, flags, { planFile });
    const dir = ctx.dir(cmd);
    if (planFile) {
      const saved = readPlanFile(ctx, dir, planFile);
      if (saved) ctx.io.stdout(renderPlanDot(saved.plan));
      return;
    }
    const run = await runPlan(planRequest(dir, flags, ctx.env(cmd)));
    if (reportPlanRun(ctx, run, { json: false, color: ctx.color(cmd) })) ctx.io.stdout(renderPlanDot(run.plan!));
  });
}
