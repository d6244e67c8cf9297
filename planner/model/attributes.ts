// Attribute paths, each described once: when a change of it takes effect and why, in which
// power states a `set` of it is accepted, where a `set` step applies it, how users read it,
// and whether lifecycle.ignore_changes may name it (research/xapi-spec.md §3.2).
// The entries are in the order users see them listed (ignore_changes suggestions, tests).
import type { BootAttributes, BootMode, Effect, MemoryAttributes, PowerState } from './vm.js';

export interface AttributeRule {
  effect: Effect;
  reason: string;
  settableIn: readonly PowerState[]; // power states in which a `set` of it is accepted
}

// How a value of the attribute is shown: memory sizes in binary units, a kernel command line
// with a word-by-word diff, anything else as JSON.
export type ValueFormat = 'plain' | 'bytes' | 'words';

export interface AttributeInfo extends AttributeRule {
  path: string; // `other_config.KEY`, `disks.LABEL`, `networks.LABEL` stand for every key or label
  label: string; // the name users read in messages
  format: ValueFormat;
  ignorable: boolean; // lifecycle.ignore_changes may name it
  // `set` steps apply lower ranks first; null: never assigned by a `set` (devices, replacement,
  // power state). Within a rank, a chain's members are ordered so that the chain's invariant
  // holds after every assignment (see setOrder in planner/diff/compare.ts).
  setRank: number | null;
  chain?: 'memory' | 'vcpus'; // static_min <= dynamic_min <= dynamic_max <= static_max; vcpus <= vcpus_max
  bootMode?: BootMode; // a boot field that means something only in this mode
  device?: 'disk' | 'network'; // added and removed by device steps
  whenChanged?: AttributeRule; // a device present on both sides with other settings
}

const ANY: readonly PowerState[] = ['halted', 'running', 'paused', 'suspended', 'crashed'];
const HALTED: readonly PowerState[] = ['halted'];
const NONE: readonly PowerState[] = [];

type Entry = Omit<AttributeInfo, 'path' | 'label' | 'format' | 'ignorable' | 'setRank'> &
  Partial<Pick<AttributeInfo, 'label' | 'format' | 'ignorable' | 'setRank'>>;

const live = (reason: string, fields: Partial<Entry> = {}): Entry => ({ effect: 'live', reason, settableIn: ANY, setRank: 1, ...fields });
const nextBoot = (reason: string, fields: Partial<Entry> = {}): Entry => ({ effect: 'next_boot', reason, settableIn: ANY, setRank: 4, ...fields });
const requiresHalt = (reason: string, fields: Partial<Entry> = {}): Entry => ({ effect: 'requires_halt', reason, settableIn: HALTED, ...fields });
const forcesReplace = (reason: string, fields: Partial<Entry> = {}): Entry => ({ effect: 'forces_replace', reason, settableIn: NONE, setRank: null, ...fields });

const STATIC_MEMORY = 'static memory can only be changed while the VM is halted';
const DYNAMIC_MEMORY = 'dynamic memory is ballooned live on a running VM';
const memory: Partial<Entry> = { format: 'bytes', setRank: 2, chain: 'memory' };
const pv: Partial<Entry> = { bootMode: 'pv' };
const hvm: Partial<Entry> = { bootMode: 'hvm' };
const DISK_ATTACH = 'disks are attached and detached while the VM is halted, so the next start sees them';
const NIC_ATTACH = 'network interfaces are attached and detached while the VM is halted, so the next start sees them';

