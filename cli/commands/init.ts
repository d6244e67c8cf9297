// `xenform init [--migrate-state]`: checks the state backend and creates or upgrades its
// schema; with --migrate-state, moves the local state into it (lineage and serial kept) and
// renames the local file so that it cannot be used by mistake.
import fs from 'node:fs/promises';
import path from 'node:path';
import { type Command, Option } from 'commander';
import type { CliContext } from '../context.js';
import { stateManagerFor } from '../../engine/state/backend.js';
import { localStateManager } from '../../engine/state/local/index.js';
import { isPg, type PgStateManager } from '../../engine/state/pg/index.js';
import { openState, type StateSession } from '../../engine/state/session.js';
import { errorText } from '../../engine/errors.js';
import { XENFORM_VERSION } from '../../engine/version.js';
import { STATE_FILE } from '../../planner/model/state.js';

export const MIGRATED_SUFFIX = '.migrated-to-pg';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('check the state backend and create or upgrade its schema')
    .option('--migrate-state', `move the local ${STATE_FILE} into the backend`, false)
    .option('--upgrade', 'accepted as in Terraform: init always upgrades the schema', false)
    .addOption(new Option('--input <bool>', 'accepted as in Terraform: init asks nothing').hideHelp())
    .action(async (opts: { migrateState: boolean }, cmd: Command) => {
      const dir = ctx.dir(cmd);
      try {
        const manager = stateManagerFor(dir, ctx.io.env);
        if (!isPg(manager)) {
          if (opts.migrateState) throw new Error('there is no backend block in the configuration: the state already lives in the local file, so there is nothing to migrate to.');
          ctx.io.stdout(`The state is kept locally (${STATE_FILE} in ${dir}; no backend block): nothing to initialise. The host toolstacks are built in.\n`);
          return;
        }
        try {
          await init(ctx, dir, manager, opts.migrateState);
        } finally {
          await manager.close();
        }
      } catch (err) {
        ctx.io.stderr(`Error: ${errorText(err)}\n`);
        ctx.exit(1);
      }
    });
}

async function init(ctx: CliContext, dir: string, manager: PgStateManager, migrateState: boolean): Promise<void> {
  const { from, applied } = await manager.migrate();
  ctx.io.stdout(`The pg backend is reachable: ${manager.where}.\n`);
  if (applied.length === 0) ctx.io.stdout(`Its schema is up to date (version ${from}).\n`);
  else ctx.io.stdout(`${from === null ? 'Created' : `Upgraded from version ${from}:`} ${applied.join('; ')}.\n`);

  const local = localStateManager(dir);
  const localState = await local.read();
  if (!migrateState) {
    if (localState) ctx.io.stdout(`A local ${STATE_FILE} (serial ${localState.serial}) is still here: move it in with \`xenform init --migrate-state\`.\n`);
    return;
  }
  if (!localState) {
    ctx.io.stdout(`There is no local ${STATE_FILE} in ${dir}: nothing to migrate.\n`);
    return;
  }
  let from_: StateSession | undefined;
  let to: StateSession | undefined;
  try {
    from_ = await openState(local, { operation: 'init --migrate-state', xenformVersion: XENFORM_VERSION }); // folds a local journal first
    to = await openState(manager, { operation: 'init --migrate-state', xenformVersion: XENFORM_VERSION });
    const moving = from_.state!;
    if (to.state) {
      throw new Error(
        `the pg backend already holds a state (lineage ${to.state.lineage}, serial ${to.state.serial}); the local one (lineage ${moving.lineage}, serial ${moving.serial}) was not moved. ` +
          'Remove one of them deliberately before migrating.',
      );
    }
    const stored = await to.held.write({ ...moving }, null);
    for (const name of [STATE_FILE, `${STATE_FILE}.backup`]) {
      await fs.rename(path.join(dir, name), path.join(dir, name + MIGRATED_SUFFIX)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    }
    ctx.io.stdout(
      `Moved the local state into the pg backend: lineage ${stored.lineage}, serial ${stored.serial}, ${stored.resources.length} VMs. ` +
        `The local file is now ${STATE_FILE}${MIGRATED_SUFFIX}.\n`,
    );
  } finally {
    await to?.release();
    await from_?.release();
  }
}
