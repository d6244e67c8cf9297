// `xenform state mv FROM TO`: records a VM under another address, and rewrites the VM's
// xenform-address ownership marker on its host to match, so that the marker can never make a
// plan adopt the VM under its old address as well. The host must be reachable: otherwise
// nothing changes, neither the state nor any marker.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { commandConfig } from '../command-config.js';
import { XENFORM_VERSION } from '../../engine/version.js';
import { ProviderPool } from '../../engine/providers.js';
import { stateManagerFor } from '../../engine/state/backend.js';
import { openState, type StateSession } from '../../engine/state/session.js';
import { isRefusal, moveResources } from '../../engine/state/transitions.js';
import { errorText } from '../../engine/errors.js';
import type { Provider } from '../../providers/provider.js';
import type { StateResource } from '../../planner/model/state.js';
import type { ObservedVm } from '../../planner/model/vm.js';
import { addVariableOptions, lockTimeoutOption, patternArgument, type VariableFlags } from '../arguments.js';

interface Rewrite {
  moved: StateResource; // under its new address
  from: string;
  provider: Provider;
  oldMarker: string;
}

export function registerMove(state: Command, ctx: CliContext): void {
  addVariableOptions(
    state
      .command('mv')
      .description('record a VM under another address (after renaming its block), and rewrite its ownership marker on the host')
      .addArgument(patternArgument('<from>', 'the address the VM (or module) is recorded under'))
      .addArgument(patternArgument('<to>', 'the address to record it under'))
      .addOption(lockTimeoutOption()),
  ).action(async (from: string, to: string, opts: VariableFlags & { lockTimeout?: number }, cmd: Command) => {
    const dir = ctx.dir(cmd);
    let session: StateSession;
    try {
      session = await openState(stateManagerFor(dir), { operation: 'state mv', lockTimeoutMs: opts.lockTimeout, xenformVersion: XENFORM_VERSION });
    } catch (err) {
      return ctx.fail(errorText(err));
    }
    const pool = new ProviderPool({ workdir: dir, env: ctx.io.env });
    const done: Rewrite[] = [];
    try {
      for (const note of session.notes) ctx.io.stderr(`${note}\n`);
      if (!session.state) return ctx.fail(`There is no state in ${dir} (no xenform.state.json): nothing to change.`);
      const before = session.state;
      const r = moveResources(before, from, to);
      if (isRefusal(r)) return ctx.fail(r.error);
      const moved = r.state.resources.filter((x) => !before.resources.some((o) => o.address === x.address && o.uuid === x.uuid));
      const notes = [...r.notes];
      if (moved.length > 0) {
        const config = commandConfig(ctx, cmd, opts);
        if (!config) return ctx.fail('state mv rewrites each VM\'s ownership marker on its host, which needs the configuration\'s host blocks; nothing was changed.');
        // Every host is read before any marker is rewritten: one unreachable host changes nothing.
        const plan: (Omit<Rewrite, 'oldMarker'> & { vm: ObservedVm | null })[] = [];
        for (const m of moved) {
          const old = before.resources.find((o) => o.uuid === m.uuid && o.host === m.host)!;
          const hostConfig = config.hosts.find((h) => h.name === m.host);
          if (!hostConfig) return ctx.fail(`${old.address} is on host "${m.host}", which has no host block in the configuration: its ownership marker cannot be rewritten, so nothing was changed.`);
          try {
            const provider = await pool.get(hostConfig);
            plan.push({ moved: m, from: old.address, provider, vm: await provider.readVm(m.uuid) });
          } catch (err) {
            return ctx.fail(`Host "${m.host}" could not be reached (${errorText(err)}): the ownership marker of VM ${m.uuid} must be rewritten there, so nothing was changed.`);
          }
        }
        for (const p of plan) {
          const vm = p.vm;
          if (!vm) {
            notes.push(`VM ${p.moved.uuid} is no longer on host "${p.moved.host}": only the state changes.`);
            continue;
          }
          if (vm.markers.address === undefined) continue; // imported, never marked
          if (!p.provider.setAddressMarker) return ctx.fail(`Host "${p.moved.host}" cannot rewrite ownership markers; nothing was changed.`);
          await p.provider.setAddressMarker(vm.uuid, p.moved.address);
          done.push({ ...p, oldMarker: vm.markers.address });
          notes.push(`Rewrote the ownership marker of VM ${vm.uuid} on host "${p.moved.host}" to ${p.moved.address}.`);
        }
      }
      await session.write(r.state);
      done.length = 0;
      for (const note of notes) ctx.io.stdout(`${note}\n`);
    } catch (err) {
      ctx.fail(`state mv failed: ${errorText(err)}`);
    } finally {
      // A failure after some markers were rewritten puts them back, so the state and the hosts still agree.
      for (const d of done) await d.provider.setAddressMarker!(d.moved.uuid, d.oldMarker).catch(() => ctx.io.stderr(`Error: could not put back the marker of VM ${d.moved.uuid} on host "${d.moved.host}" (xenform-address = ${d.oldMarker}).\n`));
      await pool.close();
      await session.release();
    }
  });
}
