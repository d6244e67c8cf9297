// The pool a simulated XAPI host belongs to: its members, what each can run, and where
// xapi places a VM. A single host is a pool of one (SimState.members absent).
import { DEFAULT_HOST_CPUS, type Host, type SimState, type Sr, type Vm } from '../state.js';
import { rawOf } from '../track.js';
import { NoHostsAvailable, XapiError } from './errors.js';
import { vmLabel } from './lifecycle.js';
import { hasDomain, memoryOverhead, vmVbds } from './vm-record.js';

export function poolHosts(st: SimState): Host[] {
  return [st.host, ...(st.members ?? [])];
}

export function memberByUuid(st: SimState, uuid: string): Host | undefined {
  return poolHosts(st).find((h) => h.uuid === uuid);
}

// cli_operations.ml `get_hosts_by_name_or_id`: a uuid or a name-label.
export function memberByNameOrUuid(st: SimState, s: string): Host | undefined {
  return poolHosts(st).find((h) => h.uuid === s) ?? poolHosts(st).find((h) => h.name === s);
}

export function hostLabel(h: Host): string {
  return `${h.uuid} (${h.name})`;
}

export function hostCpus(h: Host): number {
  return h.cpus ?? DEFAULT_HOST_CPUS;
}

export function hostEnabled(h: Host): boolean {
  return h.enabled !== false;
}

// The operations that bring a VM's domain onto a host once they complete; while they run, the
// memory they need is taken on their target (xapi's scheduled_to_be_resident_on).
const ARRIVING = new Set(['start', 'resume', 'pool_migrate']);

function residentHost(st: SimState, vm: Vm): string | null {
  return hasDomain(vm) ? (vm.residentOn ?? st.host.uuid) : null;
}

// The memory a VM takes on a host (memory_check.ml `vm_compute_used_memory`: the chosen
// memory figure plus VM.memory_overhead; the simulator counts dynamic-max, see checkBootable).
function usedBy(vm: Vm): number {
  return vm.dmax + memoryOverhead(vm);
}

export function hostFreeMemory(st: SimState, host: Host = st.host): number {
  let used = 0;
  for (const v of Object.values(rawOf(st).vms)) {
    const arriving = v.ops.some((o) => ARRIVING.has(o.op) && o.args?.host === host.uuid);
    if (residentHost(st, v) === host.uuid || (arriving && residentHost(st, v) !== host.uuid)) used += usedBy(v);
  }
  return Math.max(0, host.memory - used);
}

export function srHost(st: SimState, sr: Sr): string {
  return sr.host ?? st.host.uuid;
}

// xapi_vm_helpers.ml `assert_can_see_SRs`: every non-empty VBD's SR (and a suspended VM's
// suspend image's) must be attached on the host: shared, or local to that member.
function assertCanSeeSrs(st: SimState, vm: Vm, host: Host): void {
  const vdis = vmVbds(st, vm).flatMap((b) => (b.vdi ? [b.vdi] : []));
  if (vm.power === 'suspended' && vm.suspendVdi) vdis.push(vm.suspendVdi);
  for (const id of vdis) {
    const sr = st.srs[st.vdis[id]?.sr ?? ''];
    if (sr && !sr.shared && srHost(st, sr) !== host.uuid) throw new XapiError('VM_REQUIRES_SR', [vmLabel(vm), `${sr.uuid} (${sr.name})`]);
  }
}

// xapi_vm_helpers.ml `assert_can_boot_here` (xen-api e2ee48d688), the checks the simulator
// models, in its order: host enabled (not for a live migration within the host), SRs
// visible, enough free memory (`assert_enough_memory_available`), enough pCPUs
// (`assert_enough_pcpus`, VCPUs-max against cpu_info cpu_count unless
// platform:vcpu-unrestricted).
export function assertCanBootHere(st: SimState, vm: Vm, host: Host, memory: boolean): void {
  const localLive = vm.power === 'running' && residentHost(st, vm) === host.uuid;
  if (!vm.control && !localLive && !hostEnabled(host)) throw new XapiError('HOST_DISABLED', [hostLabel(host)]);
  assertCanSeeSrs(st, vm, host);
  if (memory) {
    const needed = vm.dmax;
    const available = hostFreeMemory(st, host);
    if (needed > available) throw new XapiError('HOST_NOT_ENOUGH_FREE_MEMORY', [String(needed), String(available)]);
  }
  const pcpus = hostCpus(host);
  if (vm.vcpusMax > pcpus && !['true', '1'].includes((vm.platform['vcpu-unrestricted'] ?? '').toLowerCase())) {
    throw new XapiError('HOST_NOT_ENOUGH_PCPUS', [String(vm.vcpusMax), String(pcpus)]);
  }
}

// cli_operations.ml `print_assert_exception`: why a host cannot run the VM, in the
// NO_HOSTS_AVAILABLE report.
function whyNot(e: XapiError): string {
  switch (e.code) {
    case 'VM_REQUIRES_SR':
      return `VM requires access to SR: ${e.params[1]}`;
    case 'HOST_DISABLED':
      return "Host disabled (use 'xe host-enable' to re-enable)";
    case 'HOST_NOT_ENOUGH_FREE_MEMORY':
      return 'Not enough free memory';
    case 'HOST_NOT_ENOUGH_PCPUS':
      return `Not enough CPUs (VM needs ${e.params[0]}, but host has ${e.params[1]})`;
    default:
      return e.code;
  }
}

function passes(st: SimState, vm: Vm, host: Host, memory: boolean): XapiError | null {
  try {
    assertCanBootHere(st, vm, host, memory);
    return null;
  } catch (e) {
    if (e instanceof XapiError) return e;
    throw e;
  }
}

// The host a start or resume without `on=` goes to: xapi_vm_helpers.ml
// `choose_host_for_vm_no_wlb` tries the hosts that pass every check (the VM's affinity first,
// Xapi_vm_placement; then, as the simulator's deterministic choice, the most free memory),
// then again ignoring memory, so that the start itself fails with
// HOST_NOT_ENOUGH_FREE_MEMORY on the chosen host; with none, NO_HOSTS_AVAILABLE.
export function chooseHost(st: SimState, vm: Vm): Host {
  const hosts = poolHosts(st)
    .map((h, i) => ({ h, i, free: hostFreeMemory(st, h) }))
    .sort((a, b) => Number(b.h.uuid === vm.affinity) - Number(a.h.uuid === vm.affinity) || b.free - a.free || a.i - b.i)
    .map((x) => x.h);
  const fit = hosts.find((h) => passes(st, vm, h, true) === null);
  if (fit) return fit;
  const anyway = hosts.find((h) => passes(st, vm, h, false) === null);
  if (anyway) return anyway;
  throw new NoHostsAvailable(poolHosts(st).map((h) => [h.name, whyNot(passes(st, vm, h, false)!)]));
}

// Called as a pool migration is admitted, before its operation is recorded on the VM.
export function noteMigrationStart(st: SimState): void {
  const inFlight = Object.values(rawOf(st).vms).filter((v) => v.ops.some((o) => o.op === 'pool_migrate')).length + 1;
  st.migrationsInFlightPeak = Math.max(st.migrationsInFlightPeak ?? 0, inFlight);
}
