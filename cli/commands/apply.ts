// xenform apply [PLANFILE]: run the steps of a fresh or a saved plan.
import { Command, InvalidArgumentError } from 'commander';
import type { CliContext } from '../context.js';
import { applyFlow, type ApplyFlags } from '../apply-flow.js';
import { addPlanOptions } from '../arguments.js';

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number of at least 1, got "${value}".`);
  return n;
}

export function register(program: Command, ctx: CliContext): void {
  addPlanOptions(
    program
      .command('apply')
      .description('run the planned steps on the hosts and record the result')
      .argument('[planfile]', 'a plan saved with `xenform plan --out`')
      .option('--auto-approve', 'do not ask for confirmation', false)
      .option('--parallelism <n>', 'at most N steps at once across all hosts', positiveInt, 10)
      .option('--max-unavailable <n>', 'at most N VMs of one group halted or rebooting at once', positiveInt)
      .option('--json', 'print the progress as JSON lines', false),
  ).action(async (planFile: string | undefined, flags: ApplyFlags, cmd: Command) => {
    await applyFlow(ctx, cmd, planFile, flags, false);
  });
}
