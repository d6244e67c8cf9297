// The routes of firmware changes: BIOS <-> UEFI, Secure Boot and the vTPM. None of them reaches
// a running domain; the plan says what each waits for. Refusing a vTPM's destruction is not a
// route but a plan-wide rule (planner/plan/vtpm-guard.ts), since a destroy or replace loses it too.
import type { AttributeChange } from '../plan/types.js';
import type { Route, RouteContext } from './route-context.js';

// xapi (v26.17.0): HVM-boot-params:firmware is "bios" or "uefi", read when the domain is built
// (xapi_xenops.ml firmware_of_vm, INVALID_VALUE otherwise). The UEFI variables live in the VM's
// NVRAM field, which "cannot be changed while the VM is running" (datamodel_vm.ml NVRAM;
// xapi_vm_lifecycle.ml allowed_power_states `changing_NVRAM -> [Halted]`): xenform clears it
// with the switch (vm-param-clear param-name=NVRAM), so the switch waits for a halt. xl: the
// firmware (xl.cfg(5) firmware=/bios=) is chosen when the domain is built; OVMF keeps no
// variables across domains there, so there is nothing to clear.
export function firmwareRoute(c: AttributeChange, ctx: RouteContext): Route {
  const to = c.after === 'uefi' ? 'UEFI' : 'BIOS';
  const nvram = ctx.toolstack === 'xapi' ? ', and its NVRAM (UEFI variables) is cleared, so the guest starts with fresh firmware settings' : '';
  const reason = `the firmware is switched to ${to} while the VM is halted${nvram}`;
  if (ctx.power === 'halted') return { effect: 'requires_halt', reason, condition: `the VM is halted: the switch to ${to} firmware is made as it is${nvram}` };
  return { effect: 'requires_halt', reason, condition: `the VM is ${ctx.power}: a domain keeps the firmware it was built with, so it is halted for the switch to ${to}${nvram}` };
}

// xapi_vm.ml start: platform:secureboot is read (and "auto" resolved) when the VM starts, so a
// change reaches the guest at its next boot (varstored enforces it from then on).
export function secureBootRoute(c: AttributeChange, ctx: RouteContext): Route | undefined {
  if (ctx.power === 'halted') return undefined; // set on a halted VM: the fixed rule
  const on = c.after === true ? 'on' : 'off';
  return {
    effect: 'next_boot',
    reason: `Secure Boot is turned ${on} at the next boot (platform:secureboot)`,
    condition: `the VM is ${ctx.power}: platform:secureboot is read when the domain is built`,
  };
}

// xapi_vtpm.ml create': assert_initial_power_state_is `Halted (VM_BAD_POWER_STATE otherwise), and
// xapi_vm_lifecycle.ml allowed_power_states `create_vtpm -> [Halted]`; at most one vTPM per VM
// (VTPM_MAX_AMOUNT_REACHED). xapi_vtpm.ml destroy: Halted or Suspended; xenform halts for both.
export function vtpmRoute(c: AttributeChange, ctx: RouteContext): Route {
  const adding = c.after === true;
  const reason = adding ? 'a vTPM is created (vtpm-create) while the VM is halted' : 'the vTPM and the keys it holds are destroyed (vtpm-destroy) while the VM is halted';
  if (ctx.power === 'halted') return { effect: 'requires_halt', reason };
  const what = adding ? 'XAPI creates a vTPM only for a halted VM' : 'xenform destroys a vTPM only while its VM is halted';
  return { effect: 'requires_halt', reason, condition: `the VM is ${ctx.power}, and ${what}` };
}
