// The route of a `vcpus` change, chosen from what refresh observed of the guest: hot-plugged on
// a running guest that can take it, else set for the next boot (the catalog's rule).
import type { PowerState, Toolstack } from '../model/vm.js';
import type { AttributeChange } from '../plan/types.js';
import { guestCan, type Route, type RouteContext } from './route-context.js';

// xapi: `xe vm-vcpu-hotplug new-vcpus=N` calls VM.set_VCPUs_number_live (cli_operations.ml
// vm_vcpu_hotplug), allowed on a Running VM only (xapi_vm_lifecycle.ml allowed_power_states,
// `changing_VCPUs_live`), refused with VM_LACKS_FEATURE when the guest has neither PV drivers
// nor "feature-vcpu-hotplug" (check_op_for_feature), and bounded by VCPUs_max (INVALID_VALUE,
// xapi_xenops.ml set_vcpus, which also sets VCPUs_at_startup: the next boot keeps the count).
// xl: `xl vcpu-set <domain> <count>` (xl(1)) brings vCPUs online or offline up to maxvcpus.
const LIVE_REASON: Record<Toolstack, string> = {
  xapi: "vm-vcpu-hotplug sets the running guest's vCPUs, up to vcpus_max, and the count it boots with",
  xl: "xl vcpu-set sets the running guest's vCPUs, up to vcpus_max, and the guest file is rewritten to match",
};
const NEXT_BOOT = 'VCPUs-at-startup takes effect at the next boot';

function notLive(ctx: RouteContext): string {
  if (!ctx.guest) return "the host does not report the guest's capabilities, so vCPU hot-plug is not assumed";
  if (ctx.toolstack === 'xl') return 'only a PV guest takes vCPUs from xl vcpu-set without a reboot';
  return 'the guest has no PV drivers and does not report feature-vcpu-hotplug (XAPI refuses vm-vcpu-hotplug with VM_LACKS_FEATURE)';
}

export function vcpuRoute(_c: AttributeChange, ctx: RouteContext): Route | undefined {
  if (ctx.power === 'halted') return undefined; // set on a halted VM: the fixed rule
  if (ctx.power !== 'running') {
    return { effect: 'next_boot', reason: NEXT_BOOT, condition: `vCPUs are hot-plugged only into a running VM, and this one is ${ctx.power}` };
  }
  // check_op_for_feature: PV drivers (or a PV guest) imply every feature; else the guest must
  // report feature-vcpu-hotplug.
  if (guestCan(ctx, 'hotplug_vcpus') || guestCan(ctx, 'pv_drivers')) {
    return { effect: 'live', reason: LIVE_REASON[ctx.toolstack], condition: 'the running guest supports vCPU hot-plug' };
  }
  return { effect: 'next_boot', reason: NEXT_BOOT, condition: notLive(ctx) };
}

// A hot-plug needs the guest running when the `set` runs: when another change halts the VM,
// or the VM is to be halted, the count is set instead (it takes effect at the next start).
export function vcpusWithoutHotplug(changes: AttributeChange[], target: PowerState): void {
  const i = changes.findIndex((c) => c.path === 'vcpus' && c.effect === 'live');
  if (i < 0) return;
  const c = changes[i];
  let condition: string | undefined;
  if (target !== 'running') condition = `vCPUs are hot-plugged only into a running VM, and this one is to be ${target}`;
  else if (changes.some((o) => o !== c && o.effect === 'requires_halt')) condition = 'the VM is halted for another change, so the count is set while it is halted';
  if (condition) changes[i] = { ...c, effect: 'next_boot', reason: NEXT_BOOT, condition };
}
