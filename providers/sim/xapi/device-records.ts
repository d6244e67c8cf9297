// The VDI, VBD and VIF records (records.ml) and the device rules they share with the commands.
import { macFromSeed } from '../ids.js';
import type { SimState, Vbd, Vdi, Vif, Vm } from '../state.js';
import { parseBool } from './args.js';
import { CliError, XapiError } from './errors.js';
import { b, fmtDate, NOT_IN_DB, ref, type Field } from './record-format.js';
import { deviceName, isHvm, vmVbds } from './vm-record.js';

export const VDI_FIELDS: Field<Vdi>[] = [
  { name: 'uuid', kind: 'RO', get: (x) => x.uuid },
  { name: 'name-label', kind: 'RW', get: (x) => x.name, set: (x, v) => void (x.name = v) },
  { name: 'name-description', kind: 'RW', get: (x) => x.desc, set: (x, v) => void (x.desc = v) },
  { name: 'is-a-snapshot', kind: 'RO', get: (x) => String(x.snapshotOf !== undefined) },
  { name: 'snapshot-of', kind: 'RO', get: (x, c) => ref(x.snapshotOf ?? null, c.st.vdis) },
  { name: 'snapshots', kind: 'RO', get: () => '' },
  { name: 'snapshot-time', kind: 'RO', get: () => fmtDate(0) },
  { name: 'allowed-operations', kind: 'SRO', get: (x, c) => (vdiInUse(c.st, x) ? ['snapshot', 'clone'] : ['forget', 'destroy', 'snapshot', 'resize', 'copy', 'clone']) },
  { name: 'current-operations', kind: 'SRO', get: () => [] },
  { name: 'sr-uuid', kind: 'RO', get: (x) => x.sr },
  { name: 'sr-name-label', kind: 'RO', get: (x, c) => c.st.srs[x.sr]?.name ?? '<invalid reference>' },
  { name: 'vbd-uuids', kind: 'SRO', get: (x, c) => Object.values(c.st.vbds).filter((v) => v.vdi === x.uuid).map((v) => v.uuid) },
  { name: 'crashdump-uuids', kind: 'SRO', get: () => [] },
  { name: 'virtual-size', kind: 'RO', get: (x) => String(x.size) },
  { name: 'physical-utilisation', kind: 'RO', get: (x) => String(x.readOnly ? x.size : Math.min(x.size, 4096 * 2)) },
  { name: 'location', kind: 'RO', get: (x, c) => (c.st.srs[x.sr]?.type === 'iso' ? x.name : x.uuid) },
  { name: 'type', kind: 'RO', get: (x) => x.type.charAt(0).toUpperCase() + x.type.slice(1) },
  { name: 'sharable', kind: 'RO', get: (x) => b(x.sharable) },
  { name: 'read-only', kind: 'RO', get: (x) => b(x.readOnly) },
  { name: 'storage-lock', kind: 'RO', get: () => 'false' },
  { name: 'managed', kind: 'RO', get: () => 'true' },
  { name: 'parent', kind: 'RO', deprecated: true, get: () => NOT_IN_DB },
  { name: 'missing', kind: 'RO', get: () => 'false' },
  { name: 'is-tools-iso', kind: 'RO', get: () => 'false' },
  { name: 'other-config', kind: 'MRW', get: (x) => x.other, map: (x) => x.other },
  { name: 'xenstore-data', kind: 'MRO', get: () => ({}) },
  { name: 'sm-config', kind: 'MRO', get: (x) => x.smConfig },
  { name: 'on-boot', kind: 'RW', get: () => 'persist' },
  { name: 'allow-caching', kind: 'RW', get: () => 'false' },
  { name: 'metadata-latest', kind: 'RO', get: () => 'false' },
  { name: 'metadata-of-pool', kind: 'RO', get: () => NOT_IN_DB },
  { name: 'tags', kind: 'SRW', tagsStyle: true, get: (x) => x.tags, members: (x) => x.tags },
  { name: 'cbt-enabled', kind: 'RO', get: () => 'false' },
];

export function vdiInUse(st: SimState, vdi: Vdi): boolean {
  return Object.values(st.vbds).some((v) => v.vdi === vdi.uuid && v.attached);
}

