// The XAPI host as xe prints it -> HostInventory / ObservedVm.
import {
  MARKER_ADDRESS,
  MARKER_LINEAGE,
  type BootAttributes,
  type DiskAttributes,
  type GuestCapabilities,
  type HostInventory,
  type NetworkAttributes,
  type ObservedVm,
  type PoolMember,
  type PowerState,
} from '../../planner/model/vm.js';
import { otherConfigOf, parseMap, parseTags, type XeRecord } from './records.js';
import type { Query } from './tables.js';
import { cdromOf, isosOf } from './cdrom.js';
import { secureBootOf, vtpmsOf } from './firmware.js';

// Keys of other-config that xenform writes besides the two ownership markers.
export const MARKER_TEMPLATE = 'xenform-template';
// base64 JSON of { boot, dom_id, start_time }: the BootAttributes the domain identified by
// dom-id and start-time (VM_metrics) was built with. XAPI keeps no record of it
// (last-boot-record is empty unless suspended, see the simulator's operations.ts).
export const MARKER_BOOTED_WITH = 'xenform-booted-with';
export const VDI_MARKER_DISK = 'xenform-disk'; // on VDIs: the disk block label
export const VDI_MARKER_VM = 'xenform-vm'; // on VDIs: the uuid of the VM xenform created it for
export const VDI_MARKER_KEEP = 'xenform-keep'; // on VDIs: "true" when keep_on_destroy (never destroyed by xenform)
export const VIF_MARKER_NETWORK = 'xenform-network'; // on VIFs: the network block label

// Keys xapi itself keeps in a VM's other-config; they are not the user's.
const XAPI_KEYS = new Set([
  'mac_seed', 'base_template_name', 'install-methods', 'disks', 'import_task', 'default_template',
  'linux_template', 'install-repository', 'install-distro', 'xensource_internal', 'last_shutdown_reason',
  'last_shutdown_action', 'last_shutdown_initiator', 'last_shutdown_time', 'instant', 'install-arch',
]);

// VM_guest_metrics as the VM record shows them (records.ml `vm_record`).
const GUEST_FIELDS = ['PV-drivers-detected', 'can-use-hotplug-vbd', 'can-use-hotplug-vif', 'other', 'networks'];
export const VM_FIELDS = [
  'uuid', 'name-label', 'name-description', 'power-state', 'is-control-domain', 'memory-static-max',
  'memory-dynamic-max', 'memory-dynamic-min', 'memory-static-min', 'VCPUs-max', 'VCPUs-at-startup',
  'HVM-boot-policy', 'HVM-boot-params', 'PV-kernel', 'PV-ramdisk', 'PV-args', 'PV-bootloader',
  'PV-bootloader-args', 'other-config', 'dom-id', 'start-time', 'tags', 'requires-reboot', 'resident-on', 'affinity',
  'platform', 'vtpms', // Secure Boot and the vTPM (providers/xapi/firmware.ts)
  ...GUEST_FIELDS,
];
export const VBD_FIELDS = ['uuid', 'vm-uuid', 'vdi-uuid', 'userdevice', 'bootable', 'type', 'empty', 'currently-attached', 'vdi-name-label'];
export const VDI_FIELDS = ['uuid', 'name-label', 'virtual-size', 'sr-uuid', 'other-config'];
export const VIF_FIELDS = ['uuid', 'vm-uuid', 'device', 'MAC', 'network-uuid', 'other-config', 'currently-attached'];

// The SR types whose new disks are VHDs (xenform never asks for raw ones): SM rounds their
// size up to a 2 MiB block, 2 MiB at least (xapi-project/sm 471cf7ed libs/sm/vhdutil.py
// `validate_and_round_vhd_size`, called by FileSR.create and LVHDSR.create).
const VHD_SR_TYPES = new Set(['ext', 'nfs', 'smb', 'file', 'lvm', 'lvmoiscsi', 'lvmohba', 'lvmofcoe']);

export function allocationUnit(srType: string): number | undefined {
  return VHD_SR_TYPES.has(srType) ? 2 * 1024 * 1024 : undefined;
}

export const HOST_FIELDS = ['uuid', 'name-label', 'cpu_info', 'memory-total', 'memory-free', 'enabled'];
// The SM drivers' features (NAME: version) by SR type: an SR can do what its driver declares.
export const SM_FIELDS = ['uuid', 'type', 'features'];
export const SR_FIELDS = ['uuid', 'name-label', 'type', 'host'];
export const NETWORK_FIELDS = ['uuid', 'name-label', 'bridge'];
export const TEMPLATE_FIELDS = ['uuid', 'name-label', 'HVM-boot-policy', 'HVM-boot-params', 'PV-kernel', 'PV-ramdisk', 'PV-args', 'PV-bootloader', 'PV-bootloader-args', 'platform'];

