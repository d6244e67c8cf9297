// The VM power-state machine of current xapi (spec §1.2, §1.3, §6.2, §6.3).
import type { Faults } from '../faults.js';
import type { Power, Vm } from '../state.js';
import { XapiError } from './errors.js';

// allowed_power_states, in the list order xapi uses for the `expected` parameter.
const H: Power = 'halted';
const P: Power = 'paused';
const R: Power = 'running';
const S: Power = 'suspended';

const ALLOWED: Record<string, Power[]> = {};
const put = (states: Power[], ops: string[]) => ops.forEach((o) => (ALLOWED[o] = states));
put([], ['import']);
put([H], ['changing_VCPUs', 'changing_static_range', 'changing_memory_limits']); // +running on dom0
put([H], ['changing_shadow_memory', 'changing_NVRAM', 'make_into_template', 'provision', 'start', 'start_on', 'create_vtpm']);
put([P], ['unpause']);
put([S], ['csvm', 'resume', 'resume_on']);
put([R], [
  'awaiting_memory_live', 'call_plugin', 'clean_reboot', 'clean_shutdown', 'changing_memory_live', 'changing_shadow_memory_live',
  'changing_VCPUs_live', 'data_source_op', 'pause', 'pool_migrate', 'send_sysrq', 'send_trigger', 'snapshot_with_quiesce', 'sysprep', 'suspend',
]);
put([H, R], ['changing_dynamic_range']);
put([H], ['clone', 'copy']);
put([H, S], ['create_template', 'destroy', 'export']);
put([P, R], ['hard_reboot']);
put([P, S, R], ['checkpoint', 'get_boot_record', 'shutdown', 'hard_shutdown']);
put([H, S, R], ['migrate_send']);
put([H, P, R, S], ['assert_operation_valid', 'metadata_export', 'power_state_reset', 'revert', 'reverting', 'snapshot', 'update_allowed_operations', 'query_services']);

export function allowedStates(vm: Vm, op: string): Power[] {
  const states = ALLOWED[op] ?? [];
  if (vm.control && ['changing_VCPUs', 'changing_static_range', 'changing_memory_limits'].includes(op)) return [H, R];
  return states;
}

export function vmLabel(vm: Vm): string {
  // cli_util.ml `ref_convert` via Ref_index.string_of: "uuid (name_label)", `uuid ()` when empty
  return `${vm.uuid} (${vm.name})`;
}

// Current xapi's allowed-operations for an ordinary VM, as printed (reverse enum order), §6.2.
const ALLOWED_OPS: Record<Power, string[]> = {
  halted: ['create_vtpm', 'destroy', 'metadata_export', 'export', 'make_into_template', 'changing_NVRAM', 'changing_shadow_memory', 'changing_static_range', 'changing_dynamic_range', 'migrate_send', 'start_on', 'start', 'copy', 'clone', 'snapshot'],
  running: ['sysprep', 'metadata_export', 'changing_VCPUs_live', 'changing_dynamic_range', 'migrate_send', 'pool_migrate', 'suspend', 'hard_reboot', 'hard_shutdown', 'clean_reboot', 'clean_shutdown', 'pause', 'checkpoint', 'snapshot'],
  paused: ['metadata_export', 'hard_reboot', 'hard_shutdown', 'unpause', 'checkpoint', 'snapshot'],
  suspended: ['destroy', 'metadata_export', 'export', 'migrate_send', 'resume_on', 'resume', 'hard_shutdown', 'checkpoint', 'snapshot'],
};

