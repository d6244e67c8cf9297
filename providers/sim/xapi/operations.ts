// What each lifecycle operation does to the host once it has run (xapi_vm.ml,
// xapi_xenops.ml), and the guest-initiated events (crash) of §1.5. Pure state changes:
// the runner in run.ts decides when they happen.
import type { Faults } from '../faults.js';
import { newUuid } from '../ids.js';
import { POWER_HISTORY_KEPT, type Host, type Power, type SimState, type Vm } from '../state.js';
import { XapiError } from './errors.js';
import { assertCanBootHere, chooseHost } from './pool.js';
import { hasGuestMetrics, vmsPending, vmVbds, vmVifs } from './vm-record.js';
import { vmLabel } from './lifecycle.js';

// Version choice: >= v24.20.0, direct kernels must live under /var/lib/xcp/guest/.
const KERNEL_DIR = '/var/lib/xcp/guest/';
const BOOTLOADERS = ['pygrub', 'eliloader'];

export interface Env {
  faults: Faults;
  // set when the host has its own file root: the path with symlinks resolved, and whether it
  // is a regular file; null when it does not exist
  bootFile?: (path: string) => { real: string; regular: boolean } | null;
}

function resolvedDomainType(vm: Vm): string {
  if (vm.domainType !== 'unspecified') return vm.domainType;
  return vm.hvmPolicy === '' ? 'pv' : 'hvm';
}

// xen-api v1.249.42 ocaml/xapi/xapi_vm_helpers.ml `validate_memory` (from
// `assert_can_boot_here`): the constraints must only be coercible
// (vm_memory_constraints.ml `transform`: the dynamic range is clamped into the static one), so
// only a maximum below its minimum fails, with MEMORY_CONSTRAINT_VIOLATION and no parameters.
// The CLI setters never leave such a record; an imported or hand-edited one can.
function validateMemory(vm: Vm): void {
  if (vm.smax < vm.smin || vm.dmax < vm.dmin) throw new XapiError('MEMORY_CONSTRAINT_VIOLATION', []);
}

// Checks made when a domain is about to be built (start, resume, reboot); returns the pool
// member it is built on: `on` (VM.start_on), the one the domain is on, or xapi's choice.
export function checkBootable(st: SimState, vm: Vm, env: Env, needMemory: boolean, on?: Host): Host {
  if (vm.vcpusMax < 1) throw new XapiError('INVALID_VALUE', ['VCPUs_max', String(vm.vcpusMax)]);
  if (vm.vcpusAtStartup > vm.vcpusMax) {
    throw new XapiError('VALUE_NOT_SUPPORTED', ['VCPUs-at-startup', String(vm.vcpusAtStartup), 'value greater than VCPUs-max']);
  }
  validateMemory(vm);
  // Host choice (pool.ts): with `on`, that host's own refusal; otherwise NO_HOSTS_AVAILABLE
  // when no member passes the checks but memory (e.g. assert_enough_pcpus).
  const host = on ?? chooseHost(st, vm);
  if (on) assertCanBootHere(st, vm, on, false);
  const type = resolvedDomainType(vm);
  if (type === 'pv' || type === 'pv_in_pvh') {
    if (vm.pvBootloader !== '') {
      if (!BOOTLOADERS.includes(vm.pvBootloader)) throw new XapiError('UNKNOWN_BOOTLOADER', [vmLabel(vm), vm.pvBootloader]);
    } else {
      // No bootloader: a direct kernel (an empty ramdisk is none). xen-api e2ee48d688
      // (v26.17.0-29) ocaml/xapi/xapi_xenops.ml `kernel_path`: Unix.realpath first ("File does
      // not exist", so also for an empty kernel), then Unix.stat ("Is not a regular file"),
      // then the allowed directories, checked on the resolved path.
      for (const [field, path] of [['kernel', vm.pvKernel], ['ramdisk', vm.pvRamdisk]] as const) {
        if (field === 'ramdisk' && path === '') continue;
        const file = env.bootFile ? env.bootFile(path) : path === '' ? null : { real: path, regular: true };
        if (file === null) throw new XapiError('INVALID_VALUE', [field, path, 'File does not exist']);
        if (!file.regular) throw new XapiError('INVALID_VALUE', [field, path, 'Is not a regular file']);
        if (!file.real.startsWith(KERNEL_DIR)) {
          throw new XapiError('INVALID_VALUE', [field, path, `Is not in any of the allowed kernel directories: [${KERNEL_DIR}]`]);
        }
      }
    }
  }
  if (needMemory) assertCanBootHere(st, vm, host, true);
  return host;
}

// VM.last_booted_record holds only xenopsd's opaque domain metadata, written when the VM
// becomes Suspended and read back to resume; xapi stopped setting it at start in 37dc4fb03c
// ("Don't set VM.last_booted_record on start", v1.58.0; xapi_xenops.ml L2152 at v1.249.42).
function suspendMetadata(vm: Vm): string {
  return `((domains ((${vm.uuid} ((build_info ((memory_max ${Math.floor(vm.dmax / 1024)}) (vcpus ${vm.vcpusLive}))) (ty ${vm.bootedDomainType}))))))`;
}

