// `xenform state list | show ADDR | rm ADDR... | mv FROM TO | pull`: look at and edit the state.
import type { Command } from 'commander';
import { addressMatches, parseAddress, parsePattern } from '../../planner/model/address.js';
import { XENFORM_VERSION } from '../../engine/version.js';
import type { CliContext } from '../context.js';
import { stateManagerFor } from '../../engine/state/backend.js';
import { openState } from '../../engine/state/session.js';
import { serializeState } from '../../engine/state/format.js';
import { isRefusal, notInState, removeResources, type Refusal, type Transition } from '../../engine/state/transitions.js';
import type { State } from '../../planner/model/state.js';
import { vmHcl } from '../views/hcl.js';
import { isSensitivePath, SENSITIVE_VALUE } from '../../planner/plan/sensitive.js';
import { addressArgument, lockTimeoutOption, patternArgument } from '../arguments.js';
import { registerRebuild } from './state-rebuild.js';
import { registerMove } from './state-mv.js';
import { readStateVersion, registerStateHistory } from './state-history.js';

const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));

async function readState(ctx: CliContext, dir: string, serial?: string): Promise<State | null> {
  try {
    return serial === undefined ? await stateManagerFor(dir).read() : await readStateVersion(dir, ctx.io.env, serial);
  } catch (err) {
    ctx.fail(errorMessage(err));
    return null;
  }
}

// Applies `edit` to the state under the lock and writes the result; a refusal writes nothing.
async function editState(ctx: CliContext, dir: string, operation: string, lockTimeoutMs: number | undefined, edit: (s: State) => Transition | Refusal): Promise<void> {
  let session;
  try {
    session = await openState(stateManagerFor(dir), { operation, lockTimeoutMs, xenformVersion: XENFORM_VERSION });
  } catch (err) {
    return ctx.fail(errorMessage(err));
  }
  try {
    for (const note of session.notes) ctx.io.stderr(`${note}\n`);
    if (!session.state) return ctx.fail(`There is no state in ${dir} (no xenform.state.json): nothing to change.`);
    const r = edit(session.state);
    if (isRefusal(r)) return ctx.fail(r.error);
    await session.write(r.state);
    for (const note of r.notes) ctx.io.stdout(`${note}\n`);
  } catch (err) {
    ctx.fail(errorMessage(err));
  } finally {
    await session.release();
  }
}

export function register(program: Command, ctx: CliContext): void {
  const state = program.command('state').description('inspect and edit the state (xenform.state.json)');

  state
    .command('list')
    .description('list the addresses recorded in the state')
    .addArgument(patternArgument('[addresses...]', 'only these addresses (vm.web matches every instance, module.web everything inside it)'))
    .action(async (filters: string[], _opts: unknown, cmd: Command) => {
      const s = await readState(ctx, ctx.dir(cmd));
      if (!s) return;
      const patterns = filters.map((f) => parsePattern(f)!);
      for (const r of s.resources) {
        const a = parseAddress(r.address);
        if (patterns.length === 0 || (a && patterns.some((p) => addressMatches(p, a)))) ctx.io.stdout(`${r.address}\n`);
      }
    });

  state
    .command('show')
    .description('show one recorded VM')
    .addArgument(addressArgument('<address>', 'e.g. vm.web[0]'))
    .option('--serial <n>', 'as recorded in that version of the state (pg backend)')
    .action(async (addr: string, opts: { serial?: string }, cmd: Command) => {
      const s = await readState(ctx, ctx.dir(cmd), opts.serial);
      if (!s) {
        if (ctx.exitCode === 0) ctx.fail(`There is no state in ${ctx.dir(cmd)} (no xenform.state.json).`);
        return;
      }
      const r = s.resources.find((x) => x.address === addr);
      if (!r) return ctx.fail(notInState(s, addr));
      ctx.io.stdout(
        `# ${r.address}\n` +
          `#   uuid:    ${r.uuid}\n` +
          `#   host:    ${r.host}\n` +
          `#   owned:   ${r.owned ? 'yes (created or adopted by xenform)' : 'no (imported: never destroyed without asking)'}\n` +
          (r.pending_reboot ? '#   pending: boot changes take effect at the next reboot\n' : '') +
          (r.restart_trigger !== null ? `#   restart_trigger: ${isSensitivePath(r.sensitive_paths, 'restart_trigger') ? SENSITIVE_VALUE : r.restart_trigger}\n` : '') +
          vmHcl(r.address, r.host, r.attributes, r.sensitive_paths),
      );
    });

  state
    .command('rm')
    .description('forget VMs: remove them from the state without touching the hosts')
    .addArgument(patternArgument('<addresses...>', 'vm.web forgets every instance of vm.web, module.web everything inside it'))
    .addOption(lockTimeoutOption())
    .action(async (addrs: string[], opts: { lockTimeout?: number }, cmd: Command) => {
      await editState(ctx, ctx.dir(cmd), 'state rm', opts.lockTimeout, (s) => removeResources(s, addrs));
    });

  registerMove(state, ctx);
  registerRebuild(state, ctx);

  state
    .command('pull')
    .description('print the state as JSON')
    .option('--serial <n>', 'that version of the state (pg backend)')
    .action(async (opts: { serial?: string }, cmd: Command) => {
      const s = await readState(ctx, ctx.dir(cmd), opts.serial);
      if (s) ctx.io.stdout(serializeState(s));
      else if (ctx.exitCode === 0) ctx.io.stdout('{}\n');
    });

  registerStateHistory(state, ctx);
}