export const VBD_FIELDS: Field<Vbd>[] = [
  { name: 'uuid', kind: 'RO', get: (x) => x.uuid },
  { name: 'vm-uuid', kind: 'RO', get: (x, c) => ref(x.vm, c.st.vms) },
  { name: 'vm-name-label', kind: 'RO', get: (x, c) => c.st.vms[x.vm]?.name ?? '<invalid reference>' },
  { name: 'vdi-uuid', kind: 'RO', get: (x, c) => ref(x.vdi, c.st.vdis) },
  { name: 'vdi-name-label', kind: 'RO', get: (x, c) => (x.vdi ? c.st.vdis[x.vdi]?.name ?? '<invalid reference>' : NOT_IN_DB) },
  { name: 'allowed-operations', kind: 'SRO', get: (x, c) => vbdAllowedOps(x, c.st) },
  { name: 'current-operations', kind: 'SRO', get: () => [] },
  { name: 'empty', kind: 'RO', get: (x) => b(x.vdi === null) },
  { name: 'device', kind: 'RO', get: (x, c) => (x.attached ? deviceName(x.userdevice, c.st.vms[x.vm] ? isHvm(c.st.vms[x.vm]) : false) : '') },
  {
    name: 'userdevice', kind: 'RW', get: (x) => x.userdevice,
    set: (x, v, c) => {
      checkUserdevice(c.st, c.st.vms[x.vm], v, x.uuid);
      x.userdevice = v;
    },
  },
  { name: 'bootable', kind: 'RW', get: (x) => b(x.bootable), set: (x, v) => void (x.bootable = parseBool('bootable', v)) },
  {
    name: 'mode', kind: 'RW', get: (x) => x.mode,
    set: (x, v) => {
      const m = v.toUpperCase();
      if (m !== 'RO' && m !== 'RW') throw new CliError(`Unknown mode: ${v} (should be "ro" or "rw"`);
      x.mode = m;
    },
  },
  {
    name: 'type', kind: 'RW', get: (x) => x.type,
    set: (x, v) => {
      const t = parseVbdType(v);
      x.type = t;
    },
  },
  { name: 'unpluggable', kind: 'RW', get: (x) => b(x.unpluggable), set: (x, v) => void (x.unpluggable = parseBool('unpluggable', v)) },
  { name: 'currently-attached', kind: 'RO', get: (x) => b(x.attached) },
  { name: 'attachable', kind: 'RO', expensive: true, get: () => 'true' },
  { name: 'storage-lock', kind: 'RO', get: () => 'false' },
  { name: 'status-code', kind: 'RO', get: () => '0' },
  { name: 'status-detail', kind: 'RO', get: () => '' },
  { name: 'qos_algorithm_type', kind: 'RW', get: () => '' },
  { name: 'qos_algorithm_params', kind: 'MRW', get: () => ({}) },
  { name: 'qos_supported_algorithms', kind: 'SRO', get: () => [] },
  { name: 'other-config', kind: 'MRW', get: (x) => x.other, map: (x) => x.other },
  { name: 'io_read_kbs', kind: 'RO', expensive: true, get: (x) => (x.attached ? '0.000' : NOT_IN_DB) },
  { name: 'io_write_kbs', kind: 'RO', expensive: true, get: (x) => (x.attached ? '0.000' : NOT_IN_DB) },
];

export function parseVbdType(v: string): 'Disk' | 'CD' | 'Floppy' {
  const l = v.toLowerCase();
  if (l === 'disk') return 'Disk';
  if (l === 'cd') return 'CD';
  if (l === 'floppy') return 'Floppy';
  throw new CliError(`"Unknown type: ${v} (should be "cd", "disk" or "floppy"`);
}

function vbdAllowedOps(x: Vbd, st: SimState): string[] {
  const vm = st.vms[x.vm];
  if (!vm || vm.power !== 'running') return x.type === 'CD' ? ['insert', 'eject'].filter((o) => (o === 'insert') === (x.vdi === null)) : [];
  const ops = x.attached ? ['attach', 'unplug', 'unplug_force'] : ['attach', 'plug'];
  if (x.type === 'CD') ops.push(x.vdi === null ? 'insert' : 'eject');
  return ops.reverse();
}

