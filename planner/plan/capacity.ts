// Whether the VMs a plan brings onto a XAPI pool member fit there, checked at plan time in
// step order, so that a start xapi would refuse (HOST_NOT_ENOUGH_FREE_MEMORY, NO_HOSTS_AVAILABLE)
// is refused before any step runs.
import type { Step } from '../model/ops.js';
import type { HostInventory, ObservedVm, PoolMember, VmAttributes } from '../model/vm.js';
import { formatSize } from '../config/units.js';
import type { MemberCapacity } from './types.js';

export interface CapacityVm {
  address: string;
  host: string;
  after: VmAttributes | null; // desired
  observed: ObservedVm | null;
  affinity?: string;
}

export interface CapacityProblem {
  address: string;
  host: string;
  detail: string;
}

const MiB = 1024 * 1024;
const pagesToMib = (pages: number): number => Math.ceil(pages / 256); // 4 KiB pages

// The memory xapi accounts to a domain beyond its own: xapi-idl memory/memory.ml (xen-api
// e2ee48d688) `Memory_model.overhead_mib`: extra internal (HVM 1 MiB, PV 0) and external (1 MiB)
// memory, shadow memory (256 pages per vCPU + 2 pages per MiB of static-max, times the shadow
// multiplier 1.0, at least 1 MiB), and 38 pages per vCPU (CA-423172). memory_check.ml
// `vm_compute_used_memory` charges a running VM its memory plus this overhead.
export function memoryOverhead(a: VmAttributes): number {
  const staticMaxMib = Math.ceil(a.memory.static_max / MiB);
  const internal = a.boot.mode === 'hvm' ? 1 : 0;
  const shadow = Math.max(1, pagesToMib(256 * a.vcpus_max + 2 * staticMaxMib));
  return (internal + 1 + shadow + pagesToMib(38 * a.vcpus_max)) * MiB;
}

// What a domain of `a` takes on its member: static-max (at least what xapi's start check asks
// for, memory_check.ml `vm_compute_start_memory`) plus the overhead.
export function footprint(a: VmAttributes): number {
  return a.memory.static_max + memoryOverhead(a);
}

interface Ledger {
  member: PoolMember;
  free: number;
  arrivals: string[]; // addresses planned onto it so far
}

// Walks the steps in plan order; memory freed by halts is not counted for other VMs (steps of
// different VMs may run in any order), so the check never lets through what xapi could refuse. A
// running VM restarted for a raise of memory.static_max or vcpus_max (both need a halt) is charged
// on its member only what the raise adds.
// The first few of a member's arrivals and how many more: one problem per refused VM, so a
// full list in each would make the refusals of N VMs quadratic in N.
const FEW = 5;
const namedFew = (addresses: readonly string[]): string =>
  addresses.length <= FEW ? addresses.join(', ') : `${addresses.slice(0, FEW).join(', ')} and ${addresses.length - FEW} more`;

export function checkCapacity(steps: readonly Step[], vms: readonly CapacityVm[], inventories: Record<string, HostInventory>): { problems: CapacityProblem[]; table: MemberCapacity[] } {
  const problems: CapacityProblem[] = [];
  const byAddress = new Map(vms.map((v) => [v.address, v]));
  const ledgers = new Map<string, Map<string, Ledger>>(); // host -> member name -> ledger
  const ledgerOf = (host: string): Map<string, Ledger> | null => {
    const members = inventories[host]?.members;
    if (!members || members.length === 0) return null;
    let l = ledgers.get(host);
    if (!l) {
      l = new Map(members.map((m) => [m.name, { member: m, free: m.memory_free, arrivals: [] }]));
      ledgers.set(host, l);
    }
    return l;
  };
  // What a running VM's own halt (or suspend) frees on the member it ran on, kept for that VM's
  // own start: its steps run in order, other VMs' steps may not.
  const released = new Map<string, { member: string; bytes: number }>();
  const affinityOf = new Map<string, string>(); // set by a step of the plan (placement, spread)
  for (const s of steps) {
    const vm = byAddress.get(s.address);
    const l = ledgerOf(s.host);
    if (!vm?.after || !l) continue;
    const was = vm.observed;
    if (was?.resident_on && (s.to === 'halted' || s.to === 'suspended') && !released.has(s.address)) {
      released.set(s.address, { member: was.resident_on, bytes: footprint(was.attributes) });
      continue;
    }
    if (s.op === 'set') {
      const set = s.args.changes.find((c) => c.path === 'affinity');
      if (set) affinityOf.set(s.address, String(set.value));
      continue;
    }
    const arriving = s.op === 'start' || s.op === 'resume' ? (affinityOf.get(s.address) ?? vm.affinity ?? vm.observed?.affinity) : s.op === 'migrate' ? s.args.member : undefined;
    if (s.op !== 'start' && s.op !== 'resume' && s.op !== 'migrate') continue;
    const need = footprint(vm.after);
    const own = released.get(s.address);
    const credit = (x: Ledger): number => (own && own.member === x.member.name ? own.bytes : 0);
    // Without an affinity xapi picks a member that fits (xapi_vm_helpers.ml `choose_host_for_vm_no_wlb`):
    // the one with the most free memory (counting what the VM's own halt gave back) stands for its choice.
    const enabled = [...l.values()].filter((x) => x.member.enabled);
    const ledger = arriving !== undefined ? l.get(arriving) : enabled.sort((a, b) => b.free + credit(b) - (a.free + credit(a)))[0];
    if (!ledger) continue; // an unknown member is refused by placement
    const back = credit(ledger);
    released.delete(s.address);
    const what = s.op === 'migrate' ? 'would be migrated to' : s.op === 'resume' ? 'would resume on' : 'would start on';
    if (!ledger.member.enabled) {
      problems.push({ address: s.address, host: s.host, detail: `${s.address} ${what} pool member "${ledger.member.name}", which is disabled (host-disable): it receives no VM` });
      continue;
    }
    if (vm.after.vcpus_max > ledger.member.pcpus && ledger.member.pcpus > 0) {
      problems.push({ address: s.address, host: s.host, detail: `${s.address} ${what} pool member "${ledger.member.name}", which has ${ledger.member.pcpus} physical CPUs, but vcpus_max is ${vm.after.vcpus_max}` });
      continue;
    }
    if (need > ledger.free + back) {
      const before = ledger.arrivals.length > 0 ? ` after the VMs planned onto it before (${namedFew(ledger.arrivals)})` : '';
      const raise = back > 0 ? `, ${formatSize(need - back)} more than the ${formatSize(back)} it takes now,` : '';
      problems.push({
        address: s.address,
        host: s.host,
        detail: `${s.address} ${what} pool member "${ledger.member.name}", which would need ${formatSize(need)} (memory ${formatSize(vm.after.memory.static_max)} + overhead ${formatSize(memoryOverhead(vm.after))})${raise} but has ${formatSize(ledger.free)} free${before}`,
      });
      continue;
    }
    ledger.free -= need - back;
    ledger.arrivals.push(s.address);
  }
  const table: MemberCapacity[] = [];
  for (const [host, l] of ledgers) {
    if (l.size < 2 || ![...l.values()].some((x) => x.arrivals.length > 0)) continue;
    for (const x of l.values()) {
      table.push({ host, member: x.member.name, enabled: x.member.enabled, pcpus: x.member.pcpus, memory_free_before: x.member.memory_free, memory_free_after: x.free, arrivals: x.arrivals });
    }
  }
  return { problems, table };
}
