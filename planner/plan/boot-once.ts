// `boot { once = "d" }`: the VM boots from CD (d), the network (n) or disk (c) at the next start
// only, and from its permanent order after that.
//
// XAPI has no one-shot boot: VM.start reads HVM-boot-params:order each time (xen-api e2ee48d688
// ocaml/xapi/xapi_xenops.ml `MD.of_vm`, `boot_order = assume_default_if_null_empty
// vm.HVM_boot_params "cd" "order"`) and xenopsd hands qemu `-boot order=` with it
// (ocaml/xenopsd/xc/device.ml `"order=" ^ info.Dm_Common.boot`; qemu's own `-boot once=` is not
// used). So the start step carries the one-shot order: the provider sets it, starts the VM and
// restores the permanent order right after the start, in the same step
// (providers/xapi/boot-once.ts). The booted-with marker records the permanent order, so the
// next plan sees nothing pending: the one-shot is consumed, not drift.
//
// "The next start" is the first start of a VM created by this plan or halted when it was
// planned; a running VM is never restarted for it, and the restart of a halt route (a change
// made while halted) keeps the permanent order.
import type { BootAttributes, PowerState } from '../model/vm.js';
import type { AttributeChange } from './types.js';
import type { VmSteps } from './vm-steps.js';

export type BootOnce = 'c' | 'd' | 'n';

const FROM: Record<BootOnce, string> = { c: 'the first disk', d: 'CD', n: 'the network' };
export const BOOT_ONCE_LIFETIME = 'once, at the next start';

// Marks the first start of `planned` with the one-shot order and returns the change the plan
// shows; null when the steps start nothing the one-shot applies to.
export function planBootOnce(once: BootOnce | undefined, planned: VmSteps, boot: BootAttributes, current: PowerState | null): AttributeChange | null {
  if (!once || boot.mode !== 'hvm' || (current !== null && current !== 'halted')) return null;
  const start = planned.steps.find((s) => s.op === 'start');
  if (!start || start.op !== 'start') return null;
  const restore = boot.order || 'cd';
  start.args = { ...start.args, boot_once: { order: once, restore } };
  return {
    path: 'boot.once',
    before: restore,
    after: once,
    effect: 'live',
    reason: `the VM boots from ${FROM[once]} at this start (HVM-boot-params order "${once}" set before vm-start), and the permanent order "${restore}" is restored right after it`,
    lifetime: BOOT_ONCE_LIFETIME,
    sensitive: false,
  };
}
