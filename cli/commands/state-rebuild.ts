// `xenform state rebuild`: records the VMs whose ownership markers name this configuration's
// addresses, read from every host: the way back from a lost state (a deleted file, a fresh
// checkout) without creating every VM again. Shows what it would write, then asks.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { commandConfig } from '../command-config.js';
import { XENFORM_VERSION } from '../../engine/version.js';
import { ProviderPool } from '../../engine/providers.js';
import { stateManagerFor } from '../../engine/state/backend.js';
import { openState, type StateSession } from '../../engine/state/session.js';
import { isRefusal, rebuildState } from '../../engine/state/transitions.js';
import { errorText } from '../../engine/errors.js';
import type { HostInventory } from '../../planner/model/vm.js';
import { recordOutputs } from '../../engine/apply/outputs.js';
import { configSource } from '../../engine/config-source.js';
import { loadConfig } from '../../planner/config/load.js';
import { addVariableOptions, lockTimeoutOption, variables, type VariableFlags } from '../arguments.js';

interface RebuildFlags extends VariableFlags {
  autoApprove: boolean;
  lockTimeout?: number;
}

export function registerRebuild(state: Command, ctx: CliContext): void {
  addVariableOptions(
    state
      .command('rebuild')
      .description('record the VMs whose ownership markers name this configuration\'s addresses (after a lost state)')
      .option('--auto-approve', 'write without asking', false)
      .addOption(lockTimeoutOption()),
  ).action(async (opts: RebuildFlags, cmd: Command) => {
    const dir = ctx.dir(cmd);
    const config = commandConfig(ctx, cmd, opts);
    if (!config) return;
    if (!opts.autoApprove && (!ctx.io.stdinIsTTY || !ctx.io.readLine)) {
      return ctx.fail('there is no terminal to confirm on; run again with --auto-approve to write the rebuilt state without asking.');
    }
    let session: StateSession;
    try {
      session = await openState(stateManagerFor(dir), { operation: 'state rebuild', lockTimeoutMs: opts.lockTimeout, xenformVersion: XENFORM_VERSION, acceptLost: true });
    } catch (err) {
      return ctx.fail(errorText(err));
    }
    const pool = new ProviderPool({ workdir: dir, env: ctx.io.env });
    try {
      for (const note of session.notes) ctx.io.stderr(`${note}\n`);
      const inventories: Record<string, HostInventory> = {};
      const unread: string[] = [];
      await Promise.all(
        config.hosts.map(async (host) => {
          try {
            inventories[host.name] = await (await pool.get(host)).inventory();
          } catch (err) {
            unread.push(`Host "${host.name}" could not be read: ${errorText(err)}`);
          }
        }),
      );
      if (unread.length > 0) return ctx.fail(`${unread.join('\n')}\nEvery host must be read to rebuild the state; nothing was written.`);
      const addresses = new Map(config.vms.map((v) => [v.address, { host: v.host, restartTrigger: v.restart_trigger, shutdown: v.shutdown }]));
      const rebuilt = rebuildState(session.state, { addresses, inventories, lost: session.lost, xenformVersion: XENFORM_VERSION });
      if (isRefusal(rebuilt)) return ctx.fail(rebuilt.error);
      ctx.io.stdout(
        `The state would record (lineage ${rebuilt.state.lineage}):\n` +
          rebuilt.state.resources.map((r) => `  ${r.address}: VM ${r.uuid} on host "${r.host}"\n`).join('') +
          (rebuilt.notes.length ? `\nFound on the hosts:\n${rebuilt.notes.map((n) => `  ${n}\n`).join('')}` : ''),
      );
      if (!opts.autoApprove) {
        const answer = await ctx.io.readLine!('\nWrite this state? Only "yes" will be accepted: ');
        if (answer?.trim() !== 'yes') return ctx.fail('state rebuild cancelled; nothing was written.');
      }
      // The outputs as an apply would have recorded them, so the next plan has nothing to do.
      const withOutputs = recordOutputs(rebuilt.state, config, (known) => {
        const again = loadConfig({ dir, ...variables(opts), env: ctx.io.env, source: configSource, known });
        return again.config ?? 'the configuration has errors';
      });
      const written = await session.write(withOutputs);
      ctx.io.stdout(`\nWrote the state: ${written.resources.length} VMs recorded, serial ${written.serial}.\n`);
    } catch (err) {
      ctx.fail(`state rebuild failed: ${errorText(err)}`);
    } finally {
      await pool.close();
      await session.release();
    }
  });
}
