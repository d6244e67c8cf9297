// `xenform state history`, `state rollback N` and the `--serial N` of `state show` and
// `state pull`: the versions a backend with history keeps (the pg backend).
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { stateManagerFor } from '../../engine/state/backend.js';
import { isVersioned, type VersionedStateManager } from '../../engine/state/pg/index.js';
import { openState } from '../../engine/state/session.js';
import { errorText } from '../../engine/errors.js';
import { XENFORM_VERSION } from '../../engine/version.js';
import type { State } from '../../planner/model/state.js';
import { lockTimeoutOption } from '../arguments.js';

function versioned(dir: string, env: Record<string, string | undefined>): VersionedStateManager {
  const m = stateManagerFor(dir, env);
  if (!isVersioned(m)) throw new Error(`the state (${m.where}) keeps no history: only the pg backend does (the local file keeps one .backup).`);
  return m;
}

function serialOf(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new Error(`"${text}" is not a serial: expected a whole number, as \`xenform state history\` lists them.`);
  return n;
}

// The state at `serial` (a command-line value), or an error naming the serials there are.
export async function readStateVersion(dir: string, env: Record<string, string | undefined>, serial: string): Promise<State> {
  const n = serialOf(serial);
  const m = versioned(dir, env);
  const s = await m.readVersion(n);
  if (!s) {
    const h = await m.history();
    throw new Error(`there is no state version with serial ${n}${h.length ? `: serials ${h[0].serial} to ${h[h.length - 1].serial} exist` : ': no state has been written yet'}.`);
  }
  return s;
}

export function registerStateHistory(state: Command, ctx: CliContext): void {
  const fail = (err: unknown) => {
    ctx.io.stderr(`Error: ${errorText(err)}\n`);
    ctx.exit(1);
  };

  state
    .command('history')
    .description('list the versions of the state (pg backend)')
    .action(async (_opts: unknown, cmd: Command) => {
      try {
        const h = await versioned(ctx.dir(cmd), ctx.io.env).history();
        if (h.length === 0) return ctx.io.stdout('No state has been written yet.\n');
        ctx.io.stdout(`${'SERIAL'.padEnd(8)}${'WRITTEN'.padEnd(26)}${'BY'.padEnd(28)}${'OPERATION'.padEnd(24)}VMS\n`);
        for (const v of h) {
          ctx.io.stdout(`${String(v.serial).padEnd(8)}${v.written_at.padEnd(26)}${v.written_by.padEnd(28)}${v.operation.padEnd(24)}${v.resources}\n`);
        }
      } catch (err) {
        fail(err);
      }
    });

  state
    .command('rollback')
    .description('write an old version of the state as the newest one (pg backend)')
    .argument('<serial>', 'the version to go back to, from `xenform state history`')
    .option('--force', 'do not ask for confirmation', false)
    .addOption(lockTimeoutOption())
    .action(async (serial: string, opts: { force: boolean; lockTimeout?: number }, cmd: Command) => {
      let session;
      try {
        const dir = ctx.dir(cmd);
        const old = await readStateVersion(dir, ctx.io.env, serial);
        session = await openState(versioned(dir, ctx.io.env), { operation: 'state rollback', lockTimeoutMs: opts.lockTimeout, xenformVersion: XENFORM_VERSION });
        for (const note of session.notes) ctx.io.stderr(`${note}\n`);
        const now = session.state;
        if (!opts.force) {
          if (!ctx.io.stdinIsTTY || !ctx.io.readLine) throw new Error('there is no terminal to confirm on: run again with --force to roll back.');
          ctx.io.stdout(
            `The state is at serial ${now?.serial ?? '(none)'} with ${now?.resources.length ?? 0} VMs; serial ${old.serial} has ${old.resources.length}.\n` +
              'Rolling back changes only the record, not the hosts: the next plan compares the hosts with it. Only "yes" rolls back.\n',
          );
          const answer = await ctx.io.readLine('Roll back? ');
          if (answer?.trim() !== 'yes') {
            ctx.io.stderr('Rollback cancelled.\n');
            return ctx.exit(1);
          }
        }
        const written = await session.write({ ...old });
        ctx.io.stdout(`The state of serial ${old.serial} was written as serial ${written.serial}.\n`);
      } catch (err) {
        fail(err);
      } finally {
        await session?.release();
      }
    });
}
