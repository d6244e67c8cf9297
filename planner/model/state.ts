// The state model (DESIGN.md "State"): what xenform recorded, the planner's third input beside
// the configuration and the hosts. Its file format, storage and lock live in engine/state.
import type { BootAttributes, ShutdownPolicy, VmAttributes } from './vm.js';

export const STATE_VERSION = 1;
export const STATE_FILE = 'xenform.state.json';

export interface StateResource {
  address: string; // "vm.web[0]"
  host: string;
  uuid: string;
  attributes: VmAttributes; // as last applied (desired values that apply made true)
  booted_with: BootAttributes | null; // the boot configuration of the VM's current domain
  restart_trigger: string | null;
  owned: boolean; // created by xenform (false for imported VMs: never destroyed without asking)
  pending_reboot: boolean; // boot changes set but not yet booted (apply_boot_changes = "next_boot")
  // The shutdown policy its block last had: used to shut it down once the block is gone.
  // Absent in states written before it was recorded.
  shutdown?: ShutdownPolicy;
  // Attribute paths whose values derive from sensitive variables, as the last apply planned
  // them: `state show` masks them. Absent when there are none.
  sensitive_paths?: string[];
}

// A create that an interrupted apply started but never saw finish. The VM may exist without
// its ownership markers (killed between creating it and marking it); the next refresh looks
// for a VM of that name that was not on the host before the apply, and records it.
export interface PendingCreate {
  address: string;
  host: string;
  name: string; // the name-label the create gave
  template: string;
  preexisting: string[]; // uuids of VMs with that name on the host before the create
  deposes?: string; // create_before_destroy: the old VM the create replaces (marked ADDRESS#deposed before it)
}

export interface State {
  version: number;
  lineage: string;
  serial: number;
  xenform_version: string;
  resources: StateResource[];
  outputs: Record<string, { value: unknown; sensitive: boolean }>;
  pending_creates?: PendingCreate[]; // absent when none
  // Old VMs of create_before_destroy replaces whose destroy has not yet succeeded; their host
  // marker reads "ADDRESS#deposed". Absent when none.
  deposed?: StateResource[];
}
