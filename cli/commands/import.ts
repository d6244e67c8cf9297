// `xenform import ADDR UUID`: take an existing VM under management. It is read through the
// provider of the host its configuration block names, recorded with owned = false (xenform
// never destroys it without asking), and the matching HCL is printed.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { commandConfig } from '../command-config.js';
import { XENFORM_VERSION } from '../../engine/version.js';
import { suggest } from '../../lang/didyoumean.js';
import { openProvider } from '../../providers/factory.js';
import type { Provider } from '../../providers/provider.js';
import { stateManagerFor } from '../../engine/state/backend.js';
import { openState } from '../../engine/state/session.js';
import { emptyState, importRefusal, importVm, isRefusal } from '../../engine/state/transitions.js';
import { errorText } from '../../engine/errors.js';
import { vmHcl } from '../views/hcl.js';
import { addressArgument, addVariableOptions, type VariableFlags } from '../arguments.js';

export function register(program: Command, ctx: CliContext): void {
  addVariableOptions(
    program
      .command('import')
      .description('record an existing VM under ADDR (its vm block must exist) and print the HCL that matches it')
      .addArgument(addressArgument('<address>', 'e.g. vm.legacy or vm.web[2]'))
      .argument('<uuid>', 'the VM\'s uuid on the host named by the block'),
  ).action(async (address: string, uuid: string, opts: VariableFlags, cmd: Command) => {
    const dir = ctx.dir(cmd);
    const config = commandConfig(ctx, cmd, opts);
    if (!config) return;
    const block = config.vms.find((v) => v.address === address);
    if (!block) {
      const near = suggest(address, config.vms.map((v) => v.address));
      return ctx.fail(
        `${address} is not in the configuration${near ? `; did you mean ${near}?` : '.'}` +
          ` Write its vm block first (with the host it lives on), then import into it.`,
      );
    }
    const host = config.hosts.find((h) => h.name === block.host);
    if (!host) return ctx.fail(`${address} names host "${block.host}", which has no host block.`);

    let session;
    try {
      session = await openState(stateManagerFor(dir), { operation: 'import', xenformVersion: XENFORM_VERSION });
    } catch (err) {
      return ctx.fail(errorText(err));
    }
    let provider: Provider | null = null;
    try {
      for (const note of session.notes) ctx.io.stderr(`${note}\n`);
      const state = session.state ?? emptyState(XENFORM_VERSION);
      const refused = importRefusal(state, address, host.name, uuid);
      if (refused) return ctx.fail(refused.error);
      try {
        provider = await openProvider(host, { workdir: dir, env: ctx.env(cmd) });
      } catch (err) {
        return ctx.fail(`Host "${host.name}" could not be reached: ${errorText(err)}`);
      }
      const vm = await provider.readVm(uuid);
      if (!vm) return ctx.fail(`Host "${host.name}" has no VM with uuid ${uuid}.`);
      const imported = importVm(state, { address, host: host.name, vm, restartTrigger: block.restart_trigger, shutdown: block.shutdown });
      if (isRefusal(imported)) return ctx.fail(imported.error);
      await session.write(imported.state);
      ctx.io.stdout(
        `Imported ${address}: VM ${vm.uuid} ("${vm.attributes.name}") on host ${host.name}.\n` +
          `xenform will manage it but never destroy it without asking. The configuration that matches it:\n\n` +
          vmHcl(address, host.name, vm.attributes),
      );
    } catch (err) {
      ctx.fail(`Import failed: ${errorText(err)}`);
    } finally {
      await provider?.close().catch(() => undefined);
      await session.release();
    }
  });
}
