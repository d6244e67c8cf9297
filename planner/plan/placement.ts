// Where in a XAPI pool a VM runs: `affinity` names the member. A VM with no domain gets it as
// metadata (its next start goes there: xapi_vm_helpers.ml `choose_host_for_vm_no_wlb` tries the
// affinity first); a running VM is moved live (`migrate`, VM.pool_migrate), or, when xapi would
// refuse a live migration, halted and started there, and the plan says why.
import type { VmConfig } from '../config/types.js';
import { findHaltPath, maxDisruption, stepsDisruption } from '../lifecycle/path.js';
import type { LifecycleGraph } from '../lifecycle/graphs.js';
import { lifecycleBody } from '../model/ops.js';
import { hasDomain, type Disruption, type HostInventory, type ObservedVm, type PoolMember, type PowerState, type ShutdownPolicy } from '../model/vm.js';
import { footprint } from './capacity.js';
import type { Spread } from './spread.js';
import type { AttributeChange } from './types.js';
import { PlanningError, type StepDraft } from './vm-steps.js';

// The parts of a resource change being worked out that placement adds to.
export interface PlacementWork {
  drafts: StepDraft[];
  hosts: string[];
  changes: AttributeChange[];
  reasons: string[];
  disruption: Disruption;
}

export interface PlacementInput {
  vm: VmConfig;
  observed: ObservedVm | null; // null: the VM is created by the drafts
  inventory: HostInventory | undefined;
  current: PowerState; // before the drafts
  graph: LifecycleGraph;
  policy: ShutdownPolicy;
  evacuation?: Evacuation; // --evacuate: the member being drained, and where its VMs go
  spread?: Spread; // placement.spread: the members each group runs on
}

// `--evacuate MEMBER`: every managed VM running on MEMBER is migrated to another enabled
// member, the one with the most memory left after the VMs sent there before.
export class Evacuation {
  private readonly free: Map<string, number>;

  constructor(readonly member: string, private readonly members: readonly PoolMember[]) {
    this.free = new Map(members.map((m) => [m.name, m.memory_free]));
  }

  // `avoid`: members running another VM of the VM's spread group, taken only when no other has room.
  destination(need: number, preferred?: string, avoid?: ReadonlySet<string>): string | null {
    const fits = this.members.filter((m) => m.enabled && m.name !== this.member && this.free.get(m.name)! >= need);
    const apart = avoid ? fits.filter((m) => !avoid.has(m.name)) : fits;
    const open = apart.length > 0 ? apart : fits;
    const first = open.find((m) => m.name === preferred);
    if (first) {
      this.free.set(first.name, this.free.get(first.name)! - need);
      return first.name;
    }
    if (open.length === 0) return null;
    const best = open.reduce((a, b) => (this.free.get(b.name)! > this.free.get(a.name)! ? b : a));
    this.free.set(best.name, this.free.get(best.name)! - need);
    return best.name;
  }
}

// Why xapi would refuse to migrate this VM live, from what refresh saw; null when it would not.
// xapi_vm_lifecycle.ml `check_op_for_feature` (xen-api e2ee48d688): a live HVM guest without PV
// drivers lacks feature-suspend, so pool_migrate fails with VM_LACKS_FEATURE; `allowed_power_states`:
// pool_migrate needs a running VM.
const lacksPvDrivers = (observed: ObservedVm): boolean => observed.attributes.boot.mode === 'hvm' && observed.guest?.pv_drivers === false;

function liveMigrationRefused(observed: ObservedVm, at: PowerState): string | null {
  if (at !== 'running') return `xapi migrates only a running VM, and this one is ${at}`;
  if (lacksPvDrivers(observed)) {
    return 'xapi refuses to migrate an HVM guest without PV drivers live (VM_LACKS_FEATURE)';
  }
  return null;
}

