// The VM memory and vCPU commands: vm-memory-*-set and vm-vcpu-hotplug.
import type { Vm } from '../state.js';
import { parseInteger, parseSize } from './args.js';
import type { XeRun } from './context.js';
import { XapiError } from './errors.js';
import { checkMemory } from './vm-record.js';
import { runSyncVmOp } from './vm-ops.js';
import { type Command, onSelected } from './select.js';

export function memoryCommand(own: string[], op: string, apply: (run: XeRun, vm: Vm) => void): Command {
  return {
    required: own,
    own,
    run: (run) => {
      // Parse first: a bad size fails before any VM is looked at.
      const dummy = { smin: 0, smax: 0, dmin: 0, dmax: 0 } as Vm;
      apply(run, dummy);
      return onSelected(run, { own, control: true, templates: true }, async (sel) => {
        await runSyncVmOp(run, sel.uuid, op, (_st, vm) => apply(run, vm));
        return '';
      });
    },
  };
}

export function sizes(run: XeRun, names: string[]): number[] {
  return names.map((n) => parseSize(n, run.get(n)!));
}

export function setMemory(vm: Vm, m: { smin?: number; smax?: number; dmin?: number; dmax?: number }): void {
  const next = { smin: m.smin ?? vm.smin, smax: m.smax ?? vm.smax, dmin: m.dmin ?? vm.dmin, dmax: m.dmax ?? vm.dmax };
  if (vm.uuid) checkMemory(next);
  Object.assign(vm, next);
}

export const vcpuHotplug: Command = {
  required: ['new-vcpus'],
  own: ['new-vcpus'],
  run: (run) => {
    const n = parseInteger('new-vcpus', run.get('new-vcpus')!);
    return onSelected(run, { own: ['new-vcpus'] }, async (sel) => {
      await runSyncVmOp(run, sel.uuid, 'changing_VCPUs_live', (_st, vm) => {
        if (n < 1 || n > vm.vcpusMax) throw new XapiError('INVALID_VALUE', ['VCPU values must satisfy: 0 < VCPUs ≤ VCPUs_max', String(n)]);
        vm.vcpusLive = n;
        vm.vcpusAtStartup = n;
      });
      return '';
    });
  },
};
