// The VM power-state commands (vm-start, vm-shutdown, ...) and the ones that end a VM:
// vm-destroy, vm-uninstall and vm-reset-powerstate.
import type { Host, SimState, Vm } from '../state.js';
import { memberByNameOrUuid } from './pool.js';
import { vmByUuid, type XeRun } from './context.js';
import { CliError, NO_FORCE, XapiError } from './errors.js';
import { vmLabel } from './lifecycle.js';
import { checkBootable, enterPower, suspendSrOf } from './operations.js';
import { vmVbds, vmVifs } from './vm-record.js';
import { runVmOp } from './vm-ops.js';
import { type Command, MultipleFailed, onSelected, type SelectOpts } from './select.js';

export function lifecycle(op: (run: XeRun) => string, own: string[], o: Partial<SelectOpts> = {}, args: (run: XeRun) => Record<string, string> = () => ({})): Command {
  return {
    own,
    run: (run) =>
      onSelected(run, { own, ...o }, async (vm) => {
        const name = op(run);
        const a = args(run);
        await runVmOp(run, vm.uuid, name, a, {
          precheck: (st, v) => {
            // vm-start/vm-resume on=HOST: VM.start_on/resume_on (cli_operations.ml `vm_start`).
            if (name === 'start' || name === 'resume') a.host = checkBootable(st, v, run.env, true, onHost(run, st)).uuid;
            if (name === 'suspend' && !suspendSrOf(st, v)) throw new XapiError('VM_NO_SUSPEND_SR', [vmLabel(v)]);
          },
        });
        return '';
      }),
  };
}

function onHost(run: XeRun, st: SimState): Host | undefined {
  const on = run.get('on');
  if (on === undefined) return undefined;
  const host = memberByNameOrUuid(st, on);
  // cli_operations.ml `get_host_by_name_or_id`: failwith ("Host " ^ name ^ " not found")
  if (!host) throw new CliError(`Host ${on} not found`);
  return host;
}

function destroyVmRecord(st: SimState, vm: Vm): void {
  for (const vbd of vmVbds(st, vm)) delete st.vbds[vbd.uuid];
  for (const vif of vmVifs(st, vm)) delete st.vifs[vif.uuid];
  delete st.vms[vm.uuid];
}

export const vmDestroy: Command = {
  required: ['uuid'],
  run: async (run) => {
    await run.latency();
    const uuid = run.get('uuid')!;
    const vm = await run.read((st) => {
      const v = vmByUuid(st, uuid);
      if (v.control) throw new XapiError('OPERATION_NOT_ALLOWED', ['You cannot destroy a control domain via the CLI']);
      return v;
    });
    void vm;
    await runVmOp(run, uuid, 'destroy', {}, {
      complete: (st, v) => {
        destroyVmRecord(st, v);
      },
    });
    return '';
  },
};

export const vmUninstall: Command = {
  own: [],
  run: (run) =>
    onSelected(run, { own: [] }, async (sel) => {
      const listing = await run.read((st) => {
        const vm = st.vms[sel.uuid];
        const lines = ['The following items are about to be destroyed', `VM : ${vmLabel(vm)}`];
        for (const vbd of vmVbds(st, vm)) {
          if (!vbd.vdi || !('owner' in vbd.other) || !st.vdis[vbd.vdi]) continue;
          const vdi = st.vdis[vbd.vdi];
          const shared = Object.values(st.vbds).some((o) => o.vdi === vdi.uuid && o.vm !== vm.uuid);
          lines.push(`VDI: ${vdi.uuid} (${vdi.name})${shared ? ' ** WARNING: disk is shared by other VMs' : ''}`);
        }
        return lines.join('\n') + '\n';
      });
      if (!run.flag('force')) {
        // [UNCONFIRMED] without a terminal to answer the prompt, the command ends here with exit 1.
        throw new MultipleFailed(listing + "Type 'yes' to continue\n");
      }
      const power = await run.read((st) => st.vms[sel.uuid]?.power);
      if (power !== 'halted') await runVmOp(run, sel.uuid, 'hard_shutdown');
      await runVmOp(run, sel.uuid, 'destroy', {}, {
        complete: (st, vm) => {
          const owned = vmVbds(st, vm).filter((b) => b.vdi && 'owner' in b.other).map((b) => b.vdi!);
          if (vm.suspendVdi) owned.push(vm.suspendVdi);
          destroyVmRecord(st, vm);
          for (const v of owned) delete st.vdis[v];
        },
      });
      return listing + 'All objects destroyed\n';
    }),
};

export const vmResetPowerstate: Command = {
  own: [],
  run: (run) =>
    onSelected(run, { own: [], control: true }, async (sel) => {
      if (!run.flag('force')) throw new CliError(NO_FORCE);
      await run.update((st) => {
        const vm = st.vms[sel.uuid];
        if (vm.control) throw new XapiError('CANNOT_RESET_CONTROL_DOMAIN', [vmLabel(vm)]);
        vm.ops = [];
        // Not resetToHalted: force_state_reset keeps a suspend image (xapi_vm_lifecycle.ml
        // `force_state_reset_keep_current_operations`).
        enterPower(vm, 'halted');
        vm.domid = -1;
        vm.residentOn = null;
        vm.vcpusLive = 0;
        delete vm.crashAt;
        for (const b of vmVbds(st, vm)) b.attached = false;
        for (const f of vmVifs(st, vm)) f.attached = false;
      });
      return '';
    }),
};