function statesAlong(current: PowerState, drafts: readonly StepDraft[]): PowerState[] {
  const out = [current];
  for (const d of drafts) out.push(d.to ?? out[out.length - 1]);
  return out;
}

// Adds the affinity change and its steps to `work`; throws PlanningError when the configuration
// names no member of the pool.
export function placeVm(work: PlacementWork, host: string, input: PlacementInput): void {
  const { vm, observed, inventory } = input;
  let wanted = vm.affinity;
  const evac = input.evacuation;
  const group = wanted === undefined ? vm.spread : undefined;
  if (wanted === undefined && !evac && group === undefined) return;
  const members = inventory?.members;
  if (wanted !== undefined && members && !members.some((m) => m.name === wanted)) {
    throw new PlanningError(`affinity = "${wanted}" names no member of the pool on host "${host}" (members: ${members.map((m) => m.name).join(', ')})`);
  }
  const before = observed?.affinity ?? null;
  const resident = observed?.resident_on;
  const states = statesAlong(input.current, work.drafts);
  const first = work.drafts[0]?.op === 'create' ? 1 : 0; // a new VM gets it once it exists
  const noDomainAt = states.findIndex((s, i) => i >= first && !hasDomain(s));
  const final = states[states.length - 1];
  if (evac && noDomainAt < 0 && resident === evac.member) {
    // An affinity for another enabled member with room is kept: the VM goes there.
    const to = evac.destination(footprint(observed!.attributes), wanted, group !== undefined ? input.spread?.running(host, group) : undefined);
    if (!to) throw new PlanningError(`no enabled pool member other than "${evac.member}" has room for it while "${evac.member}" is evacuated`);
    if (group !== undefined) input.spread?.occupy(host, group, to);
    const why =
      wanted === undefined ? '' : wanted === to ? ', its affinity' : wanted === evac.member ? ` (its affinity "${wanted}" is the member drained)` : ` (its affinity "${wanted}" is disabled or has no room)`;
    moveTo(work, host, input, final, resident, to, `off pool member "${evac.member}" (--evacuate) to "${to}"${why}`);
    return;
  }
  let spreadReason: string | undefined;
  if (wanted === undefined && group !== undefined && input.spread && noDomainAt >= 0 && states.slice(noDomainAt).some(hasDomain)) {
    const pick = input.spread.choose(vm, host, footprint(vm.attributes));
    wanted = pick?.member;
    spreadReason = pick?.reason;
  }
  if (wanted === undefined) return;
  const change = (reason: string, condition?: string): AttributeChange => ({
    path: 'affinity', before, after: wanted, effect: 'live', reason, ...(condition ? { condition } : {}), sensitive: false,
  });
  const setDraft = (at: PowerState): StepDraft => ({ op: 'set', args: { changes: [{ path: 'affinity', value: wanted }] }, from: at, to: at });
  const insert = (index: number, drafts: StepDraft[]): void => {
    work.drafts.splice(index, 0, ...drafts);
    work.hosts.splice(index, 0, ...drafts.map(() => host));
  };

  if (noDomainAt >= 0) {
    if (before === wanted) return;
    insert(noDomainAt, [setDraft(states[noDomainAt])]);
    const starts = states.slice(noDomainAt).some(hasDomain);
    const reason = spreadReason ?? (starts ? `the VM starts on pool member "${wanted}" (its affinity)` : `the affinity is metadata: the VM starts on pool member "${wanted}" next time`);
    work.changes.push(change(reason));
    work.reasons.push(reason);
    return;
  }
  if (resident === undefined || resident === wanted) {
    if (before === wanted) return;
    work.drafts.push(setDraft(final));
    work.hosts.push(host);
    const reason = `the VM already runs on "${wanted}"; the affinity is metadata, changed in place`;
    work.changes.push(change(reason));
    work.reasons.push(reason);
    return;
  }
  moveTo(work, host, input, final, resident, wanted, `from pool member "${resident}" to "${wanted}"`);
}

