// The domain vocabulary shared by every layer: what a VM looks like once the
// configuration is evaluated, what a provider observes on a host, and the steps
// a plan is made of. Pure types and small constants, no behaviour.

export type Toolstack = 'xapi' | 'xl';

// What a user can ask for.
export type DesiredPowerState = 'running' | 'halted' | 'paused' | 'suspended';
// What a host can report. XAPI never reports `crashed`; xl does.
export type PowerState = DesiredPowerState | 'crashed';

// A running, paused or suspended VM has a domain (or a memory image of one): its boot
// configuration is the one it was built with, not necessarily the current one.
export const hasDomain = (p: PowerState): boolean => p === 'running' || p === 'paused' || p === 'suspended';

export type Disruption = 'none' | 'reboot' | 'halt' | 'replace' | 'destroy';
export const DISRUPTION_ORDER: readonly Disruption[] = ['none', 'reboot', 'halt', 'replace', 'destroy'];

export type Effect = 'live' | 'next_boot' | 'requires_halt' | 'forces_replace';

export type BootMode = 'pv' | 'hvm';

export interface MemoryAttributes {
  static_min: number; // bytes
  static_max: number;
  dynamic_min: number;
  dynamic_max: number;
}

export interface BootAttributes {
  mode: BootMode;
  // pv
  bootloader: string;
  kernel: string;
  ramdisk: string;
  args: string;
  bootloader_args: string;
  // hvm
  order: string; // [cdn]+
  firmware: 'bios' | 'uefi';
}

export interface DiskAttributes {
  name: string; // the block label, recorded as the VDI name-label suffix / other-config key
  size: number; // bytes
  sr: string; // SR name-label
  bootable: boolean;
  device?: string; // userdevice, assigned by position when absent
}

export interface NetworkAttributes {
  name: string; // the block label, e.g. "eth0"
  network: string; // network name-label or bridge
  mac?: string;
}

// The canonical, provider-neutral description of a VM. The configuration is
// evaluated into it, providers read hosts into it, the state records it and the
// plan JSON shows it as `before` and `after`.
export interface VmAttributes {
  name: string;
  description: string;
  template: string; // template name-label; "" when unknown (imported VM)
  power_state: PowerState;
  memory: MemoryAttributes;
  vcpus: number; // VCPUs-at-startup
  vcpus_max: number;
  boot: BootAttributes;
  // The disks xenform manages: those declared in the configuration. A host reports only the
  // disks xenform created (marked), so a template's own disks are left alone.
  disks: DiskAttributes[];
  networks: NetworkAttributes[];
  tags: string[];
  other_config: Record<string, string>; // user keys only; xenform-* markers are not part of it
}

export interface ShutdownPolicy {
  mode: 'clean' | 'hard';
  timeout_ms: number;
  fallback: 'hard' | 'fail';
}

export interface LifecyclePolicy {
  prevent_destroy: boolean;
  ignore_changes: string[]; // attribute paths, e.g. "tags", "boot.args"
  max_disruption: Exclude<Disruption, 'destroy'>;
  apply_boot_changes: 'reboot' | 'next_boot';
}

// Ownership markers every VM created by xenform carries in other-config.
export const MARKER_ADDRESS = 'xenform-address';
export const MARKER_LINEAGE = 'xenform-lineage';

// A VM as a host reports it.
export interface ObservedVm {
  uuid: string;
  host: string; // the host block name
  attributes: VmAttributes;
  markers: { address?: string; lineage?: string }; // from other-config
  dom_id: number; // -1 when no domain exists
  // What the running domain was built with, when the provider can tell
  // (xl: the domain's config; XAPI: last-boot-record). Null when halted or unknown.
  booted_with: BootAttributes | null;
  requires_reboot: boolean; // XAPI requires-reboot, or a known pending boot change
}

export interface HostInventory {
  host: string;
  toolstack: Toolstack;
  vms: ObservedVm[]; // every VM on the host, managed or not (not the control domain, not templates)
  templates: { uuid: string; name: string }[];
  srs: { uuid: string; name: string; type: string }[];
  networks: { uuid: string; name: string; bridge: string }[];
}