const q = (cls: Query['cls'], fields: readonly string[], ...filters: string[]): Query => ({ cls, fields, filters });

// The whole host in one round trip: VMs, their devices, templates, SRs, networks.
export function inventoryQueries(): Query[] {
  return [q('vm', VM_FIELDS), q('vbd', VBD_FIELDS), q('vdi', VDI_FIELDS), q('vif', VIF_FIELDS), q('template', TEMPLATE_FIELDS), ...namesQueries(), q('sm', SM_FIELDS)];
}

// One VM and its devices: only the VDIs xenform created for it can be managed disks.
// SR and network names come from `namesQueries`, which a provider reads once.
export function vmQueries(uuid: string): Query[] {
  return [
    q('vm', VM_FIELDS, `uuid=${uuid}`),
    q('vbd', VBD_FIELDS, `vm-uuid=${uuid}`),
    q('vdi', VDI_FIELDS, `other-config:${VDI_MARKER_VM}=${uuid}`),
    q('vif', VIF_FIELDS, `vm-uuid=${uuid}`),
  ];
}

// The pool members too: a VM read alone names where it runs as the inventory does (its
// fingerprint includes resident_on and affinity).
export function namesQueries(): Query[] {
  return [q('sr', SR_FIELDS), q('network', NETWORK_FIELDS), q('host', HOST_FIELDS)];
}

export type Names = Pick<XapiTables, 'srs' | 'networks' | 'hosts'>;

export function namesFrom([srs, networks, hosts]: XeRecord[][]): Names {
  return { srs, networks, hosts };
}

export interface BootedWith {
  boot: BootAttributes;
  dom_id?: number; // absent in markers written before they were recorded
  start_time?: string;
}

export function encodeBootedWith(b: BootedWith): string {
  return Buffer.from(JSON.stringify(b)).toString('base64');
}

// The marker as the host writes it after a power operation, in the same round trip (see
// XapiProvider.power): the encoded boot, then the new domain's dom-id and start-time as xe
// printed them.
export function stampPrefix(boot: BootAttributes): string {
  return `${encodeBootedWith({ boot })} `;
}

export const STAMP_FIELDS = ['dom-id', 'start-time'];

// Either form: the encoded BootedWith alone, or stampPrefix followed by the domain.
export function decodeBootedWith(value: string | undefined): BootedWith | null {
  if (!value) return null;
  const [encoded, domId, startTime] = value.split(' ');
  try {
    const v = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as BootedWith | BootAttributes;
    const b = 'boot' in v ? v : { boot: v };
    return domId !== undefined && /^-?\d+$/.test(domId) ? { boot: b.boot, dom_id: Number(domId), start_time: startTime ?? '' } : b;
  } catch {
    return null;
  }
}

// The domain a record shows: a new dom-id (and start-time) for every domain built, by a
// start, a reboot from inside or outside xenform, an HA or crash restart, or a resume
// (xapi_xenops.ml `update_vm`: Db.VM.set_domid, VM_metrics.set_start_time).
export function domainOf(r: XeRecord): { dom_id: number; start_time: string } {
  return { dom_id: r['dom-id'] === undefined ? -1 : Number(r['dom-id']), start_time: r['start-time'] ?? '' };
}

const num = (v: string | undefined): number => (v === undefined || v === '' ? 0 : Number(v));

export function bootOf(r: XeRecord): BootAttributes {
  const params = parseMap(r['HVM-boot-params']);
  const hvm = (r['HVM-boot-policy'] ?? '') !== '';
  return {
    mode: hvm ? 'hvm' : 'pv',
    bootloader: r['PV-bootloader'] ?? '',
    kernel: r['PV-kernel'] ?? '',
    ramdisk: r['PV-ramdisk'] ?? '',
    args: r['PV-args'] ?? '',
    bootloader_args: r['PV-bootloader-args'] ?? '',
    order: hvm ? (params.order ?? 'cd') : '', // a PV guest has no boot order, whatever HVM-boot-params still holds
    firmware: params.firmware === 'uefi' ? 'uefi' : 'bios',
    ...(hvm && secureBootOf(parseMap(r.platform)) ? { secure_boot: true } : {}),
  };
}

