// `xenform state list | show ADDR | rm ADDR... | mv FROM TO | pull`: look at and edit the state.
import type { Command } from 'commander';
import { addressMatches, formatAddress, parseAddress } from '../../planner/model/address.js';
import { XENFORM_VERSION } from '../../engine/version.js';
import type { CliContext } from '../context.js';
import { openState } from '../../engine/state/session.js';
import { StateStore } from '../../engine/state/store.js';
import { serializeState } from '../../engine/state/format.js';
import type { State } from '../../planner/model/state.js';
import { LockError } from '../../engine/state/lock.js';
import { suggest } from '../../lang/didyoumean.js';
import { vmHcl } from '../views/hcl.js';
import { addressArgument, lockTimeoutOption } from '../arguments.js';

function fail(ctx: CliContext, message: string): void {
  ctx.io.stderr(`Error: ${message}\n`);
  ctx.exit(1);
}

function errorMessage(err: unknown): string {
  return err instanceof LockError ? err.message : err instanceof Error ? err.message : String(err);
}

async function readState(ctx: CliContext, dir: string): Promise<State | null> {
  try {
    return await new StateStore(dir).read();
  } catch (err) {
    fail(ctx, errorMessage(err));
    return null;
  }
}

function notFound(state: State, addr: string): string {
  const near = suggest(addr, state.resources.map((r) => r.address));
  return `${addr} is not in the state${near ? `; did you mean ${near}?` : '.'} \`xenform state list\` shows what is.`;
}

// Runs `edit` on the state under the lock, and writes the result when it returns true.
async function editState(ctx: CliContext, dir: string, operation: string, lockTimeoutMs: number | undefined, edit: (s: State) => boolean): Promise<void> {
  let session;
  try {
    session = await openState(dir, { operation, lockTimeoutMs, xenformVersion: XENFORM_VERSION });
  } catch (err) {
    return fail(ctx, errorMessage(err));
  }
  try {
    for (const note of session.notes) ctx.io.stderr(`${note}\n`);
    if (!session.state) return fail(ctx, `There is no state in ${dir} (no xenform.state.json): nothing to change.`);
    const next = structuredClone(session.state);
    if (edit(next)) await session.store.write({ ...next, xenform_version: XENFORM_VERSION });
  } catch (err) {
    fail(ctx, errorMessage(err));
  } finally {
    await session.release();
  }
}

export function register(program: Command, ctx: CliContext): void {
  const state = program.command('state').description('inspect and edit the state (xenform.state.json)');

  state
    .command('list')
    .description('list the addresses recorded in the state')
    .addArgument(addressArgument('[addresses...]', 'only these addresses (vm.web matches every instance)'))
    .action(async (filters: string[], _opts: unknown, cmd: Command) => {
      const s = await readState(ctx, ctx.dir(cmd));
      if (!s) return;
      const patterns = filters.map((f) => parseAddress(f)!);
      for (const r of s.resources) {
        const a = parseAddress(r.address);
        if (patterns.length === 0 || (a && patterns.some((p) => addressMatches(p, a)))) ctx.io.stdout(`${r.address}\n`);
      }
    });

  state
    .command('show')
    .description('show one recorded VM')
    .addArgument(addressArgument('<address>', 'e.g. vm.web[0]'))
    .action(async (addr: string, _opts: unknown, cmd: Command) => {
      const s = await readState(ctx, ctx.dir(cmd));
      if (!s) {
        if (ctx.exitCode === 0) fail(ctx, `There is no state in ${ctx.dir(cmd)} (no xenform.state.json).`);
        return;
      }
      const r = s.resources.find((x) => x.address === addr);
      if (!r) return fail(ctx, notFound(s, addr));
      ctx.io.stdout(
        `# ${r.address}\n` +
          `#   uuid:    ${r.uuid}\n` +
          `#   host:    ${r.host}\n` +
          `#   owned:   ${r.owned ? 'yes (created or adopted by xenform)' : 'no (imported: never destroyed without asking)'}\n` +
          (r.pending_reboot ? '#   pending: boot changes take effect at the next reboot\n' : '') +
          (r.restart_trigger !== null ? `#   restart_trigger: ${r.restart_trigger}\n` : '') +
          vmHcl(r.address, r.host, r.attributes),
      );
    });

  state
    .command('rm')
    .description('forget VMs: remove them from the state without touching the hosts')
    .addArgument(addressArgument('<addresses...>', 'vm.web forgets every instance of vm.web'))
    .addOption(lockTimeoutOption())
    .action(async (addrs: string[], opts: { lockTimeout?: number }, cmd: Command) => {
      await editState(ctx, ctx.dir(cmd), 'state rm', opts.lockTimeout, (s) => {
        const removed: string[] = [];
        for (const text of addrs) {
          const p = parseAddress(text)!;
          const hits = s.resources.filter((r) => {
            const a = parseAddress(r.address);
            return a !== null && addressMatches(p, a);
          });
          if (hits.length === 0) {
            fail(ctx, `${notFound(s, text)} Nothing was removed.`);
            return false;
          }
          for (const h of hits) removed.push(`${h.address} (uuid ${h.uuid} on ${h.host})`);
          s.resources = s.resources.filter((r) => !hits.includes(r));
        }
        for (const r of removed) ctx.io.stdout(`Removed ${r} from the state; the VM itself is untouched.\n`);
        return true;
      });
    });

  state
    .command('mv')
    .description('record a VM under another address (after renaming its block)')
    .addArgument(addressArgument('<from>', 'the address the VM is recorded under'))
    .addArgument(addressArgument('<to>', 'the address to record it under'))
    .addOption(lockTimeoutOption())
    .action(async (from: string, to: string, opts: { lockTimeout?: number }, cmd: Command) => {
      const f = parseAddress(from)!;
      const t = parseAddress(to)!;
      await editState(ctx, ctx.dir(cmd), 'state mv', opts.lockTimeout, (s) => {
        const exact = s.resources.find((r) => r.address === from);
        // Either one instance, or every instance of a resource keeping its keys (vm.web -> vm.app).
        const moves: [string, string][] = exact
          ? [[from, to]]
          : f.key === null && t.key === null
            ? s.resources
                .map((r) => ({ r, a: parseAddress(r.address) }))
                .filter(({ a }) => a !== null && addressMatches(f, a))
                .map(({ r, a }) => [r.address, formatAddress({ ...t, key: a!.key })] as [string, string])
            : [];
        if (moves.length === 0) {
          fail(ctx, `${notFound(s, from)} Nothing was moved.`);
          return false;
        }
        const taken = moves.find(([, dest]) => s.resources.some((r) => r.address === dest && !moves.some(([src]) => src === dest)));
        if (taken) {
          fail(ctx, `${taken[1]} is already in the state; remove it first with \`xenform state rm ${taken[1]}\`. Nothing was moved.`);
          return false;
        }
        for (const [src, dest] of moves) {
          s.resources.find((r) => r.address === src)!.address = dest;
          ctx.io.stdout(`Moved ${src} to ${dest}.\n`);
        }
        return true;
      });
    });

  state
    .command('pull')
    .description('print the state as JSON')
    .action(async (_opts: unknown, cmd: Command) => {
      const s = await readState(ctx, ctx.dir(cmd));
      if (s) ctx.io.stdout(serializeState(s));
      else if (ctx.exitCode === 0) ctx.io.stdout('{}\n');
    });
}