// Every power transition goes through here, so that the VM's power history is complete.
export function enterPower(vm: Vm, power: Power): void {
  vm.power = power;
  vm.powerHistory = [...(vm.powerHistory ?? []), power].slice(-POWER_HISTORY_KEPT);
}

function buildDomain(st: SimState, vm: Vm, env: Env, paused: boolean, host: string = vm.residentOn ?? st.host.uuid): void {
  if (vm.power !== 'halted' && vm.power !== 'suspended') enterPower(vm, 'halted');
  enterPower(vm, paused ? 'paused' : 'running');
  vm.domid = st.nextDomid++;
  vm.residentOn = host;
  vm.startTime = Date.now();
  vm.vcpusLive = vm.vcpusAtStartup;
  vm.bootedDomainType = resolvedDomainType(vm);
  if (!vm.consoleUuid) vm.consoleUuid = newUuid(st);
  const hvm = vm.bootedDomainType === 'hvm';
  // xapi_xenops.ml MD.of_vm: an empty or missing order boots as "cd".
  if (hvm) vm.bootOrders = [...(vm.bootOrders ?? []), vm.hvmParams.order || 'cd'].slice(-POWER_HISTORY_KEPT);
  for (const vbd of vmVbds(st, vm)) if (vbd.vdi !== null || hvm) vbd.attached = true;
  for (const vif of vmVifs(st, vm)) vif.attached = true;
  delete vm.crashAt;
  if (env.faults.crash.has(vm.name)) vm.crashAt = Date.now() + env.faults.crashAfterMs;
}

export function resetToHalted(st: SimState, vm: Vm): void {
  enterPower(vm, 'halted');
  vm.domid = -1;
  vm.residentOn = null;
  vm.vcpusLive = 0;
  delete vm.crashAt;
  for (const vbd of vmVbds(st, vm)) vbd.attached = false;
  for (const vif of vmVifs(st, vm)) vif.attached = false;
  if (vm.suspendVdi) {
    delete st.vdis[vm.suspendVdi];
    vm.suspendVdi = null;
  }
}

// Completes `op` on `vm`. Returns what the command prints, if anything.
export function completeOperation(st: SimState, vm: Vm, op: string, args: Record<string, string>, env: Env): void {
  switch (op) {
    case 'start':
      buildDomain(st, vm, env, args.paused === 'true', args.host);
      return;
    case 'clean_shutdown':
    case 'hard_shutdown':
      resetToHalted(st, vm);
      return;
    case 'clean_reboot':
    case 'hard_reboot':
      // VM_reboot = shutdown + VM_start + unpause: a new domain from the current record.
      buildDomain(st, vm, env, false);
      return;
    case 'pool_migrate':
      // The domain moves with its memory: same dom-id sequence as a new domain on the
      // destination, no power change (xapi_vm_migrate.ml `pool_migrate`).
      vm.domid = st.nextDomid++;
      vm.residentOn = args.host;
      return;
    case 'pause':
      enterPower(vm, 'paused');
      return;
    case 'unpause':
      enterPower(vm, 'running');
      return;
    case 'suspend': {
      const sr = vm.suspendSr && st.srs[vm.suspendSr] ? vm.suspendSr : st.host.defaultSr;
      const vdi = newUuid(st);
      st.vdis[vdi] = {
        uuid: vdi, name: 'Suspend image', desc: 'Suspend image', sr, size: vm.smax + 4 * 2 ** 20, type: 'suspend',
        sharable: false, readOnly: false, other: {}, smConfig: {}, tags: [],
      };
      vm.suspendVdi = vdi;
      vm.lastBoot = suspendMetadata(vm);
      enterPower(vm, 'suspended');
      vm.domid = -1;
      vm.residentOn = null;
      vm.vcpusLive = 0;
      delete vm.crashAt;
      return;
    }
    case 'resume': {
      const vdi = vm.suspendVdi;
      buildDomain(st, vm, env, false, args.host);
      if (vdi) delete st.vdis[vdi];
      vm.suspendVdi = null;
      return;
    }
    default:
      return;
  }
}

export function suspendSrOf(st: SimState, vm: Vm): string | null {
  if (vm.suspendSr && st.srs[vm.suspendSr]) return vm.suspendSr;
  return st.host.defaultSr || null;
}

// Guest-initiated events that are due: crashes handled by actions-after-crash.
export function settleGuests(st: SimState, env: Env): void {
  const now = Date.now();
  for (const vm of vmsPending(st, '').filter((v) => v.crashAt !== undefined && v.crashAt <= now && v.power === 'running')) {
    const action = vm.afterCrash;
    const young = vm.startTime !== null && now - vm.startTime < 120_000;
    if (action === 'preserve') {
      enterPower(vm, 'paused');
      delete vm.crashAt;
    } else if ((action === 'restart' || action === 'coredump_and_restart' || action === 'rename_restart') && !young) {
      buildDomain(st, vm, env, false);
    } else {
      // destroy, coredump_and_destroy, or a crash within 120 s of the start (Start becomes Shutdown).
      resetToHalted(st, vm);
    }
  }
}

export { hasGuestMetrics };
