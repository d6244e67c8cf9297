// `placement { spread = "NAME" }`: the VMs of one pool sharing a spread name run on distinct
// members where capacity allows. A VM of the group that starts (created, or halted and to run)
// with no `affinity` gets as affinity an enabled member that runs no other VM of the group and
// has room, the most free memory first; xapi starts a VM on its affinity first
// (xapi_vm_helpers.ml `choose_host_for_vm_no_wlb`). Running VMs are never moved for a spread.
// When no such member is left the VM starts where xapi places it, and the plan warns.
import type { VmConfig } from '../config/types.js';
import { hasDomain, type HostInventory } from '../model/vm.js';

export class Spread {
  private readonly used = new Map<string, Set<string>>(); // host \0 group -> members running the group
  private readonly free = new Map<string, Map<string, number>>(); // host -> member -> memory left
  readonly warnings: string[] = [];

  constructor(vms: readonly VmConfig[], private readonly inventories: Record<string, HostInventory>) {
    const groupOf = new Map(vms.filter((v) => v.spread !== undefined).map((v) => [v.address, v.spread!]));
    if (groupOf.size === 0) return;
    for (const inv of Object.values(inventories)) {
      for (const o of inv.vms) {
        const group = o.markers.address === undefined ? undefined : groupOf.get(o.markers.address);
        if (group !== undefined && o.resident_on && hasDomain(o.attributes.power_state)) this.usedBy(inv.host, group).add(o.resident_on);
      }
    }
  }

  private usedBy(host: string, group: string): Set<string> {
    const key = `${host}\u0000${group}`;
    let s = this.used.get(key);
    if (!s) this.used.set(key, (s = new Set()));
    return s;
  }

  // The members of `host`'s pool that run a VM of `group`.
  running(host: string, group: string): ReadonlySet<string> {
    return this.usedBy(host, group);
  }

  // A VM of the group moved to `member` (evacuation).
  occupy(host: string, group: string, member: string): void {
    this.usedBy(host, group).add(member);
  }

  // The member a starting VM of the group goes to, with the reason; null (and a warning) when
  // every enabled member with room already runs one of the group.
  choose(vm: VmConfig, host: string, need: number): { member: string; reason: string } | null {
    const group = vm.spread!;
    const members = this.inventories[host]?.members;
    if (!members || members.length === 0) return null;
    let free = this.free.get(host);
    if (!free) this.free.set(host, (free = new Map(members.map((m) => [m.name, m.memory_free]))));
    const used = this.usedBy(host, group);
    const open = members.filter((m) => m.enabled && !used.has(m.name) && free!.get(m.name)! >= need);
    if (open.length === 0) {
      const taken = [...used].sort().join(', ') || 'none';
      this.warnings.push(
        `spread group "${group}" on host "${host}" cannot be honoured for ${vm.address}: every enabled pool member with room for it already runs a VM of the group (members running the group: ${taken}); xapi places it`,
      );
      return null;
    }
    const best = open.reduce((a, b) => (free!.get(b.name)! > free!.get(a.name)! ? b : a));
    free.set(best.name, free.get(best.name)! - need);
    used.add(best.name);
    const elsewhere = [...used].filter((m) => m !== best.name).sort();
    const where = elsewhere.length > 0 ? ` (the group runs on ${elsewhere.join(', ')})` : '';
    return { member: best.name, reason: `spread group "${group}": the VM starts on pool member "${best.name}", which runs no other VM of the group${where}` };
  }
}
