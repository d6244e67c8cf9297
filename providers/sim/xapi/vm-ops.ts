// Running one VM operation the way xapi does (spec §6.3): check and mark it in
// current-operations under the lock, let its time pass with the lock released, then
// re-lock, complete it and clear the mark. A conflicting operation waits and re-checks.
import { sleep } from '../faults.js';
import { callerPid } from '../daemon-caller.js';
import { newUuid } from '../ids.js';
import type { SimState, Vm } from '../state.js';
import { Killed, type XeRun } from './context.js';
import { ERRORS, XapiError } from './errors.js';
import { checkOperation, expectedStates, vmLabel } from './lifecycle.js';
import { completeOperation } from './operations.js';
import type { Ctx } from './record-format.js';

const CANCELLED_BY: Record<string, string[]> = {
  hard_shutdown: ['clean_shutdown', 'clean_reboot', 'hard_reboot', 'pool_migrate', 'call_plugin', 'shutdown', 'suspend'],
  hard_reboot: ['clean_shutdown', 'clean_reboot', 'pool_migrate', 'call_plugin', 'suspend'],
};

// OCaml's string_of_float, as xapi prints the VM_SHUTDOWN_TIMEOUT timeout.
function ocamlFloat(x: number): string {
  return Number.isInteger(x) ? `${x}.` : String(x);
}

export function faultError(f: { code: string; params?: string[] }, vm: Vm | null, op: string): XapiError {
  if (f.params) return new XapiError(f.code, f.params);
  const names = ERRORS[f.code]?.params ?? [];
  const params = names.map((n) => {
    if (vm && (n === 'vm' || n === 'object' || n === 'ref')) return vmLabel(vm);
    if (vm && n === 'expected') return expectedStates(vm, op);
    if (vm && n === 'actual') return vm.power;
    if (n === 'class') return 'VM';
    if (n === 'operation_type') return op;
    return '';
  });
  return new XapiError(f.code, params);
}

export interface OpHooks<T> {
  precheck?(st: SimState, vm: Vm, c: Ctx): void;
  complete?(st: SimState, vm: Vm, c: Ctx): T;
}

export async function runVmOp<T = void>(run: XeRun, uuid: string, op: string, args: Record<string, string> = {}, hooks: OpHooks<T> = {}): Promise<T | undefined> {
  let task: string | null = null;
  let vmName = '';
  let injected: XapiError | null = null;
  for (let attempt = 0; task === null && injected === null; attempt++) {
    if (attempt > 0) await sleep(15 + Math.random() * 35);
    await run.update((st, c) => {
      const vm = st.vms[uuid];
      if (!vm) throw new XapiError('HANDLE_INVALID', ['VM', `OpaqueRef:${uuid}`]);
      if (run.fail) {
        injected = faultError(run.fail, vm, op);
        run.fail = null;
        return;
      }
      const check = checkOperation(vm, op, run.faults);
      if (!check.ok) {
        if (check.wait) return;
        throw check.error;
      }
      hooks.precheck?.(st, vm, c);
      const cancels = CANCELLED_BY[op] ?? [];
      vm.ops = vm.ops.filter((o) => !cancels.includes(o.op));
      task = newUuid(st);
      vmName = vm.name;
      // A process about to be killed leaves its mark behind; in-process, pid 0 marks it dead.
      vm.ops.push({ task, op, pid: run.kill && !run.env.exitOnKill ? 0 : callerPid(), ...(Object.keys(args).length ? { args } : {}) });
    });
  }
  if (injected) {
    await run.latency();
    throw injected;
  }
  if (run.kill) throw new Killed();
  await run.latency();
  const ignores = (op === 'clean_shutdown' || op === 'clean_reboot') && run.faults.ignoreCleanShutdown.has(vmName);
  if (ignores) await sleep(run.faults.cleanShutdownTimeoutMs);
  return run.update((st, c) => {
    const vm = st.vms[uuid];
    if (!vm) throw new XapiError('HANDLE_INVALID', ['VM', `OpaqueRef:${uuid}`]);
    const mine = vm.ops.find((o) => o.task === task);
    if (!mine) throw new XapiError('TASK_CANCELLED', [task ?? '']);
    vm.ops = vm.ops.filter((o) => o !== mine);
    if (ignores) throw new XapiError('VM_SHUTDOWN_TIMEOUT', [vmLabel(vm), ocamlFloat(run.faults.cleanShutdownTimeoutMs / 1000)]);
    if (hooks.complete) return hooks.complete(st, vm, c);
    completeOperation(st, vm, op, args, run.env);
    return undefined;
  });
}

// A synchronous operation (memory and vCPU setters): checked and applied under one lock,
// waiting while a conflicting operation runs.
export async function runSyncVmOp(run: XeRun, uuid: string, op: string, apply: (st: SimState, vm: Vm, c: Ctx) => void): Promise<void> {
  await run.latency();
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) await sleep(15 + Math.random() * 35);
    const done = await run.update((st, c) => {
      const vm = st.vms[uuid];
      if (!vm) throw new XapiError('HANDLE_INVALID', ['VM', `OpaqueRef:${uuid}`]);
      if (run.fail) {
        const f = run.fail;
        run.fail = null;
        throw faultError(f, vm, op);
      }
      const check = checkOperation(vm, op, run.faults);
      if (!check.ok) {
        if (check.wait) return false;
        throw check.error;
      }
      apply(st, vm, c);
      return true;
    });
    if (done) return;
  }
}
