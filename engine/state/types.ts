// The state file model (DESIGN.md "State"). Its file format and storage live beside it.
import type { BootAttributes, VmAttributes } from '../../planner/model.js';

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
}

export interface State {
  version: number;
  lineage: string;
  serial: number;
  xenform_version: string;
  resources: StateResource[];
  outputs: Record<string, { value: unknown; sensitive: boolean }>;
}
