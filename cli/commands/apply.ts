// xenform apply [PLANFILE]: run the steps of a fresh or a saved plan.
import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { applyFlow, type ApplyFlags } from '../apply-flow.js';
import { addApplyOptions, addPlanOptions, refuseConflicts } from '../arguments.js';

export function register(program: Command, ctx: CliContext): void {
  addPlanOptions(
    addApplyOptions(
      program
        .command('apply')
        .description('run the planned steps on the hosts and record the result')
        .argument('[planfile]', 'a plan saved with `xenform plan --out`'),
    )
      .option('--json', 'print the progress as JSON lines', false)
      .option('--allow-partial', 'with a saved plan some of whose VMs changed since it was made: run the steps of the others instead of refusing the whole plan', false),
  ).action(async (planFile: string | undefined, flags: ApplyFlags, cmd: Command) => {
    refuseConflicts(cmd, flags, { planFile });
    await applyFlow(ctx, cmd, planFile, flags, false);
  });
}
