// xenform destroy: shut down and destroy every VM the state records (or the targeted ones).
import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { applyFlow, type ApplyFlags } from '../apply-flow.js';
import { addApplyOptions, addPlanOptions, refuseConflicts } from '../arguments.js';

export function register(program: Command, ctx: CliContext): void {
  addPlanOptions(
    addApplyOptions(program.command('destroy').description('destroy the VMs xenform manages')).option('--json', 'print the progress as JSON lines', false),
  ).action(async (flags: ApplyFlags, cmd: Command) => {
    refuseConflicts(cmd, flags, { destroyCommand: true });
    await applyFlow(ctx, cmd, undefined, flags, true);
  });
}
