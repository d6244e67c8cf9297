// The SR, network and host records (records.ml) and the host's derived capacity.
import type { Host, Map, Network, Sr, SimState } from '../state.js';
import { parseInteger } from './args.js';
import { b, NOT_IN_DB, type Field } from './record-format.js';
import { hasDomain } from './vm-record.js';
import { hostCpus, hostEnabled, hostFreeMemory, memberByUuid, poolHosts, srHost } from './pool.js';

export const SR_FIELDS: Field<Sr>[] = [
  { name: 'uuid', kind: 'RO', get: (x) => x.uuid },
  { name: 'name-label', kind: 'RW', get: (x) => x.name, set: (x, v) => void (x.name = v) },
  { name: 'name-description', kind: 'RW', get: (x) => x.desc, set: (x, v) => void (x.desc = v) },
  // records.ml: the host of a local SR's PBD, "<shared>" for a shared one
  { name: 'host', kind: 'RO', get: (x, c) => (x.shared ? '<shared>' : (memberByUuid(c.st, srHost(c.st, x))?.name ?? c.st.host.name)) },
  { name: 'allowed-operations', kind: 'SRO', get: () => ['VDI.enable_cbt', 'VDI.list_changed_blocks', 'unplug', 'plug', 'PBD.create', 'VDI.disable_cbt', 'update', 'PBD.destroy', 'VDI.resize', 'VDI.clone', 'VDI.data_destroy', 'scan', 'VDI.snapshot', 'VDI.mirror', 'VDI.create', 'VDI.destroy', 'VDI.set_on_boot'] },
  { name: 'current-operations', kind: 'SRO', get: () => [] },
  { name: 'VDIs', kind: 'SRO', get: (x, c) => Object.values(c.st.vdis).filter((v) => v.sr === x.uuid).map((v) => v.uuid) },
  { name: 'PBDs', kind: 'SRO', get: () => [] },
  { name: 'virtual-allocation', kind: 'RO', get: (x, c) => String(Object.values(c.st.vdis).filter((v) => v.sr === x.uuid).reduce((a, v) => a + v.size, 0)) },
  { name: 'physical-utilisation', kind: 'RO', get: (x, c) => String(Object.values(c.st.vdis).filter((v) => v.sr === x.uuid).reduce((a, v) => a + v.size, 0)) },
  { name: 'physical-size', kind: 'RO', get: (x) => String(x.size) },
  { name: 'type', kind: 'RO', get: (x) => x.type },
  { name: 'content-type', kind: 'RO', get: (x) => x.contentType },
  { name: 'shared', kind: 'RW', get: (x) => b(x.shared) },
  { name: 'introduced-by', kind: 'RO', get: () => NOT_IN_DB },
  { name: 'is-tools-sr', kind: 'RO', get: () => 'false' },
  { name: 'other-config', kind: 'MRW', get: (x) => x.other, map: (x) => x.other },
  { name: 'sm-config', kind: 'MRO', get: (x): Map => (x.type === 'ext' ? { devserial: 'scsi-0QEMU_QEMU_HARDDISK_drive-scsi0-0-0-0' } : {}) },
  { name: 'blobs', kind: 'RO', get: () => '' },
  { name: 'local-cache-enabled', kind: 'RO', get: () => 'false' },
  { name: 'tags', kind: 'SRW', tagsStyle: true, get: () => [] },
  { name: 'clustered', kind: 'RO', get: () => 'false' },
];

export const NETWORK_FIELDS: Field<Network>[] = [
  { name: 'uuid', kind: 'RO', get: (x) => x.uuid },
  { name: 'name-label', kind: 'RW', get: (x) => x.name, set: (x, v) => void (x.name = v) },
  { name: 'name-description', kind: 'RW', get: (x) => x.desc, set: (x, v) => void (x.desc = v) },
  { name: 'VIF-uuids', kind: 'SRO', get: (x, c) => Object.values(c.st.vifs).filter((v) => v.network === x.uuid).map((v) => v.uuid) },
  { name: 'PIF-uuids', kind: 'SRO', get: () => [] },
  { name: 'MTU', kind: 'RW', get: (x) => String(x.mtu), set: (x, v) => void (x.mtu = parseInteger('MTU', v)) },
  { name: 'bridge', kind: 'RO', get: (x) => x.bridge },
  { name: 'managed', kind: 'RO', get: () => 'true' },
  { name: 'other-config', kind: 'MRW', get: (x) => x.other, map: (x) => x.other },
  { name: 'blobs', kind: 'RO', get: () => '' },
  { name: 'tags', kind: 'SRW', tagsStyle: true, get: () => [] },
  { name: 'default-locking-mode', kind: 'RW', get: () => 'unlocked' },
  { name: 'purpose', kind: 'SRO', get: () => [] },
];

interface HostRow {
  st: SimState;
  host: Host;
}

export const HOST_FIELDS: Field<HostRow>[] = [
  { name: 'uuid', kind: 'RO', get: (h) => h.host.uuid },
  { name: 'name-label', kind: 'RW', get: (h) => h.host.name, set: (h, v) => void (h.host.name = v) },
  { name: 'name-description', kind: 'RW', get: () => 'Default install' },
  { name: 'allowed-operations', kind: 'SRO', get: () => ['vm_migrate', 'provision', 'vm_resume', 'evacuate', 'vm_start'] },
  { name: 'current-operations', kind: 'SRO', get: () => [] },
  { name: 'enabled', kind: 'RO', get: (h) => b(hostEnabled(h.host)) },
  { name: 'API-version-major', kind: 'RO', get: () => '2' },
  { name: 'API-version-minor', kind: 'RO', get: () => '21' },
  { name: 'API-version-vendor', kind: 'RO', get: () => 'XenSource' },
  { name: 'suspend-image-sr-uuid', kind: 'RW', get: (h) => h.st.host.defaultSr },
  { name: 'crash-dump-sr-uuid', kind: 'RW', get: (h) => h.st.host.defaultSr },
  { name: 'software-version', kind: 'MRO', get: () => ({ product_version: '8.3.0', product_brand: 'XCP-ng', platform_name: 'XCP', xapi: '26.17', xen: '4.17.5-8', hostname: 'localhost' }) },
  { name: 'other-config', kind: 'MRW', get: () => ({}) },
  { name: 'cpu_info', kind: 'MRO', get: (h) => ({ cpu_count: String(hostCpus(h.host)), socket_count: '1', vendor: 'GenuineIntel', speed: '2394.454', modelname: 'Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz', family: '6', model: '79', stepping: '1' }) },
  { name: 'hostname', kind: 'RO', get: (h) => h.host.name },
  { name: 'address', kind: 'RO', get: () => '127.0.0.1' },
  { name: 'supported-bootloaders', kind: 'SRO', get: () => ['pygrub', 'eliloader'] },
  { name: 'memory-total', kind: 'RO', get: (h) => String(h.host.memory) },
  { name: 'memory-free', kind: 'RO', get: (h) => String(hostFreeMemory(h.st, h.host)) },
  { name: 'resident-vms', kind: 'SRO', get: (h) => Object.values(h.st.vms).filter((v) => hasDomain(v) && (v.residentOn ?? h.st.host.uuid) === h.host.uuid).map((v) => v.uuid) },
];

export function hostRows(st: SimState): HostRow[] {
  return poolHosts(st).map((host) => ({ st, host }));
}
