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
  // UEFI Secure Boot (XAPI platform:secureboot); present only when on, so that boots written
  // before it existed compare equal (planner/diff/firmware-route.ts).
  secure_boot?: boolean;
}

export interface DiskAttributes {
  name: string; // the block label, recorded as the VDI name-label suffix / other-config key
  size: number; // bytes
  sr: string; // SR name-label
  bootable: boolean;
  device?: string; // userdevice, assigned by position when absent
  // Removing the disk, or destroying the VM, detaches it and keeps its VDI (XAPI: the VDI's
  // xenform-keep marker, so the promise outlives the disk block).
  keep_on_destroy?: true;
}

// The VM's CD drive, when the configuration manages it: the ISO in it, by name (an ISO VDI in
// an ISO SR), or null for an empty drive.
export interface CdromAttributes {
  iso: string | null;
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
  // Desired: absent when the configuration has no cdrom block (the drive is left alone).
  // Observed: absent when the VM has no CD drive.
  cdrom?: CdromAttributes;
  // A virtual TPM (XAPI VTPM). Desired: absent when the configuration does not set `vtpm` (left
  // alone). Observed: present only when the VM has one.
  vtpm?: boolean;
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
  create_before_destroy?: boolean; // a replace creates the new VM first, then destroys the old one
  // A plan may destroy the VM's vTPM (and the keys it holds): planner/plan/vtpm-guard.ts.
  allow_vtpm_destroy?: true;
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
  // (xl: the domain's config; XAPI: xenform's booted-with marker, checked against the domain's
  // dom-id and start-time; last-boot-record is empty unless suspended). Null when halted or unknown.
  booted_with: BootAttributes | null;
  // The running domain was built outside xenform (XAPI: its dom-id or start-time is not the
  // one xenform recorded): booted_with is then its current configuration. Absent when not.
  rebuilt_outside?: true;
  requires_reboot: boolean; // XAPI requires-reboot, or a known pending boot change
  // What the running guest's drivers can do (XAPI: VM_guest_metrics; xl: the guest's xenstore
  // feature keys). Absent when the host does not say: nothing is then assumed possible live.
  guest?: GuestCapabilities;
  // The pool member the VM runs on (XAPI resident-on, as a member name-label), and the one it
  // prefers to start on (affinity); absent on a single host or when not running / not set.
  resident_on?: string;
  affinity?: string;
  // The VM's disks and CD on an SR local to one pool member: it can start or run only there
  // (xapi VM_REQUIRES_SR). Absent when none, or on a single host.
  local_storage?: { what: string; sr: string; member: string }[];
  // The guest's IP addresses as its agent reports them (XAPI VM_guest_metrics networks); absent
  // when the provider does not read them. Postconditions see them as self.ip_addresses.
  ip_addresses?: string[];
}

export interface GuestCapabilities {
  pv_drivers: boolean; // PV-drivers-detected
  hotplug_disk: boolean; // can-use-hotplug-vbd
  hotplug_network: boolean; // can-use-hotplug-vif
  hotplug_vcpus: boolean; // feature-vcpu-hotplug
}

// A member of a XAPI pool as refresh saw it (a plain Xen host is a pool of one).
export interface PoolMember {
  uuid: string;
  name: string; // name-label
  pcpus: number;
  memory_total: number; // bytes
  memory_free: number; // bytes, XAPI's own accounting
  enabled: boolean; // false after host-disable: it receives no VM
}

export interface HostInventory {
  host: string;
  toolstack: Toolstack;
  // The most physical CPUs one host can give a VM (XAPI: host cpu_info cpu_count); a VM whose
  // vcpus_max is above it cannot start. Absent when not known.
  pcpus?: number;
  members?: PoolMember[]; // a XAPI pool's members; absent for a plain Xen host
  vms: ObservedVm[]; // every VM on the host, managed or not (not the control domain, not templates)
  // boot: how a VM installed from the template boots until told otherwise (XAPI: its
  // HVM-boot-policy, HVM-boot-params and PV-* fields); absent when not known.
  templates: { uuid: string; name: string; boot?: BootAttributes }[];
  // allocation_unit: the granularity the SR's storage backend gives a new disk's size in
  // (bytes; a disk gets the desired size rounded up to it); absent when not known.
  // capabilities: the SR backend's, e.g. "VDI_RESIZE_ONLINE" (XAPI SM capabilities); absent when not known.
  srs: { uuid: string; name: string; type: string; allocation_unit?: number; capabilities?: string[] }[];
  networks: { uuid: string; name: string; bridge: string }[];
  isos?: { name: string; sr: string }[]; // ISO images a CD drive can take (XAPI: VDIs of ISO SRs); absent when not known
}
