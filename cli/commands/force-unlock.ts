// `xenform force-unlock LOCK_ID`: remove a lock left by a process that can no longer release it.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { stateManagerFor } from '../../engine/state/backend.js';
import { describeHolder } from '../../engine/state/manager.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('force-unlock')
    .description('remove the state lock with ID LOCK_ID (only when no xenform holds it any more)')
    .argument('<lock-id>')
    .option('--force', 'do not ask for confirmation', false)
    .action(async (id: string, opts: { force: boolean }, cmd: Command) => {
      const state = stateManagerFor(ctx.dir(cmd));
      try {
        const holder = (await state.locks()).find((l) => l.id === id);
        // Unattended, nobody can weigh whether the holder is gone: only --force says so.
        if (holder && !opts.force && (!ctx.io.stdinIsTTY || !ctx.io.readLine)) {
          ctx.io.stderr(
            `Error: the lock is held by ${describeHolder(holder)}, and there is no terminal to confirm its removal on; ` +
              `run again with --force once you are sure no xenform holds it any more.\n`,
          );
          return ctx.exit(1);
        }
        if (holder && !opts.force && ctx.io.readLine) {
          const alive = !holder.stale;
          ctx.io.stdout(
            `The lock is held by ${describeHolder(holder)}.\n` +
              (alive ? 'That process still runs on this machine (or on another one): removing its lock lets two runs change the same VMs.\n' : '') +
              'Only "yes" removes it.\n',
          );
          const answer = await ctx.io.readLine('Remove the lock? ');
          if (answer?.trim() !== 'yes') {
            ctx.io.stderr('The lock was kept.\n');
            return ctx.exit(1);
          }
        }
        const removed = await state.forceUnlock(id);
        ctx.io.stdout(`Removed the state lock ${removed.id} (held by ${removed.who}, pid ${removed.pid}, for "${removed.operation}").\n`);
      } catch (err) {
        ctx.io.stderr(`Error: ${(err as Error).message}\n`);
        ctx.exit(1);
      }
    });
}
