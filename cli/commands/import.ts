// `xenform import ADDR UUID`: take an existing VM under management. It is read through the
// provider of the host its configuration block names, recorded with owned = false (xenform
// never destroys it without asking), and the matching HCL is printed.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { renderDiagnostics } from '../views/diagnostics.js';
import { XENFORM_VERSION } from '../../engine/version.js';
import { loadConfig } from '../../planner/config/load.js';
import { configSource } from '../../engine/config-source.js';
import { suggest } from '../../lang/didyoumean.js';
import { openProvider } from '../../providers/factory.js';
import type { Provider } from '../../providers/provider.js';
import { openState } from '../../engine/state/session.js';
import { emptyState } from '../../engine/state/store.js';
import { errorText } from '../../engine/power.js';
import { vmHcl } from '../views/hcl.js';
import { addressArgument, addVariableOptions, variables, type VariableFlags } from '../arguments.js';

export function register(program: Command, ctx: CliContext): void {
  addVariableOptions(
    program
      .command('import')
      .description('record an existing VM under ADDR (its vm block must exist) and print the HCL that matches it')
      .addArgument(addressArgument('<address>', 'e.g. vm.legacy or vm.web[2]'))
      .argument('<uuid>', 'the VM\'s uuid on the host named by the block'),
  ).action(async (address: string, uuid: string, opts: VariableFlags, cmd: Command) => {
    const dir = ctx.dir(cmd);
    const fail = (message: string) => {
      ctx.io.stderr(`Error: ${message}\n`);
      ctx.exit(1);
    };
    const loaded = loadConfig({ dir, ...variables(opts), env: ctx.io.env, source: configSource });
    if (!loaded.config) {
      ctx.io.stderr(renderDiagnostics(loaded.diagnostics, loaded.files, { color: ctx.color(cmd) }));
      return ctx.exit(1);
    }
    const config = loaded.config;
    const block = config.vms.find((v) => v.address === address);
    if (!block) {
      const near = suggest(address, config.vms.map((v) => v.address));
      return fail(
        `${address} is not in the configuration${near ? `; did you mean ${near}?` : '.'}` +
          ` Write its vm block first (with the host it lives on), then import into it.`,
      );
    }
    const host = config.hosts.find((h) => h.name === block.host);
    if (!host) return fail(`${address} names host "${block.host}", which has no host block.`);

    let session;
    try {
      session = await openState(dir, { operation: 'import', xenformVersion: XENFORM_VERSION });
    } catch (err) {
      return fail(errorText(err));
    }
    let provider: Provider | null = null;
    try {
      for (const note of session.notes) ctx.io.stderr(`${note}\n`);
      const state = structuredClone(session.state) ?? emptyState(XENFORM_VERSION);
      const existing = state.resources.find((r) => r.address === address);
      if (existing) return fail(`${address} is already in the state (uuid ${existing.uuid}); \`xenform state rm ${address}\` first to import another VM there.`);
      const twin = state.resources.find((r) => r.uuid === uuid && r.host === host.name);
      if (twin) return fail(`VM ${uuid} is already recorded as ${twin.address}; use \`xenform state mv ${twin.address} ${address}\` to rename it.`);
      try {
        provider = await openProvider(host, { workdir: dir, env: ctx.io.env });
      } catch (err) {
        return fail(`Host "${host.name}" could not be reached: ${errorText(err)}`);
      }
      const vm = await provider.readVm(uuid);
      if (!vm) return fail(`Host "${host.name}" has no VM with uuid ${uuid}.`);
      state.resources.push({
        address,
        host: host.name,
        uuid: vm.uuid,
        attributes: vm.attributes,
        booted_with: vm.booted_with,
        restart_trigger: block.restart_trigger,
        owned: false,
        pending_reboot: vm.requires_reboot,
      });
      await session.store.write({ ...state, xenform_version: XENFORM_VERSION });
      ctx.io.stdout(
        `Imported ${address}: VM ${vm.uuid} ("${vm.attributes.name}") on host ${host.name}.\n` +
          `xenform will manage it but never destroy it without asking. The configuration that matches it:\n\n` +
          vmHcl(address, host.name, vm.attributes),
      );
    } catch (err) {
      fail(`Import failed: ${errorText(err)}`);
    } finally {
      await provider?.close().catch(() => undefined);
      await session.release();
    }
  });
}