function sameBoot(a: BootAttributes, b: BootAttributes): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof BootAttributes)[]);
  return [...keys].every((k) => (a[k] ?? false) === (b[k] ?? false)); // secure_boot: absent when off
}

export interface XapiTables {
  vms: XeRecord[];
  vbds: XeRecord[];
  vdis: XeRecord[];
  vifs: XeRecord[];
  templates: XeRecord[];
  srs: XeRecord[];
  networks: XeRecord[];
  hosts?: XeRecord[]; // read by the inventory only
  sms?: XeRecord[]; // read by the inventory only
}

export function tablesFrom([vms, vbds, vdis, vifs, templates, srs, networks, hosts, sms]: XeRecord[][]): XapiTables {
  return { vms, vbds, vdis, vifs, templates, srs, networks, hosts, sms };
}

// The tables of one VM (from vmQueries) with the host's SR and network tables.
export function vmTablesFrom([vms, vbds, vdis, vifs]: XeRecord[][], names: Names): XapiTables {
  return { vms, vbds, vdis, vifs, templates: [], ...names };
}

// SRs or networks the VM's devices refer to that `t` does not name.
export function unnamedReferences(t: XapiTables): boolean {
  const srs = new Set(t.srs.map((s) => s.uuid));
  const networks = new Set(t.networks.map((n) => n.uuid));
  return t.vdis.some((v) => !srs.has(v['sr-uuid'])) || t.vifs.some((v) => !networks.has(v['network-uuid']));
}

interface TablesIndex {
  vdiByUuid: Map<string, XeRecord>;
  srName: Map<string, string>;
  srByUuid: Map<string, XeRecord>;
  netName: Map<string, string>;
  vbdsByVm: Map<string, XeRecord[]>;
  vifsByVm: Map<string, XeRecord[]>;
  memberName: Map<string, string>; // pool member uuid -> name-label
}

// Built once per tables read, so that observing every VM of a host stays linear in its size.
const indexes = new WeakMap<XapiTables, TablesIndex>();

function byVm(records: XeRecord[]): Map<string, XeRecord[]> {
  const m = new Map<string, XeRecord[]>();
  for (const x of records) {
    const list = m.get(x['vm-uuid']);
    if (list) list.push(x);
    else m.set(x['vm-uuid'], [x]);
  }
  return m;
}

function indexOf(t: XapiTables): TablesIndex {
  let ix = indexes.get(t);
  if (!ix) {
    ix = {
      vdiByUuid: new Map(t.vdis.map((v) => [v.uuid, v])),
      srName: new Map(t.srs.map((s) => [s.uuid, s['name-label']])),
      srByUuid: new Map(t.srs.map((s) => [s.uuid, s])),
      netName: new Map(t.networks.map((n) => [n.uuid, n['name-label']])),
      vbdsByVm: byVm(t.vbds),
      vifsByVm: byVm(t.vifs),
      memberName: new Map((t.hosts ?? []).map((h) => [h.uuid, h['name-label'] ?? ''])),
    };
    indexes.set(t, ix);
  }
  return ix;
}

