// `xenform lock list`: who holds the state lock, since when, and whether it looks abandoned.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { stateManagerFor } from '../../engine/state/backend.js';
import { errorText } from '../../engine/errors.js';

export function register(program: Command, ctx: CliContext): void {
  const lock = program.command('lock').description('look at the state lock');
  lock
    .command('list')
    .description('list the state locks with their holders')
    .action(async (_opts: unknown, cmd: Command) => {
      try {
        const manager = stateManagerFor(ctx.dir(cmd), ctx.io.env);
        const locks = await manager.locks();
        if (locks.length === 0) {
          ctx.io.stdout(`The state (${manager.where}) is not locked.\n`);
          return;
        }
        for (const l of locks) {
          const heartbeat = (l as { heartbeat?: string }).heartbeat;
          ctx.io.stdout(
            `${l.id}  ${l.who} (pid ${l.pid})  "${l.operation}"  since ${l.created}` +
              (heartbeat ? `  heartbeat ${heartbeat}` : '') +
              (l.plan ? `  plan ${l.plan.fingerprint} (${l.plan.steps} step${l.plan.steps === 1 ? '' : 's'}, state serial ${l.plan.serial})` : '') +
              (l.stale ? '  (stale: its holder is gone or silent past the lease; see `xenform force-unlock`)' : '') +
              '\n',
          );
        }
      } catch (err) {
        ctx.io.stderr(`Error: ${errorText(err)}\n`);
        ctx.exit(1);
      }
    });
}
