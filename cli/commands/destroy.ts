// xenform destroy: shut down and destroy every VM the state records (or the targeted ones).
import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { applyFlow, type ApplyFlags } from '../apply-flow.js';
import { addPlanOptions } from '../arguments.js';
import { positiveInt } from './apply.js';

export function register(program: Command, ctx: CliContext): void {
  addPlanOptions(
    program
      .command('destroy')
      .description('destroy the VMs xenform manages')
      .option('--auto-approve', 'do not ask for confirmation', false)
      .option('--parallelism <n>', 'at most N steps at once across all hosts', positiveInt, 10)
      .option('--max-unavailable <n>', 'at most N VMs of one group halted or rebooting at once', positiveInt)
      .option('--json', 'print the progress as JSON lines', false),
  ).action(async (flags: ApplyFlags, cmd: Command) => {
    await applyFlow(ctx, cmd, undefined, flags, true);
  });
}