// On a template only these pass check_template (destroy and migrate_send unless default).
const TEMPLATE_OPS = new Set(['clone', 'copy', 'export', 'metadata_export', 'provision', 'changing_dynamic_range', 'changing_static_range', 'changing_memory_limits', 'changing_shadow_memory', 'changing_VCPUs', 'changing_NVRAM']);
const FEATURE_OPS = new Set(['clean_shutdown', 'clean_reboot', 'suspend', 'checkpoint', 'pool_migrate', 'migrate_send', 'changing_VCPUs_live']);
// What passes check_operation_error on a running control domain among current xapi's
// `allowable_ops` (xapi_vm_lifecycle.ml e2ee48d688 `update_allowed_operations`), in the same
// reverse enum order as ALLOWED_OPS.
const DOM0_OPS = ['metadata_export', 'changing_static_range', 'changing_dynamic_range'];

const CONTROL_DOMAIN_OPS = new Set([
  'data_source_op', 'changing_memory_live', 'awaiting_memory_live', 'metadata_export', 'changing_dynamic_range',
  'changing_memory_limits', 'changing_static_range', 'start', 'start_on',
]);

export function isAllowedConcurrently(op: string, current: string[]): boolean {
  if (current.length === 0) return true;
  const all = (set: string[]) => current.every((c) => set.includes(c)) && set.includes(op);
  if (all(['clone', 'copy', 'export']) || all(['snapshot', 'checkpoint']) || all(['get_boot_record'])) return true;
  if (op === 'hard_shutdown') return !current.includes('hard_shutdown');
  if (op === 'hard_reboot') return !current.includes('hard_shutdown') && !current.includes('hard_reboot');
  return false;
}

export type Check = { ok: true } | { ok: false; wait: true } | { ok: false; wait: false; error: XapiError };

function lacksFeature(vm: Vm, faults: Faults): boolean {
  return vm.power === 'running' && faults.noPvDrivers.has(vm.name);
}

// check_operation_error in its order: blocked, power state, concurrency, template,
// control domain, guest features. `wait` means xapi's retry loop would block.
export function checkOperation(vm: Vm, op: string, faults: Faults): Check {
  const fail = (code: string, params: string[]): Check => ({ ok: false, wait: false, error: new XapiError(code, params) });
  if (op in vm.blocked) return fail('OPERATION_BLOCKED', [vmLabel(vm), vm.blocked[op]]);
  const states = allowedStates(vm, op);
  if (!states.includes(vm.power)) return fail('VM_BAD_POWER_STATE', [vmLabel(vm), states.join(', '), vm.power]);
  if (!isAllowedConcurrently(op, vm.ops.map((o) => o.op))) return { ok: false, wait: true };
  if (vm.template && !(TEMPLATE_OPS.has(op) || (!vm.defaultTemplate && (op === 'destroy' || op === 'migrate_send')))) {
    return fail('VM_IS_TEMPLATE', [vmLabel(vm), op]);
  }
  // xen-api v1.249.42 (and e2ee48d688) ocaml/xapi/xapi_vm_lifecycle.ml `check_operation_error`:
  // changing_VCPUs and destroy are refused on domain zero (the simulated host's only control
  // domain); any other op but those listed is refused on every control domain.
  if (vm.control && (op === 'changing_VCPUs' || op === 'destroy')) return fail('OPERATION_NOT_ALLOWED', ['This operation is not allowed on dom0']);
  if (vm.control && !CONTROL_DOMAIN_OPS.has(op)) return fail('OPERATION_NOT_ALLOWED', ['This operation is not allowed on a control domain']);
  if (FEATURE_OPS.has(op) && lacksFeature(vm, faults)) return fail('VM_LACKS_FEATURE', [vmLabel(vm)]);
  return { ok: true };
}

export function allowedOperations(vm: Vm, faults: Faults): string[] {
  const candidates = vm.control ? DOM0_OPS : vm.template ? ALLOWED_OPS.halted : ALLOWED_OPS[vm.power];
  return candidates.filter((op) => {
    const c = checkOperation(vm, op, faults);
    return c.ok;
  });
}

// The `expected` states string for an op, for fault-injected VM_BAD_POWER_STATE.
export function expectedStates(vm: Vm, op: string): string {
  return allowedStates(vm, op).join(', ');
}
