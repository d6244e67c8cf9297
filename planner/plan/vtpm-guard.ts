// A vTPM holds the guest's keys (BitLocker, LUKS sealed to the TPM, systemd-creds): destroying
// it cannot be undone, and XAPI's vtpm-destroy, vm-destroy and a replacement's new VM all lose
// them (xapi_vtpm.ml destroy drops the VTPM's secret; xapi_vm_helpers.ml destroy the VM's
// VTPMs). A plan that would is refused unless the VM's lifecycle allows it.
import type { Action, AttributeChange } from './types.js';
import type { VmAttributes } from '../model/vm.js';
import type { VmConfig } from '../config/types.js';

export interface VtpmWork {
  address: string;
  action: Action;
  before: VmAttributes | null; // as observed (or recorded)
  changes: readonly AttributeChange[];
  vm: VmConfig | null; // the VM's block; null when it was removed from the configuration
  drafts: readonly { op: string }[]; // the steps planned for it
}

// Why the plan may not go ahead for this VM, or undefined.
export function vtpmRefusal(w: VtpmWork): string | undefined {
  if (w.before?.vtpm !== true || w.vm?.lifecycle.allow_vtpm_destroy) return undefined;
  const removed = w.changes.some((c) => c.path === 'vtpm' && c.after === false);
  const gone = (w.action === 'delete' || w.action === 'replace') && w.drafts.some((d) => d.op === 'destroy');
  if (!removed && !gone) return undefined;
  const how = removed ? 'vtpm = false would destroy its vTPM' : w.action === 'replace' ? 'replacing it would destroy its vTPM with the VM (the new VM gets a new, empty one)' : 'destroying it would destroy its vTPM';
  const out = w.vm
    ? `Add lifecycle { allow_vtpm_destroy = true } to its vm block to let it go${removed ? ', or keep vtpm = true' : ''}.`
    : `To let it go, put its vm block back with lifecycle { allow_vtpm_destroy = true } and run \`xenform destroy --target ${w.address}\`; to keep the VM, add a removed block with lifecycle { destroy = false }.`;
  return `${w.address}: ${how}, and the keys the guest keeps in it (disk encryption, sealed secrets) with it. ${out}`;
}
