// The pool commands: vm-migrate within the pool (VM.pool_migrate) and host-disable /
// host-enable.
import type { Host, SimState } from '../state.js';
import { filtersOf, matchesFilters, type XeRun } from './context.js';
import { CliError } from './errors.js';
import { HOST_FIELDS, hostRows } from './host-records.js';
import { assertCanBootHere, memberByNameOrUuid, noteMigrationStart } from './pool.js';
import { onSelected, type Command } from './select.js';
import { runVmOp } from './vm-ops.js';

const MIGRATE_OWN = ['host', 'host-uuid', 'host-name', 'live', 'compress', 'force', 'copy'];

// cli_operations.ml `vm_migrate` (xen-api e2ee48d688): host-uuid= and host-name= are host=;
// without remote-* parameters it is VM.pool_migrate. Storage motion (remote-master, vdi:...)
// is not simulated.
export const vmMigrate: Command = {
  own: MIGRATE_OWN,
  run: async (run) => {
    await run.latency();
    const named = run.get('host') ?? run.get('host-uuid') ?? run.get('host-name');
    if (named === undefined) throw new CliError('No destination host specified');
    const target = await run.read((st) => memberByNameOrUuid(st, named));
    // cli_operations.ml `get_host_by_name_or_id`
    if (!target) throw new CliError(`Host ${named} not found`);
    return onSelected(run, { own: MIGRATE_OWN, control: true }, async (vm) => {
      // message_forwarding.ml `VM.pool_migrate`: `with_vm_operation ~op:pool_migrate` (power
      // state, VM_LACKS_FEATURE for a live HVM guest without PV drivers: xapi_vm_lifecycle.ml
      // `check_op_for_feature`), then `reserve_memory_for_vm`, which runs
      // `assert_can_boot_here` on the destination (HOST_DISABLED, VM_REQUIRES_SR for a disk or
      // CD on storage the destination cannot see, HOST_NOT_ENOUGH_FREE_MEMORY, pCPUs).
      // A refused or failed migration leaves the VM where it was.
      await runVmOp(run, vm.uuid, 'pool_migrate', { host: target.uuid }, {
        precheck: (st, v) => {
          assertCanBootHere(st, v, memberByNameOrUuid(st, target.uuid)!, true);
          noteMigrationStart(st);
        },
      });
      return '';
    });
  },
};

function selectHosts(run: XeRun, st: SimState): Host[] {
  const byName = run.get('host');
  const filters = filtersOf(run, ['host', 'auto-enable', 'multiple']);
  const c = { st, faults: run.faults };
  const rows = hostRows(st).filter((r) => {
    if (byName !== undefined && ![r.host.uuid, r.host.name].includes(byName)) return false;
    return matchesFilters(r, filters, HOST_FIELDS, c);
  });
  // cli_operations.ml `do_host_op`
  if (rows.length === 0) throw new CliError('No matching hosts found');
  if (rows.length > 1 && !run.flag('multiple')) throw new CliError('Multiple matching hosts found. --multiple required to complete the operation');
  return rows.map((r) => r.host);
}

// xapi_host.ml `disable` / `enable`: Host.enabled; a disabled host receives no VM
// (xapi_vm_helpers.ml `assert_host_is_enabled`), the VMs on it keep running.
function hostEnable(enabled: boolean): Command {
  return {
    own: ['host', 'auto-enable', 'multiple'],
    run: async (run) => {
      await run.latency();
      await run.update((st) => {
        for (const h of selectHosts(run, st)) h.enabled = enabled;
      });
      return '';
    },
  };
}

export const hostDisable = hostEnable(false);
export const hostEnableCommand = hostEnable(true);
