// The route of a `vcpus` change, chosen from what refresh observed of the guest: hot-plugged on
// a running guest that can take it, else set for the next boot (the catalog's rule).
import type { ObservedVm, PowerState, Toolstack } from '../model/vm.js';
import type { AttributeChange } from '../plan/types.js';

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

function notLive(observed: ObservedVm, toolstack: Toolstack): string {
  const g = observed.guest;
  if (!g) return "the host does not report the guest's capabilities, so vCPU hot-plug is not assumed";
  if (toolstack === 'xl') return 'only a PV guest takes vCPUs from xl vcpu-set without a reboot';
  return 'the guest has no PV drivers and does not report feature-vcpu-hotplug (XAPI refuses vm-vcpu-hotplug with VM_LACKS_FEATURE)';
}

// Rewrites the `vcpus` change in `changes`, if any, to the route this VM allows. `target` is
// the power state the VM is brought to.
export function routeVcpus(changes: AttributeChange[], observed: ObservedVm, target: PowerState, toolstack: Toolstack): void {
  const i = changes.findIndex((c) => c.path === 'vcpus');
  if (i < 0) return;
  const c = changes[i];
  const current = observed.attributes.power_state;
  if (current === 'halted' || target === 'halted') return; // set on a halted VM (or one being halted): the fixed rule
  let condition: string;
  if (current !== 'running' || target !== 'running') {
    condition = `vCPUs are hot-plugged only into a running VM, and this one is ${current === 'running' ? `to be ${target}` : current}`;
  } else if (changes.some((o) => o !== c && o.effect === 'requires_halt')) {
    condition = 'the VM is halted for another change, so the count is set while it is halted';
  } else if (observed.guest?.hotplug_vcpus) {
    changes[i] = { ...c, effect: 'live', reason: LIVE_REASON[toolstack], condition: 'the running guest supports vCPU hot-plug' };
    return;
  } else {
    condition = notLive(observed, toolstack);
  }
  changes[i] = { ...c, condition };
}