// `recorded`: the boot the caller has just recorded, instead of the marker `r` was read with.
export function observeVm(host: string, r: XeRecord, t: XapiTables, recorded?: BootAttributes): ObservedVm {
  const other = otherConfigOf(r);
  const userConfig: Record<string, string> = {};
  for (const [k, v] of Object.entries(other)) {
    if (!k.startsWith('xenform-') && !XAPI_KEYS.has(k)) userConfig[k] = v;
  }
  const { vdiByUuid, srName, netName, vbdsByVm, vifsByVm } = indexOf(t);
  // Only the disks xenform created for this VM count: a template's disks are not the configuration's to remove.
  const disks: DiskAttributes[] = (vbdsByVm.get(r.uuid) ?? [])
    .filter((b) => b.type === 'Disk' && b.empty !== 'true')
    .map((b) => ({ vbd: b, vdi: vdiByUuid.get(b['vdi-uuid']) }))
    .filter(({ vdi }) => {
      const marks = otherConfigOf(vdi);
      return marks[VDI_MARKER_DISK] !== undefined && marks[VDI_MARKER_VM] === r.uuid;
    })
    .sort((a, b) => num(a.vbd.userdevice) - num(b.vbd.userdevice))
    .map(({ vbd: b, vdi }) => {
      const marks = otherConfigOf(vdi);
      return {
        name: marks[VDI_MARKER_DISK],
        size: num(vdi?.['virtual-size']),
        sr: srName.get(vdi?.['sr-uuid'] ?? '') ?? '',
        bootable: b.bootable === 'true',
        device: b.userdevice,
        ...(marks[VDI_MARKER_KEEP] === 'true' ? { keep_on_destroy: true as const } : {}),
      };
    });
  const networks: NetworkAttributes[] = [...(vifsByVm.get(r.uuid) ?? [])]
    .sort((a, b) => num(a.device) - num(b.device))
    .map((v) => ({
      name: otherConfigOf(v)[VIF_MARKER_NETWORK] ?? `eth${v.device}`,
      network: netName.get(v['network-uuid']) ?? '',
      mac: v.MAC,
    }));
  const cdrom = cdromOf(vbdsByVm.get(r.uuid) ?? []);
  const power = (r['power-state'] ?? 'halted') as PowerState;
  const boot = bootOf(r);
  const live = power === 'running' || power === 'paused';
  const marker = live && !recorded ? decodeBootedWith(other[MARKER_BOOTED_WITH]) : null;
  const now = domainOf(r);
  // A domain the marker does not name was built outside xenform (a guest or admin reboot,
  // an HA restart) from the record as it was then: its boot is taken to be the current one.
  const rebuilt = marker !== null && marker.dom_id !== undefined && (marker.dom_id !== now.dom_id || marker.start_time !== now.start_time);
  const bootedWith = !live ? null : recorded ?? (marker === null ? null : rebuilt ? boot : marker.boot);
  return {
    uuid: r.uuid,
    host,
    attributes: {
      name: r['name-label'] ?? '',
      description: r['name-description'] ?? '',
      template: other[MARKER_TEMPLATE] ?? other.base_template_name ?? '',
      power_state: power,
      memory: {
        static_min: num(r['memory-static-min']),
        static_max: num(r['memory-static-max']),
        dynamic_min: num(r['memory-dynamic-min']),
        dynamic_max: num(r['memory-dynamic-max']),
      },
      vcpus: num(r['VCPUs-at-startup']),
      vcpus_max: num(r['VCPUs-max']),
      boot,
      disks,
      networks,
      ...(cdrom ? { cdrom } : {}),
      ...(vtpmsOf(r.vtpms).length > 0 ? { vtpm: true } : {}),
      tags: parseTags(r.tags),
      other_config: userConfig,
    },
    markers: {
      ...(other[MARKER_ADDRESS] !== undefined ? { address: other[MARKER_ADDRESS] } : {}),
      ...(other[MARKER_LINEAGE] !== undefined ? { lineage: other[MARKER_LINEAGE] } : {}),
    },
    dom_id: now.dom_id,
    ...(rebuilt ? { rebuilt_outside: true } : {}),
    booted_with: bootedWith,
    requires_reboot: r['requires-reboot'] === 'true' || (bootedWith !== null && !sameBoot(bootedWith, boot)),
    ...(power === 'running' ? { guest: guestOf(r, boot), ip_addresses: guestAddresses(r.networks) } : {}),
    ...placementOf(r, t, live),
  };
}

// Where in a pool of more than one member the VM runs and prefers to start, by member name.
function placementOf(r: XeRecord, t: XapiTables, live: boolean): Pick<ObservedVm, 'resident_on' | 'affinity'> {
  if (!t.hosts || t.hosts.length < 2) return {};
  const { memberName } = indexOf(t);
  const name = (uuid: string | undefined) => (uuid === undefined ? undefined : memberName.get(uuid));
  const resident = live ? name(r['resident-on']) : undefined;
  const affinity = name(r.affinity);
  const local = localStorageOf(r, t);
  return { ...(resident ? { resident_on: resident } : {}), ...(affinity ? { affinity } : {}), ...(local.length ? { local_storage: local } : {}) };
}

// records.ml sr `host`: the member of a local SR's one PBD, "<shared>" for a shared SR.
function localStorageOf(r: XeRecord, t: XapiTables): NonNullable<ObservedVm['local_storage']> {
  const { vdiByUuid, vbdsByVm, srByUuid } = indexOf(t);
  const out: NonNullable<ObservedVm['local_storage']> = [];
  for (const b of vbdsByVm.get(r.uuid) ?? []) {
    if (b.empty === 'true') continue;
    const sr = srByUuid.get(vdiByUuid.get(b['vdi-uuid'])?.['sr-uuid'] ?? '');
    if (!sr?.host || sr.host === '<shared>' || sr.host === '<not in database>') continue;
    out.push({ what: b.type === 'CD' ? 'its CD' : `its disk at device ${b.userdevice}`, sr: sr['name-label'] ?? sr.uuid, member: sr.host });
  }
  return out;
}

