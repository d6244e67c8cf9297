// xenform plan: refresh the hosts, compute the steps, show them.
import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { runPlan } from '../../engine/run-plan.js';
import { detailedExitCode } from '../../planner/plan/exit-code.js';
import { addFormatOptions, addPlanOptions, planRequest, refuseConflicts, type PlanFlags } from '../arguments.js';
import { refuseToOverwrite, writePlanFile } from '../plan-file.js';
import { renderPlan, reportPlanRun } from '../views/plan.js';
import { eventLine } from '../views/progress/lines.js';
import type { EngineEvent } from '../../engine/events.js';
import { generateForImports } from '../generate-config.js';

interface Flags extends PlanFlags {
  out?: string;
  json: boolean;
  markdown: boolean;
  detailedExitcode: boolean;
  generateConfigOut?: string;
}

export function register(program: Command, ctx: CliContext): void {
  addPlanOptions(
    addFormatOptions(
      program
        .command('plan')
        .description('show the steps that would bring the hosts to the configuration')
        .option('--out <file>', 'save the plan to FILE for `xenform apply FILE`')
        .option('--generate-config-out <file>', 'write vm blocks for import targets that have none to FILE (a new *.xf.hcl), then plan with them'),
      'the plan',
    ).option('--detailed-exitcode', 'exit 0 without changes, 2 with changes, 3 with disruptive changes', false),
  ).action(async (flags: Flags, cmd: Command) => {
    refuseConflicts(cmd, flags);
    if (flags.out !== undefined) refuseToOverwrite(cmd, flags.out);
    const dir = ctx.dir(cmd);
    const color = ctx.color(cmd);
    // A host slow to answer is said so on stderr, whatever the output format.
    const sink = (e: EngineEvent) => e.type === 'waiting' && ctx.io.stderr(`${eventLine(e)}\n`);
    let run = await runPlan({ ...planRequest(dir, flags, ctx.env(cmd)), generateConfig: flags.generateConfigOut !== undefined }, sink);
    if (flags.generateConfigOut !== undefined && run.unconfigured?.length) {
      const written = generateForImports(dir, flags.generateConfigOut, run.unconfigured);
      if (written.error) return ctx.fail(written.error);
      ctx.io.stderr(`${written.note}\n`);
      run = await runPlan(planRequest(dir, flags, ctx.env(cmd)), sink); // with the blocks just written
    }
    if (!reportPlanRun(ctx, run, { json: flags.json, color })) return;
    const plan = run.plan!;
    if (flags.out) {
      writePlanFile(dir, flags.out, { plan, configuration: run.snapshot! });
      if (!flags.json && !flags.markdown) ctx.io.stdout(`Saved the plan to ${flags.out}; apply it with: xenform apply ${flags.out}\n\n`);
    }
    ctx.io.stdout(renderPlan(plan, { json: flags.json, markdown: flags.markdown, color }));
    if (flags.detailedExitcode) ctx.exit(detailedExitCode(plan));
  });
}