const ENTRIES: Record<string, Entry> = {
  name: live('the name is metadata, changed in place'),
  description: live('the description is metadata, changed in place'),
  template: forcesReplace('a VM cannot change its template: it is created again from the new one'),
  host: forcesReplace('a VM cannot move to another host block: it is created again there', { ignorable: false }),
  // Reached by lifecycle steps, never by a `set`; the plan says which transition and why.
  power_state: { effect: 'live', reason: 'the VM is brought to its desired power state by lifecycle steps', settableIn: NONE, setRank: null, label: 'power state' },
  'memory.static_min': requiresHalt(STATIC_MEMORY, memory),
  'memory.dynamic_min': live(DYNAMIC_MEMORY, { ...memory, settableIn: ['halted', 'running'] }),
  'memory.dynamic_max': live(DYNAMIC_MEMORY, { ...memory, settableIn: ['halted', 'running'] }),
  'memory.static_max': requiresHalt(STATIC_MEMORY, memory),
  vcpus: nextBoot('VCPUs-at-startup takes effect at the next boot', { label: 'vCPUs', setRank: 2, chain: 'vcpus' }),
  vcpus_max: requiresHalt('VCPUs-max can only be changed while the VM is halted', { label: 'maximum vCPUs', setRank: 2, chain: 'vcpus' }),
  'boot.mode': requiresHalt('switching between PV and HVM takes effect when the VM is next started from halted', { setRank: 3 }),
  'boot.bootloader': nextBoot('the PV bootloader takes effect at the next boot', pv),
  'boot.kernel': nextBoot('the PV kernel takes effect at the next boot', pv),
  'boot.ramdisk': nextBoot('the PV ramdisk takes effect at the next boot', pv),
  'boot.args': nextBoot('PV args take effect at the next boot', { ...pv, format: 'words' }),
  'boot.bootloader_args': nextBoot('PV bootloader args take effect at the next boot', pv),
  'boot.order': nextBoot('the HVM boot order takes effect at the next boot', hvm),
  // The firmware and vTPM routes (state, NVRAM, refusals): planner/diff/firmware-route.ts.
  'boot.firmware': requiresHalt('BIOS and UEFI firmware are switched while the VM is halted, and its NVRAM (UEFI variables) is cleared', { ...hvm, setRank: 3 }),
  'boot.secure_boot': nextBoot('Secure Boot (platform:secureboot) takes effect at the next boot', { ...hvm, label: 'Secure Boot' }),
  // Devices: a disk or VIF created while the VM runs is not plugged, and a reboot rebuilds the
  // domain only from plugged devices (§4.5), so xenform takes the safe route: halted.
  disks: requiresHalt(DISK_ATTACH, { setRank: null }),
  'disks.LABEL': requiresHalt(DISK_ATTACH, {
    setRank: null,
    ignorable: false,
    device: 'disk',
    // The route (resize online, storage motion) is chosen from what refresh observed:
    // planner/diff/disk-routes.ts; this is the route when nothing is known.
    whenChanged: { effect: 'requires_halt', reason: 'an existing disk is resized or moved to another SR while the VM is halted', settableIn: HALTED },
  }),
  networks: requiresHalt(NIC_ATTACH, { setRank: null }),
  'networks.LABEL': requiresHalt(NIC_ATTACH, { setRank: null, ignorable: false, device: 'network' }),
  // xapi_vbd.ml assert_ok_to_insert / assert_ok_to_eject: a halted or running VM's drive, never a
  // suspended one's; a missing drive is the route's business (planner/diff/cdrom-route.ts).
  vtpm: requiresHalt('a vTPM is created or destroyed only while the VM is halted', { setRank: 3, label: 'vTPM' }),
  cdrom: live('the ISO is inserted into or ejected from the CD drive in place', { settableIn: ['halted', 'running'], label: 'CD' }),
  tags: live('tags are metadata, changed in place'),
  other_config: live('other-config is metadata, changed in place'),
  'other_config.KEY': live('other-config is metadata, changed in place'),
  // Planned by planner/plan/placement.ts: a `set` while the VM has no domain, else a `migrate`.
  affinity: live('the affinity is metadata: the pool member the VM starts on', { ignorable: false }),
};

export const ATTRIBUTES: readonly AttributeInfo[] = Object.entries(ENTRIES).map(([path, e]) => ({
  path,
  label: path,
  format: 'plain',
  ignorable: true,
  setRank: null,
  ...e,
}));

