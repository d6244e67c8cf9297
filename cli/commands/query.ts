// `xenform query`: the VMs on the configured hosts that xenform does not manage (no ownership
// marker), as a table, as JSON, or written out as import and vm blocks to adopt them. VMs that
// carry another configuration's markers are listed apart and get no generated configuration.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { commandConfig } from '../command-config.js';
import { ProviderPool } from '../../engine/providers.js';
import { stateManagerFor } from '../../engine/state/backend.js';
import { errorText } from '../../engine/errors.js';
import { formatSize } from '../../planner/config/units.js';
import { formatAddress } from '../../planner/model/address.js';
import type { ObservedVm } from '../../planner/model/vm.js';
import { addVariableOptions, type VariableFlags } from '../arguments.js';
import { generatedText, labelFor, refuseGenerated, writeGenerated } from '../generate-config.js';

interface Flags extends VariableFlags {
  json: boolean;
  generateConfigOut?: string;
}

const row = (vm: ObservedVm) => ({
  host: vm.host,
  uuid: vm.uuid,
  name: vm.attributes.name,
  power_state: vm.attributes.power_state,
  memory: vm.attributes.memory.static_max,
  vcpus: vm.attributes.vcpus,
  disks: vm.attributes.disks.map((d) => ({ name: d.name, size: d.size, sr: d.sr })),
  networks: vm.attributes.networks.map((n) => ({ name: n.name, network: n.network })),
});

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n') + '\n';
}

export function register(program: Command, ctx: CliContext): void {
  addVariableOptions(
    program
      .command('query')
      .description('list the VMs on the configured hosts that xenform does not manage')
      .option('--json', 'print JSON', false)
      .option('--generate-config-out <file>', 'write an import block and a vm block for each unmanaged VM to FILE (a new *.xf.hcl)'),
  ).action(async (flags: Flags, cmd: Command) => {
    const dir = ctx.dir(cmd);
    if (flags.generateConfigOut !== undefined) {
      const refused = refuseGenerated(dir, flags.generateConfigOut);
      if (refused) return ctx.fail(refused);
    }
    const config = commandConfig(ctx, cmd, flags);
    if (!config) return;
    let lineage: string | null = null;
    try {
      lineage = (await stateManagerFor(dir, ctx.io.env).read())?.lineage ?? null;
    } catch (err) {
      return ctx.fail(`Could not read the state: ${errorText(err)}`);
    }
    const pool = new ProviderPool({ workdir: dir, env: ctx.io.env });
    const vms: ObservedVm[] = [];
    try {
      for (const host of config.hosts) {
        try {
          vms.push(...(await (await pool.get(host)).inventory()).vms);
        } catch (err) {
          return ctx.fail(`Host "${host.name}" could not be read: ${errorText(err)}`);
        }
      }
    } finally {
      await pool.close();
    }
    const unmanaged = vms.filter((v) => v.markers.address === undefined);
    // Marked by another configuration (another lineage); this one's own VMs are not listed.
    const others = vms.filter((v) => v.markers.address !== undefined && v.markers.lineage !== lineage);

    if (flags.generateConfigOut !== undefined) {
      const taken = new Set(config.vms.map((v) => v.address));
      const labels = new Set<string>();
      const items = unmanaged.map((vm) => {
        let address: string;
        do address = formatAddress({ type: 'vm', name: labelFor(vm.attributes.name, labels), key: null });
        while (taken.has(address));
        return { address, host: vm.host, vm };
      });
      if (items.length === 0) return ctx.io.stdout('No unmanaged VMs on the configured hosts: nothing was written.\n');
      writeGenerated(dir, flags.generateConfigOut, generatedText(items, true));
      ctx.io.stdout(`Wrote ${items.length} import and vm block${items.length === 1 ? '' : 's'} to ${flags.generateConfigOut}. Review them, then \`xenform plan\` shows the imports.\n`);
      if (others.length) ctx.io.stdout(`${others.length} VM${others.length === 1 ? '' : 's'} carrying another configuration's markers ${others.length === 1 ? 'was' : 'were'} left out (\`xenform query\` lists them).\n`);
      return;
    }
    if (flags.json) {
      const other = others.map((v) => ({ ...row(v), address: v.markers.address, lineage: v.markers.lineage ?? null }));
      return ctx.io.stdout(`${JSON.stringify({ unmanaged: unmanaged.map(row), other_configurations: other }, null, 2)}\n`);
    }
    const cells = (v: ObservedVm): string[] => {
      const r = row(v);
      return [r.host, r.name, r.uuid, r.power_state, formatSize(r.memory), String(r.vcpus), r.disks.map((d) => `${d.name} ${formatSize(d.size)} on ${d.sr}`).join(', ') || '-', r.networks.map((n) => `${n.name} on ${n.network}`).join(', ') || '-'];
    };
    const header = ['HOST', 'NAME', 'UUID', 'POWER', 'MEMORY', 'VCPUS', 'DISKS', 'NETWORKS'];
    if (unmanaged.length === 0) ctx.io.stdout('No unmanaged VMs on the configured hosts.\n');
    else ctx.io.stdout(`VMs xenform does not manage (${unmanaged.length}):\n\n${table(header, unmanaged.map(cells))}`);
    if (others.length) ctx.io.stdout(`\nVMs managed by another xenform configuration (${others.length}), not to be imported here:\n\n${table([...header, 'ADDRESS', 'LINEAGE'], others.map((v) => [...cells(v), v.markers.address!, v.markers.lineage ?? '-']))}`);
  });
}
