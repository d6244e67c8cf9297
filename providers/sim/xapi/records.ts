// The CLI records of each class (records.ml): field names in definition order, their
// RO/RW/set/map kind, how values print, and how the writable ones are set.
// Version choice: current xapi (v26.x), so the VM record has the 109 fields of spec §2.4.
import type { Faults } from '../faults.js';
import { macFromSeed } from '../ids.js';
import { DEFAULT_HOST_CPUS, type Map, type Network, type Sr, type SimState, type Vbd, type Vdi, type Vif, type Vm } from '../state.js';
import { parseBool, parseInteger, parseSize } from './args.js';
import { CliError, XapiError } from './errors.js';
import { rawOf, where } from '../track.js';
import { allowedOperations, checkOperation, vmLabel } from './lifecycle.js';

export type Value = string | string[] | Map;
export type Kind = 'RO' | 'RW' | 'SRO' | 'SRW' | 'MRO' | 'MRW';

export interface Ctx {
  st: SimState;
  faults: Faults;
}

export interface Field<T> {
  name: string;
  kind: Kind;
  deprecated?: boolean;
  hidden?: boolean; // gettable by param-get, never listed
  expensive?: boolean; // `<expensive field>` in *-list
  tagsStyle?: boolean; // a set printed with ", "
  get(o: T, c: Ctx): Value;
  set?(o: T, v: string, c: Ctx): void; // RW scalars
  map?(o: T): Map; // MRW: the stored map, changed in place
  checkKey?(o: T, key: string, value: string, c: Ctx): void;
  members?(o: T): string[]; // SRW: the stored set
}

export const NOT_IN_DB = '<not in database>';