const BY_PATH = new Map(ATTRIBUTES.map((a) => [a.path, a]));
// `other_config` -> `other_config.KEY`: the entry that stands for every member of a family.
const MEMBER = new Map(ATTRIBUTES.filter((a) => /\.[A-Z]+$/.test(a.path)).map((a) => [a.path.slice(0, a.path.lastIndexOf('.')), a]));

// `other_config.web` -> the entry `other_config.KEY`; `disks.root` -> `disks.LABEL`.
export function findAttribute(path: string): AttributeInfo | undefined {
  const exact = BY_PATH.get(path);
  if (exact) return exact;
  const dot = path.indexOf('.');
  return dot > 0 ? MEMBER.get(path.slice(0, dot)) : undefined;
}

export function attributeOf(path: string): AttributeInfo {
  const a = findAttribute(path);
  if (!a) throw new Error(`no catalog entry for attribute ${path}`);
  return a;
}

// What users read for a path: "vCPUs", "power state", or the path itself.
export function attributeLabel(path: string): string {
  return BY_PATH.get(path)?.label ?? path;
}

export function attributeFormat(path: string): ValueFormat {
  return findAttribute(path)?.format ?? 'plain';
}

// ignore_changes = ["boot"] ignores boot.args too; ["other_config.owner"] only that key;
// `all` ignores everything ignore_changes may name (a host move still replaces the VM).
export function isIgnored(path: string, ignore: readonly string[]): boolean {
  for (const p of ignore) {
    if (path === p || path.startsWith(`${p}.`)) return true;
    if (p === 'all' && IGNORABLE.has(path.split('.', 1)[0])) return true;
  }
  return false;
}

// What ignore_changes may name, per top-level name: no sub-path (null), the listed fields
// (memory.static_max, boot.args), or any key ('any': other_config.KEY).
export const IGNORABLE: ReadonlyMap<string, readonly string[] | 'any' | null> = (() => {
  const out = new Map<string, string[] | 'any' | null>();
  for (const a of ATTRIBUTES) {
    if (!a.ignorable) continue;
    const dot = a.path.indexOf('.');
    if (dot < 0) {
      if (!out.has(a.path)) out.set(a.path, null);
      continue;
    }
    const head = a.path.slice(0, dot);
    const sub = a.path.slice(dot + 1);
    const known = out.get(head);
    if (MEMBER.get(head) === a) out.set(head, 'any');
    else out.set(head, [...(Array.isArray(known) ? known : []), sub]);
  }
  return out;
})();

type BootField<M extends BootMode> = M extends 'pv' ? 'bootloader' | 'kernel' | 'ramdisk' | 'args' | 'bootloader_args' : 'order' | 'firmware' | 'secure_boot';

const bootFieldsOf = <M extends BootMode>(mode: M): readonly BootField<M>[] =>
  ATTRIBUTES.filter((a) => a.bootMode === mode).map((a) => a.path.slice('boot.'.length) as BootField<M>);

// The boot fields that mean something in each mode; the others are not compared.
export const BOOT_FIELDS: { readonly pv: readonly BootField<'pv'>[]; readonly hvm: readonly BootField<'hvm'>[] } = {
  pv: bootFieldsOf('pv'),
  hvm: bootFieldsOf('hvm'),
};

// The boot fields in which `b` differs from `a`, judged by `a`'s mode; a mode change lists `mode` first.
export function bootFieldsChanged(a: BootAttributes, b: BootAttributes): (keyof BootAttributes)[] {
  // secure_boot is absent when off (BootAttributes)
  const fields = (BOOT_FIELDS[a.mode] as readonly (keyof BootAttributes)[]).filter((k) => (a[k] ?? false) !== (b[k] ?? false));
  return a.mode === b.mode ? fields : ['mode', ...fields];
}

// The members of a chain in invariant order: memory static_min .. static_max, vcpus .. vcpus_max.
export function chainMembers(chain: 'memory' | 'vcpus'): readonly string[] {
  return ATTRIBUTES.filter((a) => a.chain === chain).map((a) => a.path);
}

export const MEMORY_FIELDS = chainMembers('memory').map((p) => p.slice('memory.'.length) as keyof MemoryAttributes);