// userdevice: a number 0-254 (255 for dom0), a Linux name, or "autodetect" (§4.5).
export function checkUserdevice(st: SimState, vm: Vm | undefined, device: string, self?: string): void {
  const max = vm?.control ? 255 : 254;
  const numeric = /^[0-9]+$/.test(device);
  const valid = device === 'autodetect' || (numeric && Number(device) <= max) || /^(xvd|hd|sd)[a-z]+$/.test(device);
  if (!valid) throw new XapiError('INVALID_DEVICE', [device]);
  if (!vm || device === 'autodetect') return;
  const hvm = isHvm(vm);
  const clash = vmVbds(st, vm).some((o) => o.uuid !== self && (o.userdevice === device || deviceName(o.userdevice, hvm) === deviceName(device, hvm)));
  if (clash) throw new XapiError('DEVICE_ALREADY_EXISTS', [device]);
}

export const VIF_FIELDS: Field<Vif>[] = [
  { name: 'uuid', kind: 'RO', get: (x) => x.uuid },
  { name: 'vm-uuid', kind: 'RO', get: (x, c) => ref(x.vm, c.st.vms) },
  { name: 'vm-name-label', kind: 'RO', get: (x, c) => c.st.vms[x.vm]?.name ?? '<invalid reference>' },
  {
    name: 'allowed-operations', kind: 'SRO',
    get: (x, c) => (c.st.vms[x.vm]?.power === 'running' ? (x.attached ? ['unplug', 'unplug_force', 'attach'] : ['plug', 'attach']) : ['attach']),
  },
  { name: 'current-operations', kind: 'SRO', get: () => [] },
  { name: 'device', kind: 'RO', get: (x) => x.device },
  { name: 'MAC', kind: 'RO', get: (x) => x.mac },
  { name: 'MAC-autogenerated', kind: 'RO', get: (x) => b(x.macAuto) },
  { name: 'MTU', kind: 'RO', get: (x) => String(x.mtu) },
  { name: 'currently-attached', kind: 'RO', get: (x) => b(x.attached) },
  { name: 'qos_algorithm_type', kind: 'RW', get: () => '' },
  { name: 'qos_algorithm_params', kind: 'MRW', get: () => ({}) },
  { name: 'qos_supported_algorithms', kind: 'SRO', get: () => [] },
  { name: 'other-config', kind: 'MRW', get: (x) => x.other, map: (x) => x.other },
  { name: 'network-uuid', kind: 'RO', get: (x, c) => ref(x.network, c.st.networks) },
  { name: 'network-name-label', kind: 'RO', get: (x, c) => c.st.networks[x.network]?.name ?? '<invalid reference>' },
  { name: 'io_read_kbs', kind: 'RO', expensive: true, get: (x) => (x.attached ? '0.000' : NOT_IN_DB) },
  { name: 'io_write_kbs', kind: 'RO', expensive: true, get: (x) => (x.attached ? '0.000' : NOT_IN_DB) },
  { name: 'locking-mode', kind: 'RW', get: () => 'network_default' },
  { name: 'ipv4-allowed', kind: 'SRW', get: () => [] },
  { name: 'ipv6-allowed', kind: 'SRW', get: () => [] },
  { name: 'ipv4-configuration-mode', kind: 'RO', get: () => 'None' },
  { name: 'ipv4-addresses', kind: 'RO', get: () => '' }, // records.ml L963: a string, no get_set
  { name: 'ipv4-gateway', kind: 'RO', get: () => '' },
  { name: 'ipv6-configuration-mode', kind: 'RO', get: () => 'None' },
  { name: 'ipv6-addresses', kind: 'RO', get: () => '' },
  { name: 'ipv6-gateway', kind: 'RO', get: () => '' },
  { name: 'trunks', kind: 'RO', get: () => '' },
];

export function vifMac(vm: Vm, device: string): string {
  return macFromSeed(vm.other.mac_seed ?? vm.uuid, device);
}