// A live migration of the running VM to `to`, or halt and start there when xapi would refuse one.
function moveTo(work: PlacementWork, host: string, input: PlacementInput, final: PowerState, resident: string, to: string, why: string): void {
  const observed = input.observed!;
  const before = observed.affinity ?? null;
  const change = (reason: string, condition?: string): AttributeChange => ({
    path: 'affinity', before, after: to, effect: 'live', reason, ...(condition ? { condition } : {}), sensitive: false,
  });
  // xapi_vm_helpers.ml `assert_can_see_SRs` (xen-api e2ee48d688), run by assert_can_boot_here
  // for pool_migrate and for a start alike: every non-empty VBD's SR must be attached on the
  // destination. No route within the pool moves such a VM without moving its storage.
  const pinned = observed.local_storage?.find((s) => s.member !== to);
  if (pinned) {
    throw new PlanningError(`cannot move ${why}: ${pinned.what} is on SR "${pinned.sr}", local to pool member "${pinned.member}", and xapi neither migrates nor starts the VM on a member that cannot see it (VM_REQUIRES_SR); move or eject it first`);
  }
  const refused = liveMigrationRefused(observed, final);
  if (!refused) {
    work.drafts.push({ op: 'migrate', args: { member: to }, from: final, to: final });
    work.hosts.push(host);
    const condition = observed.attributes.boot.mode === 'pv'
      ? 'a PV guest migrates without guest drivers'
      : observed.guest
        ? 'the guest has PV drivers, so xapi can migrate it live'
        : 'the guest\'s PV drivers were not observed: xapi refuses to migrate an HVM guest without them, and the VM then stays where it is';
    const reason = `a live migration moves the running VM ${why} (xe vm-migrate live=true): no downtime`;
    work.changes.push(change(reason, condition));
    work.reasons.push(reason);
    return;
  }
  // The next-best route within the pool: halt, set the affinity, start there.
  // xapi_vm_lifecycle.ml `check_op_for_feature` refuses clean_shutdown to the same driverless
  // HVM guest (it lacks feature-shutdown): a policy that falls back to hard goes there directly.
  const policy = lacksPvDrivers(observed) && input.policy.fallback === 'hard' ? { ...input.policy, mode: 'hard' as const } : input.policy;
  const halt = findHaltPath(input.graph, final, final, policy);
  if (!halt) throw new PlanningError(`${refused}, and no route halts and restarts it on a ${input.graph.description} host`);
  const route = [...halt.down.steps, ...halt.up.steps];
  work.drafts.push(
    ...halt.down.steps.map((s) => ({ ...lifecycleBody(s.op, policy), from: s.from, to: s.to })),
    { op: 'set', args: { changes: [{ path: 'affinity', value: to }] }, from: 'halted', to: 'halted' },
    ...halt.up.steps.map((s) => ({ ...lifecycleBody(s.op, policy), from: s.from, to: s.to })),
  );
  for (let i = 0; i <= route.length; i++) work.hosts.push(host);
  work.disruption = maxDisruption(work.disruption, stepsDisruption(final, route));
  const reason = `moving ${why}: ${refused}, so the VM is halted and started there`;
  work.changes.push(change(reason, refused));
  work.reasons.push(reason);
}

// The evacuation of `member` in the pool that has it; an error text when no refreshed pool does.
export function evacuationOf(member: string | undefined, inventories: Record<string, HostInventory>): { byHost: Map<string, Evacuation>; problem?: string } {
  const byHost = new Map<string, Evacuation>();
  if (member === undefined) return { byHost };
  for (const inv of Object.values(inventories)) {
    if (inv.members?.some((m) => m.name === member)) byHost.set(inv.host, new Evacuation(member, inv.members));
  }
  if (byHost.size === 0) return { byHost, problem: `--evacuate ${member}: no refreshed xapi pool has a member named "${member}"` };
  return { byHost };
}