export function fmtDate(ms: number | null): string {
  const d = new Date(ms ?? 0);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}Z`;
}

export function renderValue(f: Field<unknown>, v: Value): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.join(f.tagsStyle ? ', ' : '; ');
  return Object.entries(v)
    .map(([k, x]) => `${k}: ${x}`)
    .join('; ');
}

export function suffix(f: Field<unknown>): string {
  return ` (${f.kind.length === 2 ? ' ' + f.kind : f.kind})${f.deprecated ? ' [DEPRECATED]' : ''}`;
}

// Prepends a key, as xapi's add_to_map does (the newest key prints first).
export function prependKey(m: Map, key: string, value: string): Map {
  const out: Map = { [key]: value };
  for (const [k, v] of Object.entries(m)) if (k !== key) out[k] = v;
  return out;
}

function replaceMap(target: Map, next: Map): void {
  for (const k of Object.keys(target)) delete target[k];
  Object.assign(target, next);
}

export function setMapKey(m: Map, key: string, value: string): void {
  replaceMap(m, prependKey(m, key, value));
}

const b = (x: boolean) => (x ? 'true' : 'false');
const ref = (uuid: string | null | undefined, table: Record<string, unknown>) => (uuid ? (uuid in table ? uuid : '<invalid reference>') : NOT_IN_DB);

// ---------------------------------------------------------------------------- VM

function hasDomain(vm: Vm): boolean {
  return vm.power === 'running' || vm.power === 'paused';
}

export function hasGuestMetrics(vm: Vm, c: Ctx): boolean {
  return hasDomain(vm) && !vm.control && !c.faults.noPvDrivers.has(vm.name);
}

function gm(vm: Vm, c: Ctx, v: () => Value): Value {
  return hasGuestMetrics(vm, c) ? v() : NOT_IN_DB;
}

export function vmVbds(st: SimState, vm: Vm): Vbd[] {
  return where(st.vbds, (b) => b.vm === vm.uuid);
}

export function vmVifs(st: SimState, vm: Vm): Vif[] {
  return where(st.vifs, (f) => f.vm === vm.uuid);
}

// The Linux device names a numeric userdevice stands for (compared in both forms).
export function deviceName(userdevice: string, hvm: boolean): string {
  if (!/^[0-9]+$/.test(userdevice)) return userdevice;
  const n = Number(userdevice);
  const letters = (i: number): string => (i < 26 ? String.fromCharCode(97 + i) : letters(Math.floor(i / 26) - 1) + String.fromCharCode(97 + (i % 26)));
  return hvm && n < 4 ? `hd${letters(n)}` : `xvd${letters(n)}`;
}

function isHvm(vm: Vm): boolean {
  return vm.domainType === 'hvm' || (vm.domainType === 'unspecified' && vm.hvmPolicy !== '');
}

function memoryOverhead(vm: Vm): number {
  // [UNCONFIRMED] a plausible shape for xapi's overhead: 1 MiB per GiB of static-max plus 1 MiB per vCPU.
  return (Math.ceil(vm.smax / 2 ** 30) + vm.vcpusMax) * 2 ** 20;
}

function guestIp(vif: Vif): string {
  const parts = vif.mac.split(':').map((x) => parseInt(x, 16));
  return `10.${parts[3]}.${parts[4]}.${(parts[5] % 253) + 1}`;
}

const ACTION_NAMES: Record<string, string> = {
  destroy: 'Destroy', restart: 'Restart', preserve: 'Preserve', rename_restart: 'Rename restart',
  coredump_and_destroy: 'Core dump and destroy', coredump_and_restart: 'Core dump and restart', soft_reboot: 'Soft reboot',
};

function actionSetter(key: 'afterShutdown' | 'afterReboot' | 'afterCrash' | 'afterSoftreboot', field: string, allowed: string[]) {
  return (vm: Vm, v: string) => {
    const l = v.toLowerCase();
    if (!allowed.includes(l)) throw new XapiError('INVALID_VALUE', [field, v]); // [UNCONFIRMED] text for a bad enum
    if (key === 'afterCrash') {
      if (l === 'rename_restart') throw new XapiError('VALUE_NOT_SUPPORTED', ['actions_after_crash', v, 'option would leak a domain; use destroy instead']);
      if (l.startsWith('coredump') && isHvm(vm)) throw new XapiError('VALUE_NOT_SUPPORTED', ['actions_after_crash', v, 'coredumps are not supported for HVM/PVH guests']);
    }
    vm[key] = l;
  };
}

function requireOp(vm: Vm, op: string, c: Ctx): void {
  const r = checkOperation(vm, op, c.faults);
  if (!r.ok && !r.wait) throw r.error;
}

// static_min <= dynamic_min <= dynamic_max <= static_max (MEMORY_CONSTRAINT_VIOLATION_ORDER).
export function checkMemory(m: { smin: number; dmin: number; dmax: number; smax: number }): void {
  if (!(m.smin <= m.dmin && m.dmin <= m.dmax && m.dmax <= m.smax)) throw new XapiError('MEMORY_CONSTRAINT_VIOLATION_ORDER', []);
}

function memSetter(key: 'smin' | 'smax' | 'dmin' | 'dmax', field: string) {
  return (vm: Vm, v: string, c: Ctx) => {
    const n = parseSize(field, v);
    requireOp(vm, key === 'smin' || key === 'smax' ? 'changing_static_range' : 'changing_dynamic_range', c);
    const next = { smin: vm.smin, smax: vm.smax, dmin: vm.dmin, dmax: vm.dmax, [key]: n };
    checkMemory(next);
    vm[key] = n;
  };
}

const VCPU_RULE = 'VCPU values must satisfy: 0 < VCPUs_at_startup ≤ VCPUs_max';

const str = (key: keyof Vm) => (vm: Vm) => String(vm[key] ?? '');
const setStr = (key: 'name' | 'desc' | 'pvKernel' | 'pvRamdisk' | 'pvArgs' | 'pvLegacyArgs' | 'pvBootloader' | 'pvBootloaderArgs' | 'haRestartPriority') => (vm: Vm, v: string) => {
  vm[key] = v;
};
const setInt = (key: 'userVersion' | 'startDelay' | 'shutdownDelay' | 'order', name: string) => (vm: Vm, v: string) => {
  vm[key] = parseInteger(name, v);
};

export const VM_FIELDS: Field<Vm>[] = [
  { name: 'uuid', kind: 'RO', get: str('uuid') },
  { name: 'name-label', kind: 'RW', get: str('name'), set: setStr('name') },
  { name: 'name-description', kind: 'RW', get: str('desc'), set: setStr('desc') },
  { name: 'user-version', kind: 'RW', get: str('userVersion'), set: setInt('userVersion', 'user-version') },
  {
    name: 'is-a-template', kind: 'RW', get: (vm) => b(vm.template),
    set: (vm, v, c) => {
      const t = parseBool('is-a-template', v);
      if (t && !vm.template) requireOp(vm, 'make_into_template', c);
      vm.template = t;
    },
  },
  { name: 'is-default-template', kind: 'RW', get: (vm) => b(vm.defaultTemplate), set: (vm, v) => void (vm.defaultTemplate = parseBool('is-default-template', v)) },
  { name: 'is-a-snapshot', kind: 'RO', get: (x) => String(x.snapshotOf !== undefined) },
  { name: 'snapshot-of', kind: 'RO', get: (x, c) => ref(x.snapshotOf ?? null, c.st.vms) },
  { name: 'snapshots', kind: 'RO', get: () => '' },
  { name: 'snapshot-time', kind: 'RO', get: () => fmtDate(0) },
  { name: 'snapshot-info', kind: 'RO', get: () => '' },
  { name: 'parent', kind: 'RO', get: () => NOT_IN_DB },
  { name: 'children', kind: 'RO', get: () => '' },
  { name: 'is-control-domain', kind: 'RO', get: (vm) => b(vm.control) },
  { name: 'power-state', kind: 'RO', get: str('power') },
  { name: 'memory-actual', kind: 'RO', get: (vm) => String(hasDomain(vm) ? vm.dmax : 0) },
  { name: 'memory-target', kind: 'RO', expensive: true, get: (vm) => String(hasDomain(vm) ? vm.dmax : 0) },
  { name: 'memory-overhead', kind: 'RO', get: (vm) => String(memoryOverhead(vm)) },
  { name: 'memory-static-max', kind: 'RW', get: str('smax'), set: memSetter('smax', 'memory-static-max') },
  { name: 'memory-dynamic-max', kind: 'RW', get: str('dmax'), set: memSetter('dmax', 'memory-dynamic-max') },
  { name: 'memory-dynamic-min', kind: 'RW', get: str('dmin'), set: memSetter('dmin', 'memory-dynamic-min') },
  { name: 'memory-static-min', kind: 'RW', get: str('smin'), set: memSetter('smin', 'memory-static-min') },
  {
    name: 'suspend-VDI-uuid', kind: 'RW', get: (vm, c) => ref(vm.suspendVdi, c.st.vdis),
    set: (vm, v, c) => {
      if (v !== '' && !(v in c.st.vdis)) throw new XapiError('UUID_INVALID', ['VDI', v]);
      vm.suspendVdi = v === '' ? null : v;
    },
  },
  {
    name: 'suspend-SR-uuid', kind: 'RW', get: (vm, c) => ref(vm.suspendSr, c.st.srs),
    set: (vm, v, c) => {
      if (v !== '' && !(v in c.st.srs)) throw new XapiError('UUID_INVALID', ['SR', v]);
      vm.suspendSr = v === '' ? null : v;
    },
  },
  {
    name: 'VCPUs-params', kind: 'MRW', get: (vm) => vm.vcpuParams, map: (vm) => vm.vcpuParams,
    checkKey: (_vm, key, value) => {
      // [UNCONFIRMED] the error for a key other than weight|cap|mask.
      if (!['weight', 'cap', 'mask'].includes(key)) throw new XapiError('INVALID_VALUE', [`VCPUs_params:${key}`, value]);
    },
  },
  {
    name: 'VCPUs-max', kind: 'RW', get: str('vcpusMax'),
    set: (vm, v, c) => {
      const n = parseInteger('VCPUs-max', v);
      requireOp(vm, 'changing_VCPUs', c);
      if (vm.control) throw new XapiError('INTERNAL_ERROR', ['Failure("set_VCPUs_max: cannot be called on a control domain")']);
      if (n < 1 || n < vm.vcpusAtStartup) throw new XapiError('INVALID_VALUE', [VCPU_RULE, String(n)]);
      vm.vcpusMax = n;
    },
  },
  {
    name: 'VCPUs-at-startup', kind: 'RW', get: str('vcpusAtStartup'),
    set: (vm, v) => {
      const n = parseInteger('VCPUs-at-startup', v);
      if (n < 1 || n > vm.vcpusMax) throw new XapiError('INVALID_VALUE', [VCPU_RULE, String(n)]);
      vm.vcpusAtStartup = n;
    },
  },
  { name: 'actions-after-shutdown', kind: 'RW', get: (vm) => ACTION_NAMES[vm.afterShutdown], set: actionSetter('afterShutdown', 'actions-after-shutdown', ['destroy', 'restart']) },
  { name: 'actions-after-softreboot', kind: 'RW', get: (vm) => ACTION_NAMES[vm.afterSoftreboot], set: actionSetter('afterSoftreboot', 'actions-after-softreboot', ['soft_reboot', 'destroy', 'restart', 'preserve']) },
  { name: 'actions-after-reboot', kind: 'RW', get: (vm) => ACTION_NAMES[vm.afterReboot], set: actionSetter('afterReboot', 'actions-after-reboot', ['destroy', 'restart']) },
  {
    name: 'actions-after-crash', kind: 'RW', get: (vm) => ACTION_NAMES[vm.afterCrash],
    set: actionSetter('afterCrash', 'actions-after-crash', ['destroy', 'coredump_and_destroy', 'restart', 'coredump_and_restart', 'preserve', 'rename_restart']),
  },
  { name: 'console-uuids', kind: 'SRO', get: (vm) => (vm.consoleUuid && hasDomain(vm) ? [vm.consoleUuid] : []) },
  { name: 'hvm', kind: 'RO', get: (vm) => b(isHvm(vm)) },
  { name: 'platform', kind: 'MRW', get: (vm) => vm.platform, map: (vm) => vm.platform },
  { name: 'numa-optimised', kind: 'RO', get: () => 'false' },
  { name: 'numa-nodes', kind: 'RO', get: () => '0' },
  { name: 'numa-node-memory', kind: 'MRO', get: () => ({}) },
  { name: 'allowed-operations', kind: 'SRO', get: (vm, c) => allowedOperations(vm, c.faults) },
  { name: 'current-operations', kind: 'SRO', get: (vm) => vm.ops.map((o) => o.op) },
  {
    name: 'blocked-operations', kind: 'MRW', get: (vm) => vm.blocked, map: (vm) => vm.blocked,
    checkKey: (_vm, key) => {
      if (!/^[a-z_A-Z]+$/.test(key)) throw new CliError(`Unknown operation: ${key}`); // [UNCONFIRMED]
    },
  },
  {
    name: 'allowed-VBD-devices', kind: 'SRO', expensive: true,
    get: (vm, c) => {
      const used = new Set(vmVbds(c.st, vm).map((x) => x.userdevice));
      const max = vm.control ? 255 : 254;
      return Array.from({ length: max + 1 }, (_, i) => String(i)).filter((d) => !used.has(d));
    },
  },
  {
    name: 'allowed-VIF-devices', kind: 'SRO', expensive: true,
    get: (vm, c) => {
      const used = new Set(vmVifs(c.st, vm).map((x) => x.device));
      return Array.from({ length: 16 }, (_, i) => String(i)).filter((d) => !used.has(d));
    },
  },
  { name: 'possible-hosts', kind: 'RO', expensive: true, get: (_vm, c) => c.st.host.uuid },
  {
    name: 'domain-type', kind: 'RW', get: (vm) => vm.domainType.replace(/_/g, '-'),
    set: (vm, v) => {
      const t = v.toLowerCase().replace(/-/g, '_');
      if (!['hvm', 'pv', 'pv_in_pvh', 'pvh'].includes(t)) throw new XapiError('INVALID_VALUE', ['domain_type', v]);
      vm.domainType = t;
      vm.hvmPolicy = t === 'hvm' ? 'BIOS order' : '';
    },
  },
  { name: 'current-domain-type', kind: 'RO', get: (vm) => (hasDomain(vm) ? vm.bootedDomainType : 'unspecified').replace(/_/g, '-') },
  {
    name: 'HVM-boot-policy', kind: 'RW', get: str('hvmPolicy'),
    set: (vm, v) => {
      vm.hvmPolicy = v;
      vm.domainType = v === '' ? 'pv' : 'hvm';
    },
  },
  { name: 'HVM-boot-params', kind: 'MRW', get: (vm) => vm.hvmParams, map: (vm) => vm.hvmParams },
  {
    name: 'HVM-shadow-multiplier', kind: 'RW', get: (vm) => vm.shadowMultiplier.toFixed(3),
    set: (vm, v, c) => {
      const n = Number(v);
      if (!Number.isFinite(n) || v.trim() === '') throw new CliError(`Failed to parse parameter 'HVM-shadow-multiplier': expecting a float`);
      requireOp(vm, 'changing_shadow_memory', c);
      if (n < 1) throw new XapiError('INVALID_VALUE', ['multiplier', v]);
      vm.shadowMultiplier = n;
    },
  },
  { name: 'PV-kernel', kind: 'RW', get: str('pvKernel'), set: setStr('pvKernel') },
  { name: 'PV-ramdisk', kind: 'RW', get: str('pvRamdisk'), set: setStr('pvRamdisk') },
  { name: 'PV-args', kind: 'RW', get: str('pvArgs'), set: setStr('pvArgs') },
  { name: 'PV-legacy-args', kind: 'RW', get: str('pvLegacyArgs'), set: setStr('pvLegacyArgs') },
  { name: 'PV-bootloader', kind: 'RW', get: str('pvBootloader'), set: setStr('pvBootloader') },
  { name: 'PV-bootloader-args', kind: 'RW', get: str('pvBootloaderArgs'), set: setStr('pvBootloaderArgs') },
  { name: 'last-boot-CPU-flags', kind: 'RO', get: (vm) => (vm.startTime !== null ? 'vendor: AuthenticAMD; features: 1fcbfbff-f6f83203-2e500800-040001f3-0000000f-219c07a9-0040060c-00000000-311ed005-00000010-00000000-18000064-00000000-00000000-00000000-00000000-00000000-00000000' : '') },
  // records.ml: printed between single quotes, `''` when empty
  { name: 'last-boot-record', kind: 'RO', expensive: true, get: (vm) => `'${vm.lastBoot}'` },
  { name: 'resident-on', kind: 'RO', get: (vm, c) => (vm.residentOn && hasDomain(vm) ? ref(vm.residentOn, { [c.st.host.uuid]: 1 }) : NOT_IN_DB) },
  {
    name: 'affinity', kind: 'RW', get: (vm) => vm.affinity ?? NOT_IN_DB,
    set: (vm, v, c) => {
      if (v !== '' && v !== c.st.host.uuid) throw new XapiError('UUID_INVALID', ['host', v]);
      vm.affinity = v === '' ? null : v;
    },
  },
  { name: 'other-config', kind: 'MRW', get: (vm) => vm.other, map: (vm) => vm.other },
  { name: 'dom-id', kind: 'RO', get: (vm) => String(vm.domid) },
  { name: 'recommendations', kind: 'RO', get: str('recommendations') },
  { name: 'xenstore-data', kind: 'MRW', get: (vm) => vm.xenstore, map: (vm) => vm.xenstore },
  { name: 'ha-always-run', kind: 'RW', deprecated: true, get: () => 'false', set: (_vm, v) => void parseBool('ha-always-run', v) },
  { name: 'ha-restart-priority', kind: 'RW', get: str('haRestartPriority'), set: setStr('haRestartPriority') },
  { name: 'blobs', kind: 'RO', get: () => '' },
  { name: 'start-time', kind: 'RO', get: (vm) => fmtDate(vm.startTime) },
  { name: 'install-time', kind: 'RO', get: (vm) => fmtDate(vm.installTime) },
  { name: 'VCPUs-number', kind: 'RO', get: (vm) => String(hasDomain(vm) ? vm.vcpusLive : 0) },
  {
    name: 'VCPUs-utilisation', kind: 'MRO', expensive: true,
    get: (vm) => (hasDomain(vm) ? Object.fromEntries(Array.from({ length: vm.vcpusLive }, (_, i) => [String(i), '0.000'])) : {}),
  },
  {
    name: 'os-version', kind: 'MRO',
    get: (vm, c) => gm(vm, c, (): Map => (isHvm(vm)
      ? { name: 'Other install media', distro: 'unknown' }
      : { name: 'Debian GNU/Linux 12 (bookworm)', uname: '6.1.0-26-amd64', distro: 'debian', major: '12', minor: '7' })),
  },
  { name: 'netbios-name', kind: 'MRO', get: (vm, c) => gm(vm, c, () => ({})) },
  { name: 'PV-drivers-version', kind: 'MRO', get: (vm, c) => gm(vm, c, () => ({ major: '8', minor: '4', micro: '0', build: '1' })) },
  { name: 'PV-drivers-up-to-date', kind: 'RO', deprecated: true, get: (vm, c) => gm(vm, c, () => 'true') },
  { name: 'memory', kind: 'MRO', get: (vm, c) => gm(vm, c, () => ({})) },
  { name: 'disks', kind: 'MRO', get: (vm, c) => gm(vm, c, () => ({})) },
  { name: 'VBDs', kind: 'SRO', get: (vm, c) => vmVbds(c.st, vm).map((x) => x.uuid) },
  {
    name: 'networks', kind: 'MRO',
    get: (vm, c) => gm(vm, c, () => Object.fromEntries(vmVifs(c.st, vm).filter((v) => v.attached).flatMap((v) => [[`${v.device}/ip`, guestIp(v)], [`${v.device}/ipv4/0`, guestIp(v)]]))),
  },
  { name: 'services', kind: 'MRO', get: (vm, c) => gm(vm, c, () => ({})) },
  { name: 'PV-drivers-detected', kind: 'RO', get: (vm, c) => b(hasGuestMetrics(vm, c)) },
  {
    name: 'other', kind: 'MRO',
    get: (vm, c) => gm(vm, c, () => ({ 'feature-shutdown': '1', 'feature-poweroff': '1', 'feature-reboot': '1', 'feature-suspend': '1', 'feature-vcpu-hotplug': '1', 'has-vendor-device': '0' })),
  },
  { name: 'live', kind: 'RO', get: (vm, c) => gm(vm, c, () => 'true') },
  { name: 'guest-metrics-last-updated', kind: 'RO', get: (vm, c) => gm(vm, c, () => fmtDate(vm.startTime)) },
  { name: 'can-use-hotplug-vbd', kind: 'RO', get: (vm, c) => (hasGuestMetrics(vm, c) ? 'yes' : 'unspecified') },
  { name: 'can-use-hotplug-vif', kind: 'RO', get: (vm, c) => (hasGuestMetrics(vm, c) ? 'yes' : 'unspecified') },
  { name: 'cooperative', kind: 'RO', expensive: true, deprecated: true, get: () => 'true' },
  { name: 'tags', kind: 'SRW', tagsStyle: true, get: (vm) => vm.tags, members: (vm) => vm.tags },
  { name: 'appliance', kind: 'RW', get: () => NOT_IN_DB, set: (_vm, v) => { if (v !== '') throw new XapiError('UUID_INVALID', ['VM_appliance', v]); } },
  { name: 'groups', kind: 'RW', get: () => '', set: (_vm, v) => { if (v !== '') throw new XapiError('UUID_INVALID', ['VM_group', v]); } },
  { name: 'secureboot-certificates-state', kind: 'RO', get: (vm) => (isHvm(vm) ? 'ready' : 'unknown') },
  { name: 'snapshot-schedule', kind: 'RW', get: () => NOT_IN_DB, set: (_vm, v) => { if (v !== '') throw new XapiError('UUID_INVALID', ['VMSS', v]); } },
  { name: 'is-vmss-snapshot', kind: 'RO', get: () => 'false' },
  { name: 'start-delay', kind: 'RW', get: str('startDelay'), set: setInt('startDelay', 'start-delay') },
  { name: 'shutdown-delay', kind: 'RW', get: str('shutdownDelay'), set: setInt('shutdownDelay', 'shutdown-delay') },
  { name: 'order', kind: 'RW', get: str('order'), set: setInt('order', 'order') },
  { name: 'version', kind: 'RO', get: () => '0' },
  { name: 'generation-id', kind: 'RO', get: () => '' },
  { name: 'hardware-platform-version', kind: 'RO', get: () => '0' },
  {
    name: 'has-vendor-device', kind: 'RW', get: (vm) => b(vm.hasVendorDevice),
    set: (vm, v) => {
      const x = parseBool('has-vendor-device', v);
      // assert_initial_power_state_in joins the expected states with ";".
      if (vm.power !== 'halted') throw new XapiError('VM_BAD_POWER_STATE', [vmLabel(vm), 'halted', vm.power]);
      vm.hasVendorDevice = x;
    },
  },
  { name: 'requires-reboot', kind: 'RO', get: () => 'false' },
  { name: 'reference-label', kind: 'RO', get: str('referenceLabel') },
  { name: 'bios-strings', kind: 'MRO', get: () => ({}) },
  { name: 'pending-guidances', kind: 'RO', get: () => '' },
  { name: 'vtpms', kind: 'RO', get: () => '' },
  { name: 'pending-guidances-recommended', kind: 'RO', get: () => '' },
  { name: 'pending-guidances-full', kind: 'RO', get: () => '' },
  // hidden fields: param-get only
  { name: 'transportable-snapshot-id', kind: 'RO', hidden: true, get: () => '' },
  { name: 'nomigrate', kind: 'RW', hidden: true, get: () => 'false' },
  { name: 'nested-virt', kind: 'RW', hidden: true, get: () => 'false' },
  { name: 'NVRAM', kind: 'MRW', hidden: true, get: () => ({}) },
];

// ---------------------------------------------------------------------------- VDI, VBD, VIF, SR, network, host

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

export const SR_FIELDS: Field<Sr>[] = [
  { name: 'uuid', kind: 'RO', get: (x) => x.uuid },
  { name: 'name-label', kind: 'RW', get: (x) => x.name, set: (x, v) => void (x.name = v) },
  { name: 'name-description', kind: 'RW', get: (x) => x.desc, set: (x, v) => void (x.desc = v) },
  { name: 'host', kind: 'RO', get: (_x, c) => c.st.host.name },
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
}

export const HOST_FIELDS: Field<HostRow>[] = [
  { name: 'uuid', kind: 'RO', get: (h) => h.st.host.uuid },
  { name: 'name-label', kind: 'RW', get: (h) => h.st.host.name, set: (h, v) => void (h.st.host.name = v) },
  { name: 'name-description', kind: 'RW', get: () => 'Default install' },
  { name: 'allowed-operations', kind: 'SRO', get: () => ['vm_migrate', 'provision', 'vm_resume', 'evacuate', 'vm_start'] },
  { name: 'current-operations', kind: 'SRO', get: () => [] },
  { name: 'enabled', kind: 'RO', get: () => 'true' },
  { name: 'API-version-major', kind: 'RO', get: () => '2' },
  { name: 'API-version-minor', kind: 'RO', get: () => '21' },
  { name: 'API-version-vendor', kind: 'RO', get: () => 'XenSource' },
  { name: 'suspend-image-sr-uuid', kind: 'RW', get: (h) => h.st.host.defaultSr },
  { name: 'crash-dump-sr-uuid', kind: 'RW', get: (h) => h.st.host.defaultSr },
  { name: 'software-version', kind: 'MRO', get: () => ({ product_version: '8.3.0', product_brand: 'XCP-ng', platform_name: 'XCP', xapi: '26.17', xen: '4.17.5-8', hostname: 'localhost' }) },
  { name: 'other-config', kind: 'MRW', get: () => ({}) },
  { name: 'cpu_info', kind: 'MRO', get: (h) => ({ cpu_count: String(hostCpus(h.st)), socket_count: '1', vendor: 'GenuineIntel', speed: '2394.454', modelname: 'Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz', family: '6', model: '79', stepping: '1' }) },
  { name: 'hostname', kind: 'RO', get: (h) => h.st.host.name },
  { name: 'address', kind: 'RO', get: () => '127.0.0.1' },
  { name: 'supported-bootloaders', kind: 'SRO', get: () => ['pygrub', 'eliloader'] },
  { name: 'memory-total', kind: 'RO', get: (h) => String(h.st.host.memory) },
  { name: 'memory-free', kind: 'RO', get: (h) => String(hostFreeMemory(h.st)) },
  { name: 'resident-vms', kind: 'SRO', get: (h) => Object.values(h.st.vms).filter((v) => hasDomain(v)).map((v) => v.uuid) },
];

export function hostCpus(st: SimState): number {
  return st.host.cpus ?? DEFAULT_HOST_CPUS;
}

export function hostFreeMemory(st: SimState): number {
  const used = Object.values(rawOf(st).vms)
    .filter((v) => hasDomain(v))
    .reduce((a, v) => a + v.dmax + memoryOverhead(v), 0);
  return Math.max(0, st.host.memory - used);
}

export function hostRow(st: SimState): HostRow {
  return { st };
}