function memberOf(h: XeRecord): PoolMember {
  return {
    uuid: h.uuid,
    name: h['name-label'] ?? '',
    pcpus: Number(parseMap(h.cpu_info).cpu_count) || 0,
    memory_total: num(h['memory-total']),
    memory_free: num(h['memory-free']),
    enabled: h.enabled !== 'false',
  };
}

// The addresses the guest agent reports (VM_guest_metrics.networks, printed by records.ml
// "networks" as `0/ip: 192.0.2.7; 0/ipv4/0: 192.0.2.7; 0/ipv6/0: fe80::1`; the keys are
// xapi_guest_agent.ml's), each once, in the order of the interfaces.
function guestAddresses(networks: string | undefined): string[] {
  const map = parseMap(networks);
  const keys = Object.keys(map).filter((k) => /^\d+\/(ip|ipv4\/\d+|ipv6\/\d+)$/.test(k));
  keys.sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
  return [...new Set(keys.map((k) => map[k]).filter((v) => v !== ''))];
}

// A running VM's guest metrics, as xapi decides on them: a PV guest hot-plugs always; an HVM
// guest when its drivers claim it (can-use-hotplug-* true) or leave it unspecified with PV
// drivers detected (xen-api e2ee48d688 xapi_vbd_helpers.ml L183-L213, xapi_vif_helpers.ml
// L120-L152). No guest metrics at all prints "<not in database>": no drivers. The guest
// agent's control/feature-* keys are in `other` (xapi_guest_agent.ml L201).
function guestOf(r: XeRecord, boot: BootAttributes): GuestCapabilities {
  const hvm = boot.mode === 'hvm';
  const pv = !hvm || r['PV-drivers-detected'] === 'true';
  const hotplug = (tristate: string | undefined): boolean => !hvm || tristate === 'true' || (tristate === 'unspecified' && pv);
  return {
    pv_drivers: pv,
    hotplug_disk: hotplug(r['can-use-hotplug-vbd']),
    hotplug_network: hotplug(r['can-use-hotplug-vif']),
    hotplug_vcpus: parseMap(r.other)['feature-vcpu-hotplug'] === '1',
  };
}

// SR type -> the features its SM driver declares (sm-list `features`, NAME: version).
function smCapabilities(sms: XeRecord[] | undefined): Map<string, string[]> {
  return new Map((sms ?? []).map((m) => [m.type ?? '', Object.keys(parseMap(m.features))]));
}

// The most pCPUs a host of the pool has (host cpu_info cpu_count): xapi starts a VM on any
// host with at least VCPUs-max of them (xapi_vm_helpers.ml `assert_enough_pcpus`).
function poolPcpus(hosts: XeRecord[] | undefined): number | undefined {
  const counts = (hosts ?? []).map((h) => Number(parseMap(h.cpu_info).cpu_count)).filter((n) => Number.isInteger(n) && n > 0);
  return counts.length ? Math.max(...counts) : undefined;
}

export function buildInventory(host: string, t: XapiTables): HostInventory {
  const caps = smCapabilities(t.sms);
  return {
    host,
    toolstack: 'xapi',
    ...(poolPcpus(t.hosts) ? { pcpus: poolPcpus(t.hosts) } : {}),
    ...(t.hosts ? { members: t.hosts.map(memberOf) } : {}),
    vms: t.vms.filter((r) => r['is-control-domain'] !== 'true').map((r) => observeVm(host, r, t)),
    templates: t.templates.map((r) => ({ uuid: r.uuid, name: r['name-label'], boot: bootOf(r) })),
    srs: t.srs.map((r) => {
      const unit = allocationUnit(r.type ?? '');
      const capabilities = caps.get(r.type ?? '');
      return { uuid: r.uuid, name: r['name-label'], type: r.type ?? '', ...(unit ? { allocation_unit: unit } : {}), ...(capabilities ? { capabilities } : {}) };
    }),
    networks: t.networks.map((r) => ({ uuid: r.uuid, name: r['name-label'], bridge: r.bridge ?? '' })),
    isos: isosOf(t.vdis, t.srs),
  };
}
