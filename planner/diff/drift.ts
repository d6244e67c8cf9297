// What changed outside xenform since it last applied: the state against the observed VM.
import type { BootAttributes, ObservedVm } from '../model/vm.js';
import { bootFieldsChanged, isIgnored } from '../model/attributes.js';
import type { StateResource } from '../model/state.js';
import type { Drift } from '../plan/types.js';
import { type AllocationUnits, diffAttributes } from './compare.js';

export function bootDiffers(a: BootAttributes, b: BootAttributes): boolean {
  return bootFieldsChanged(a, b).length > 0;
}

// `units`: the allocation units of the host's SRs. A disk is the one recorded when the host's is
// at least as large and less than one unit larger, the rule plans use (compare.ts `sameDisk`).
export function attributeDrift(resource: StateResource, observed: ObservedVm, ignore: readonly string[], units?: AllocationUnits): Drift[] {
  const out: Drift[] = [];
  const base = { address: resource.address, host: resource.host, uuid: observed.uuid };
  const recordedPower = resource.attributes.power_state;
  const observedPower = observed.attributes.power_state;
  if (recordedPower !== observedPower && !isIgnored('power_state', ignore)) {
    out.push({
      ...base,
      kind: 'power_state',
      path: 'power_state',
      before: recordedPower,
      after: observedPower,
      message: `power state changed outside xenform: ${recordedPower} -> ${observedPower}`,
    });
  }
  // the recorded attributes play the desired ones: a change's `before` is the host's value
  for (const c of diffAttributes(resource.attributes, observed.attributes, ignore, units)) {
    out.push({
      ...base,
      kind: 'attribute',
      path: c.path,
      before: c.after,
      after: c.before,
      message: `${c.path} was changed outside xenform`,
    });
  }
  return out;
}

// "Configured but not yet booted": the VM's domain runs an older boot configuration.
export function pendingReboot(resource: StateResource | null, observed: ObservedVm): string | null {
  const hasDomain = observed.attributes.power_state !== 'halted' && observed.attributes.power_state !== 'crashed';
  if (!hasDomain) return null;
  // a domain rebuilt outside xenform (a guest or admin reboot) booted the configuration set
  if (resource?.pending_reboot && !observed.rebuilt_outside) return 'boot changes were set with apply_boot_changes = "next_boot" and have not been booted yet';
  if (observed.booted_with && bootDiffers(observed.booted_with, observed.attributes.boot)) {
    return 'the running domain was booted with a different boot configuration than the VM now has';
  }
  if (observed.requires_reboot) return 'the host reports that the VM requires a reboot to apply its configuration';
  return null;
}

// A pending reboot is the configuration waiting for a boot, not a change made outside
// xenform: plans list it in its own section, and it is nothing to record or to apply.
export const changedOutside = (drift: readonly Drift[]): Drift[] => drift.filter((d) => d.kind !== 'pending_reboot');
export const notYetBooted = (drift: readonly Drift[]): Drift[] => drift.filter((d) => d.kind === 'pending_reboot');
