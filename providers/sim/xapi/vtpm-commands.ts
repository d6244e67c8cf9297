// vTPMs: vtpm-create, vtpm-destroy and the vtpm class (vtpm-list, vtpm-param-*), as xen-api
// v26.17.0 has them: cli_frontend.ml "vtpm-create" (reqd vm-uuid, optn is-unique) and
// "vtpm-destroy" (reqd uuid, optn force); cli_operations.ml VTPM.create prints the new uuid,
// VTPM.destroy fails without --force (fail_without_force). message_forwarding.ml VTPM.create
// runs under the VM operation `create_vtpm` (Halted only: xapi_vm_lifecycle.ml
// allowed_power_states; at most one: VTPM_MAX_AMOUNT_REACHED in check_operation_error);
// xapi_vtpm.ml destroy asserts the VM Halted or Suspended (assert_initial_power_state_in, which
// joins the expected states with ";"). The pool is taken to have restrict_vtpm = false
// (xapi_vtpm.ml assert_not_restricted would refuse with FEATURE_RESTRICTED otherwise).
import type { SimState, Vm, Vtpm } from '../state.js';
import { newUuid } from '../ids.js';
import { CliError, NO_FORCE, XapiError } from './errors.js';
import { checkOperation, vmLabel } from './lifecycle.js';
import { vmByUuid } from './context.js';
import type { Field } from './record-format.js';
import type { Command } from './select.js';

export const vtpmsOfVm = (vm: Vm): Vtpm[] => vm.vtpms ?? [];

export function allVtpms(st: SimState): Vtpm[] {
  const out: Vtpm[] = [];
  for (const id in st.vms) if (st.vms[id].vtpms) out.push(...st.vms[id].vtpms!);
  return out;
}

// records.ml vtpm_record; "secret" (an MD5 of the contents) is left out: xenform never reads it.
export const VTPM_FIELDS: Field<Vtpm>[] = [
  { name: 'uuid', kind: 'RO', get: (v) => v.uuid },
  { name: 'vm-uuid', kind: 'RO', get: (v) => v.vm },
  { name: 'vm-name-label', kind: 'RO', get: (v, c) => c.st.vms[v.vm]?.name ?? '<not in database>' },
  { name: 'is_unique', kind: 'RO', get: (v) => String(v.unique) },
  { name: 'is_protected', kind: 'RO', get: () => 'false' },
  // xapi_vm_lifecycle.ml vtpm_update_allowed_operations: destroy while the VM is Halted
  { name: 'allowed-operations', kind: 'SRO', get: (v, c) => (c.st.vms[v.vm]?.power === 'halted' ? ['destroy'] : []) },
];

export const vtpmCreate: Command = {
  required: ['vm-uuid'],
  own: ['vm-uuid', 'is-unique', 'is_unique'],
  run: async (run) => {
    await run.latency();
    return run.update((st, c) => {
      const vm = vmByUuid(st, run.get('vm-uuid')!);
      const check = checkOperation(vm, 'create_vtpm', c.faults);
      if (!check.ok && !check.wait) throw check.error;
      if (vtpmsOfVm(vm).length > 0) throw new XapiError('VTPM_MAX_AMOUNT_REACHED', [String(vtpmsOfVm(vm).length)]);
      const unique = ['true', 'yes', 'on'].includes((run.get('is-unique') ?? run.get('is_unique') ?? 'false').toLowerCase());
      const vtpm: Vtpm = { uuid: newUuid(st), vm: vm.uuid, unique };
      vm.vtpms = [...vtpmsOfVm(vm), vtpm];
      return vtpm.uuid + '\n';
    });
  },
};

export const vtpmDestroy: Command = {
  required: ['uuid'],
  run: async (run) => {
    if (!run.flag('force')) throw new CliError(NO_FORCE);
    await run.latency();
    return run.update((st) => {
      const uuid = run.get('uuid')!;
      const vtpm = allVtpms(st).find((v) => v.uuid === uuid);
      if (!vtpm) throw new XapiError('UUID_INVALID', ['VTPM', uuid]);
      const vm = st.vms[vtpm.vm];
      if (vm.power !== 'halted' && vm.power !== 'suspended') throw new XapiError('VM_BAD_POWER_STATE', [vmLabel(vm), 'halted;suspended', vm.power]);
      vm.vtpms = vtpmsOfVm(vm).filter((v) => v.uuid !== uuid);
      return '';
    });
  },
};
