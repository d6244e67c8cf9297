// The VM record (records.ml `vm_record`).
// Version choice: current xapi (v26.x), so the VM record has the 109 fields of spec §2.4.
import type { Map, SimState, Vbd, Vif, Vm } from '../state.js';
import { parseBool, parseInteger, parseSize } from './args.js';
import { CliError, XapiError } from './errors.js';
import { lookup } from '../lookup.js';
import { allowedOperations, checkOperation, vmLabel } from './lifecycle.js';
import { b, fmtDate, NOT_IN_DB, ref, type Ctx, type Field, type Value } from './record-format.js';
import { memberByUuid, poolHosts } from './pool.js';

export function hasDomain(vm: Vm): boolean {
  return vm.power === 'running' || vm.power === 'paused';
}

export function hasGuestMetrics(vm: Vm, c: Ctx): boolean {
  return hasDomain(vm) && !vm.control && !c.faults.noPvDrivers.has(vm.name);
}

function gm(vm: Vm, c: Ctx, v: () => Value): Value {
  return hasGuestMetrics(vm, c) ? v() : NOT_IN_DB;
}

export const vbdsOf = lookup<Vbd>('vbds', (b) => [b.vm]);
export const vifsOf = lookup<Vif>('vifs', (f) => [f.vm]);
export const vmsNamed = lookup<Vm>('vms', (v) => [v.name]);
// VMs with operations in flight or a crash due: what settling a host looks at.
export const vmsPending = lookup<Vm>('vms', (v) => (v.ops.length > 0 || v.crashAt !== undefined ? [''] : []));

export function vmVbds(st: SimState, vm: Vm): Vbd[] {
  return vbdsOf(st, vm.uuid);
}

export function vmVifs(st: SimState, vm: Vm): Vif[] {
  return vifsOf(st, vm.uuid);
}

// The Linux device names a numeric userdevice stands for (compared in both forms).
export function deviceName(userdevice: string, hvm: boolean): string {
  if (!/^[0-9]+$/.test(userdevice)) return userdevice;
  const n = Number(userdevice);
  const letters = (i: number): string => (i < 26 ? String.fromCharCode(97 + i) : letters(Math.floor(i / 26) - 1) + String.fromCharCode(97 + (i % 26)));
  return hvm && n < 4 ? `hd${letters(n)}` : `xvd${letters(n)}`;
}

export function isHvm(vm: Vm): boolean {
  return vm.domainType === 'hvm' || (vm.domainType === 'unspecified' && vm.hvmPolicy !== '');
}

export function memoryOverhead(vm: Vm): number {
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
      requireOp(vm, 'changing_VCPUs', c); // refused on dom0 (lifecycle.ts checkOperation)
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
  { name: 'possible-hosts', kind: 'RO', expensive: true, get: (_vm, c) => poolHosts(c.st).map((h) => h.uuid).join('; ') },
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
  { name: 'resident-on', kind: 'RO', get: (vm, c) => (vm.residentOn && hasDomain(vm) ? ref(vm.residentOn, Object.fromEntries(poolHosts(c.st).map((h) => [h.uuid, 1]))) : NOT_IN_DB) },
  {
    name: 'affinity', kind: 'RW', get: (vm) => vm.affinity ?? NOT_IN_DB,
    set: (vm, v, c) => {
      if (v !== '' && !memberByUuid(c.st, v)) throw new XapiError('UUID_INVALID', ['host', v]);
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
  // records.ml prints the tristate with Record_util.tristate_to_string: true, false, unspecified.
  { name: 'can-use-hotplug-vbd', kind: 'RO', get: (vm, c) => (hasGuestMetrics(vm, c) ? 'true' : 'unspecified') },
  { name: 'can-use-hotplug-vif', kind: 'RO', get: (vm, c) => (hasGuestMetrics(vm, c) ? 'true' : 'unspecified') },
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
  { name: 'vtpms', kind: 'RO', get: (vm) => (vm.vtpms ?? []).map((v) => v.uuid).join('; ') }, // records.ml get_uuids_from_refs
  { name: 'pending-guidances-recommended', kind: 'RO', get: () => '' },
  { name: 'pending-guidances-full', kind: 'RO', get: () => '' },
  // hidden fields: param-get only
  { name: 'transportable-snapshot-id', kind: 'RO', hidden: true, get: () => '' },
  { name: 'nomigrate', kind: 'RW', hidden: true, get: () => 'false' },
  { name: 'nested-virt', kind: 'RW', hidden: true, get: () => 'false' },
  // Each key is changed by VM.add_to_NVRAM / remove_from_NVRAM under the `changing_NVRAM`
  // operation, Halted only (message_forwarding.ml, xapi_vm_lifecycle.ml allowed_power_states).
  {
    name: 'NVRAM', kind: 'MRW', hidden: true, get: (vm) => vm.nvram ?? {}, map: (vm) => (vm.nvram ??= {}),
    guard: (vm, c) => {
      const check = checkOperation(vm, 'changing_NVRAM', c.faults);
      if (!check.ok && !check.wait) throw check.error;
    },
  },
];
