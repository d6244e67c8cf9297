// Every change to the state, as a pure function: (state, input) -> new state, with notes for
// the user where there is something to say. No I/O; the input state is never modified.
import { randomUUID } from 'node:crypto';
import { addressMatches, formatAddress, type ModuleAddress, parseAddress, parsePattern } from '../../planner/model/address.js';
import type { StepOp } from '../../planner/model/ops.js';
import { STATE_VERSION, type State, type StateResource } from '../../planner/model/state.js';
import type { HostInventory, ObservedVm, ShutdownPolicy, VmAttributes } from '../../planner/model/vm.js';
import type { Plan, ResourceChange } from '../../planner/plan/types.js';
import { suggest } from '../../lang/didyoumean.js';
import type { JournalEntry } from './journal.js';
import { depose, rebuildDeposed, recordDeposedStep, undepose } from './deposed.js';
import { LiveState } from './live.js';

export interface Transition {
  state: State;
  notes: string[];
}

// A refused edit: the state is unchanged, and `error` says why.
export interface Refusal {
  error: string;
}

export const isRefusal = (r: Transition | Refusal): r is Refusal => 'error' in r;

export function emptyState(xenformVersion: string, lineage: string = randomUUID()): State {
  return { version: STATE_VERSION, lineage, serial: 0, xenform_version: xenformVersion, resources: [], outputs: {} };
}

const INVALID_ADDRESS = (text: string) => `"${text}" is not a resource address; expected e.g. vm.web or vm.web[0].`;

function notFound(state: State, address: string): string {
  // vm.web of a block with count or for_each: its instances, not the nearest other name.
  const given = parseAddress(address);
  const instance = given?.key === null ? state.resources.find((r) => { const a = parseAddress(r.address); return a !== null && addressMatches(given, a); }) : undefined;
  const near = instance?.address ?? suggest(address, state.resources.map((r) => r.address));
  return `${address} is not in the state${near ? `; did you mean ${near}?` : '.'} \`xenform state list\` shows what is.`;
}

// --- apply -------------------------------------------------------------------------------

export interface StepOutcome {
  address: string;
  host: string;
  op: StepOp;
  uuid: string; // the VM the step acted on (or created)
  observed: ObservedVm | null; // the VM as the step left it, when the provider read it
  created?: VmAttributes; // a create's attributes
  change?: ResourceChange; // the plan's change for the VM
  restartTrigger?: string | null; // the configuration's, recorded once the VM's last step is done
  pendingReboot?: boolean; // the plan's pending_reboot, recorded once the VM's last step is done
  shutdown?: ShutdownPolicy; // the configuration's, recorded once the VM's last step is done
}

// The VM's record after one of its steps: null when the step destroyed it.
export function stepRecord(state: State, o: StepOutcome): StateResource | null {
  if (o.op === 'destroy') return null;
  const prev = state.resources.find((r) => r.address === o.address && r.uuid === o.uuid);
  const obs = o.observed;
  const attrs = obs?.attributes ?? o.created ?? prev?.attributes ?? o.change?.after ?? o.change?.before;
  if (!attrs) return prev ?? null;
  return {
    address: o.address,
    host: o.host,
    uuid: o.uuid,
    attributes: attrs,
    booted_with: obs ? obs.booted_with : (prev?.booted_with ?? null),
    restart_trigger: o.restartTrigger !== undefined ? o.restartTrigger : (prev?.restart_trigger ?? null),
    owned: prev?.owned ?? true, // created by xenform, or adopted through its ownership markers
    pending_reboot: o.pendingReboot !== undefined ? o.pendingReboot : obs ? obs.requires_reboot : (prev?.pending_reboot ?? false),
    ...((o.shutdown ?? prev?.shutdown) ? { shutdown: o.shutdown ?? prev!.shutdown } : {}),
  };
}

// Records a finished step (a journal `done` entry): the VM's new record, or its removal.
// A create's address leaves the pending creates. Other entries change nothing.
export function recordStep(state: State, entry: JournalEntry): State {
  if (entry.t !== 'done') return state;
  let resources = state.resources;
  const i = resources.findIndex((r) => r.address === entry.address);
  const deposedStep = recordDeposedStep(state, entry.host, entry.uuid, entry.resource);
  if (deposedStep) return deposedStep;
  if (entry.deposed !== undefined) state = depose(state, resources[i], entry.deposed);
  if (entry.resource === null) {
    if (i >= 0 && resources[i].uuid === entry.uuid) resources = resources.filter((_, j) => j !== i);
  } else if (i >= 0) {
    resources = resources.map((r, j) => (j === i ? entry.resource! : r));
  } else {
    resources = [...resources, entry.resource];
  }
  const next: State = { ...state, resources };
  if (entry.op === 'create' && state.pending_creates) return withPending(next, state.pending_creates.filter((p) => p.address !== entry.address));
  return next;
}

function withPending(state: State, pending: NonNullable<State['pending_creates']>): State {
  const { pending_creates: _old, ...rest } = state;
  return pending.length > 0 ? { ...rest, pending_creates: pending } : rest;
}

export interface Interrupted {
  address: string;
  host: string;
  op: StepOp;
  step: string;
  name?: string;
  template?: string;
  deposes?: string;
}

export interface Folded extends Transition {
  recorded: string[]; // addresses whose finished steps were folded in
  interrupted: Interrupted[]; // started, never finished
}

// Folds a journal left by an interrupted apply into the state. A create that started and never
// finished becomes a pending create, so that the next refresh can find its VM by name.
export function foldJournal(state: State, entries: JournalEntry[]): Folded {
  const live = new LiveState(state); // each done entry on its VM's record alone, not a copy of the whole state
  const recorded = new Set<string>();
  const open = new Map<string, Interrupted>();
  const names = new Map<string, Record<string, string[]>>();
  for (const e of entries) {
    if (e.t === 'names') names.set(e.host, { ...names.get(e.host), ...e.names });
    if (e.t === 'start') open.set(e.step, { address: e.address, host: e.host, op: e.op, step: e.step, name: e.name, template: e.template, deposes: e.deposes });
    if (e.t === 'done' || e.t === 'fail') open.delete(e.step);
    if (e.t === 'done') {
      live.record(e);
      recorded.add(e.address);
    }
  }
  let next = live.state;
  const interrupted = [...open.values()];
  for (const i of interrupted) {
    const before = names.get(i.host)?.[i.name ?? ''];
    if (i.op !== 'create' || i.name === undefined || !before) continue;
    const pending = (next.pending_creates ?? []).filter((p) => p.address !== i.address);
    pending.push({ address: i.address, host: i.host, name: i.name, template: i.template ?? '', preexisting: before, ...(i.deposes ? { deposes: i.deposes } : {}) });
    next = withPending(next, pending);
  }
  const notes: string[] = [];
  if (recorded.size > 0 || interrupted.length > 0) {
    notes.push(`A previous apply was interrupted; its journal was folded into the state` + (recorded.size ? ` (recorded ${[...recorded].join(', ')})` : '') + '.');
  }
  for (const i of interrupted) {
    notes.push(
      i.op === 'create'
        ? `${i.address} was being created on ${i.host} when the previous apply stopped; if it exists, its ownership markers let the plan adopt it.`
        : `${i.address}: "${i.op}" was in progress on ${i.host} when the previous apply stopped; the plan reads the host again.`,
    );
  }
  return { state: next, notes, recorded: [...recorded], interrupted };
}

// Finds the VMs that interrupted creates made before they could mark them: on the create's
// host, with the create's name, not there before the apply, and not recorded under any
// address. Exactly one such VM is recorded; none means the create never got that far.
export function adoptPendingCreates(state: State, inventories: Record<string, HostInventory>): Transition {
  const resources = [...state.resources];
  let deposedState = state; // create_before_destroy replaces whose old VM becomes deposed
  const notes: string[] = [];
  const recorded = new Set(resources.map((r) => `${r.host}\u0000${r.uuid}`));
  const left = [];
  for (const p of state.pending_creates ?? []) {
    const inv = inventories[p.host];
    if (!inv) {
      left.push(p);
      continue;
    }
    // A create_before_destroy create replaces the address's recorded VM, its old one.
    const current = resources.findIndex((r) => r.address === p.address);
    const replacing = current >= 0 && p.deposes !== undefined && resources[current].uuid === p.deposes;
    if (current >= 0 && !replacing) continue;
    const candidates = inv.vms.filter(
      (v) =>
        v.attributes.name === p.name &&
        !p.preexisting.includes(v.uuid) &&
        !recorded.has(`${p.host}\u0000${v.uuid}`) &&
        (v.markers.address === undefined || v.markers.address === p.address) &&
        (v.markers.lineage === undefined || v.markers.lineage === state.lineage),
    );
    if (candidates.length === 1) {
      const vm = candidates[0];
      const record: StateResource = {
        address: p.address,
        host: p.host,
        uuid: vm.uuid,
        attributes: { ...vm.attributes, template: vm.attributes.template || p.template },
        booted_with: vm.booted_with,
        restart_trigger: null,
        owned: true,
        pending_reboot: false,
      };
      recorded.add(`${p.host}\u0000${vm.uuid}`);
      if (replacing) {
        deposedState = depose(deposedState, resources[current], p.deposes!);
        resources[current] = record;
        notes.push(`${p.address}: found VM ${vm.uuid} on ${p.host}, the create_before_destroy replacement the interrupted apply made before it could record it; it is recorded as ${p.address}, and the old VM ${p.deposes} as deposed (the plan destroys it).`);
        continue;
      }
      resources.push(record);
      notes.push(`${p.address}: found VM ${vm.uuid} on ${p.host}, created by the interrupted apply before it was marked; it is recorded, not created again.`);
    } else if (candidates.length > 1) {
      notes.push(
        `${p.address}: ${candidates.length} unrecorded VMs named "${p.name}" appeared on ${p.host} (${candidates.map((c) => c.uuid).join(', ')}); none was adopted. Import the right one with \`xenform import ${p.address} UUID\`.`,
      );
    }
  }
  return { state: withPending({ ...deposedState, resources }, left), notes };
}

// Records what a plan learned without steps (`stepped`: the addresses the plan has steps
// for): VMs adopted through their markers, VMs deleted outside xenform and, for refresh-only
// plans, what the hosts report now.
export function settleUnstepped(state: State, plan: Plan, stepped: ReadonlySet<string>): State {
  let resources = [...state.resources];
  for (const d of plan.drift) {
    if (stepped.has(d.address) || d.kind !== 'deleted') continue;
    resources = resources.filter((r) => !(r.address === d.address && r.uuid === d.uuid));
  }
  for (const c of plan.resource_changes) {
    if (c.deposed !== undefined) {
      if (c.action === 'forget') state = undepose(state, c.host, c.deposed); // gone from its host
      continue;
    }
    if (stepped.has(c.address) || !c.uuid) continue;
    const observed = c.before;
    const i = resources.findIndex((r) => r.address === c.address);
    if (c.action === 'forget') {
      if (i >= 0) resources.splice(i, 1);
      continue;
    }
    if (c.action === 'delete' && i >= 0 && resources[i].uuid === c.uuid && plan.drift.some((d) => d.address === c.address && d.kind === 'deleted')) {
      resources.splice(i, 1);
      continue;
    }
    if (i < 0 && observed && c.action !== 'delete') {
      resources.push({
        address: c.address,
        host: c.host,
        uuid: c.uuid,
        attributes: observed,
        booted_with: null,
        restart_trigger: null,
        owned: true,
        pending_reboot: false,
      });
    } else if (i >= 0 && plan.options.refresh_only && observed) {
      resources[i] = { ...resources[i], attributes: observed };
    }
  }
  return { ...state, resources };
}

export interface OutputValue {
  name: string;
  value: unknown;
  sensitive: boolean;
}

// The outputs the apply recorded replace the previous ones.
export function setOutputs(state: State, outputs: readonly OutputValue[]): State {
  return { ...state, outputs: Object.fromEntries(outputs.map((o) => [o.name, { value: o.value, sensitive: o.sensitive }])) };
}

// --- import, rm, mv ----------------------------------------------------------------------

export interface ImportInput {
  address: string;
  host: string;
  vm: ObservedVm;
  restartTrigger: string | null;
  shutdown?: ShutdownPolicy; // the block's
}

// Why VM `uuid` on `host` cannot be imported as `address` (checked before reading the host too).
export function importRefusal(state: State, address: string, host: string, uuid: string): Refusal | null {
  const existing = state.resources.find((r) => r.address === address);
  if (existing) return { error: `${address} is already in the state (uuid ${existing.uuid}); \`xenform state rm ${address}\` first to import another VM there.` };
  const twin = state.resources.find((r) => r.uuid === uuid && r.host === host);
  if (twin) return { error: `VM ${uuid} is already recorded as ${twin.address}; use \`xenform state mv ${twin.address} ${address}\` to rename it.` };
  return null;
}

// Records an existing VM under `address`, not owned: xenform never destroys it without asking.
export function importVm(state: State, input: ImportInput): Transition | Refusal {
  const { address, host, vm } = input;
  const refused = importRefusal(state, address, host, vm.uuid);
  if (refused) return refused;
  const resource: StateResource = {
    address,
    host,
    uuid: vm.uuid,
    attributes: vm.attributes,
    booted_with: vm.booted_with,
    restart_trigger: input.restartTrigger,
    owned: false,
    pending_reboot: vm.requires_reboot,
    ...(input.shutdown ? { shutdown: input.shutdown } : {}),
  };
  return { state: { ...state, resources: [...state.resources, resource] }, notes: [] };
}

// Forgets VMs (`vm.web` forgets every instance); every address must match something.
export function removeResources(state: State, addresses: readonly string[]): Transition | Refusal {
  let resources = state.resources;
  const notes: string[] = [];
  for (const text of addresses) {
    const p = parsePattern(text);
    if (!p) return { error: INVALID_ADDRESS(text) };
    const hits = resources.filter((r) => {
      const a = parseAddress(r.address);
      return a !== null && addressMatches(p, a);
    });
    if (hits.length === 0) return { error: `${notFound({ ...state, resources }, text)} Nothing was removed.` };
    for (const h of hits) notes.push(`Removed ${h.address} (uuid ${h.uuid} on ${h.host}) from the state; the VM itself is untouched.`);
    resources = resources.filter((r) => !hits.includes(r));
  }
  return { state: { ...state, resources }, notes };
}

// Records a VM under another address: one instance, or every instance of a resource keeping
// its keys (vm.web -> vm.app).
export function moveResources(state: State, from: string, to: string): Transition | Refusal {
  const fm = parsePattern(from);
  const tm = parsePattern(to);
  if (fm && tm && !('type' in fm) && !('type' in tm)) return moveModule(state, fm, tm, from);
  const f = parseAddress(from);
  const t = parseAddress(to);
  if (!f || !t) return { error: fm && tm ? `A VM moves to a VM address and a module to a module address; ${from} -> ${to} mixes them. Nothing was moved.` : INVALID_ADDRESS(!fm ? from : to) };
  const exact = state.resources.find((r) => r.address === from);
  const moves: [string, string][] = exact
    ? [[from, to]]
    : f.key === null && t.key === null
      ? state.resources
          .map((r) => ({ r, a: parseAddress(r.address) }))
          .filter(({ a }) => a !== null && addressMatches(f, a))
          .map(({ r, a }) => [r.address, formatAddress({ ...t, key: a!.key })] as [string, string])
      : [];
  return applyMoves(state, from, moves);
}

// Records everything inside a module (instance) under another module address; `module.a` ->
// `module.b` keeps each instance's key.
function moveModule(state: State, f: ModuleAddress, t: ModuleAddress, from: string): Transition | Refusal {
  const depth = f.module.length;
  const keepKey = f.module[depth - 1].key === null && t.module[t.module.length - 1].key === null;
  const moves = state.resources
    .map((r) => ({ r, a: parseAddress(r.address) }))
    .filter(({ a }) => a !== null && addressMatches(f, a))
    .map(({ r, a }) => {
      const inner = a!.module!;
      const target = keepKey ? [...t.module.slice(0, -1), { ...t.module[t.module.length - 1], key: inner[depth - 1].key }] : t.module;
      return [r.address, formatAddress({ ...a!, module: [...target, ...inner.slice(depth)] })] as [string, string];
    });
  return applyMoves(state, from, moves);
}

function applyMoves(state: State, from: string, moves: [string, string][]): Transition | Refusal {
  if (moves.length === 0) return { error: `${notFound(state, from)} Nothing was moved.` };
  const taken = moves.find(([, dest]) => state.resources.some((r) => r.address === dest && !moves.some(([src]) => src === dest)));
  if (taken) return { error: `${taken[1]} is already in the state; remove it first with \`xenform state rm ${taken[1]}\`. Nothing was moved.` };
  const dest = new Map(moves);
  return {
    state: { ...state, resources: state.resources.map((r) => (dest.has(r.address) ? { ...r, address: dest.get(r.address)! } : r)) },
    notes: moves.map(([src, d]) => `Moved ${src} to ${d}.`),
  };
}

// --- rebuild -----------------------------------------------------------------------------

export interface RebuildInput {
  addresses: ReadonlyMap<string, { host: string; restartTrigger: string | null; shutdown: ShutdownPolicy }>; // the configuration's VMs
  inventories: Record<string, HostInventory>; // every host, read
  lost?: State; // the earlier state a missing one had (its lineage is kept)
  xenformVersion: string;
}

// The state the hosts' ownership markers describe: every VM whose xenform-address marker names
// an address of the configuration is recorded under it. What the state already records, and
// still exists, is kept; so is its lineage (else the markers', which must agree).
export function rebuildState(state: State | null, input: RebuildInput): Transition | Refusal {
  const found = new Map<string, ObservedVm[]>();
  for (const inv of Object.values(input.inventories)) {
    for (const vm of inv.vms) {
      const a = vm.markers.address;
      if (a !== undefined && input.addresses.has(a)) found.set(a, [...(found.get(a) ?? []), vm]);
    }
  }
  const exists = (r: StateResource) => input.inventories[r.host]?.vms.some((v) => v.uuid === r.uuid) ?? true;
  const kept = (state?.resources ?? []).filter(exists);
  const keptVms = new Set(kept.map((r) => `${r.host}\u0000${r.uuid}`));
  const notes: string[] = [];
  const added: StateResource[] = [];
  for (const [address, vms] of found) {
    const fresh = vms.filter((v) => !keptVms.has(`${v.host}\u0000${v.uuid}`));
    if (kept.some((r) => r.address === address) || fresh.length === 0) continue;
    if (fresh.length > 1) {
      return { error: `${fresh.map((v) => `VM ${v.uuid} on host "${v.host}"`).join(' and ')} all carry the marker of ${address}; xenform cannot tell which is its own. Remove the marker from the others (or \`xenform import ${address} UUID\` the right one). Nothing was written.` };
    }
    const vm = fresh[0];
    added.push({
      address,
      host: vm.host,
      uuid: vm.uuid,
      attributes: vm.attributes,
      booted_with: vm.booted_with,
      restart_trigger: input.addresses.get(address)!.restartTrigger,
      owned: true,
      pending_reboot: vm.requires_reboot,
      shutdown: input.addresses.get(address)!.shutdown,
    });
    notes.push(`${address}: VM ${vm.uuid} on host "${vm.host}" (found by its ownership marker${vm.markers.lineage ? `, lineage ${vm.markers.lineage}` : ''})`);
  }
  const lineages = [...new Set(added.map((r) => found.get(r.address)!.find((v) => v.uuid === r.uuid)!.markers.lineage).filter((l): l is string => l !== undefined))];
  let lineage = state?.lineage ?? input.lost?.lineage;
  if (lineage === undefined) {
    if (lineages.length > 1) return { error: `The VMs found carry markers of ${lineages.length} lineages (${lineages.join(', ')}): they come from more than one state. Import them one by one with \`xenform import ADDR UUID\`. Nothing was written.` };
    lineage = lineages[0];
  }
  const deposed = rebuildDeposed(state, input.inventories, (a) => input.addresses.get(a)?.shutdown);
  notes.push(...deposed.notes);
  if (added.length === 0 && deposed.notes.length === 0) {
    return { error: `No VM on the hosts carries an ownership marker of this configuration's addresses that the state does not already record: there is nothing to rebuild.` };
  }
  const base = state ?? { ...emptyState(input.xenformVersion, lineage), serial: input.lost ? input.lost.serial + 1 : 0 };
  for (const r of state?.resources ?? []) if (!kept.includes(r)) notes.push(`${r.address}: VM ${r.uuid} is gone from host "${r.host}"; it is dropped from the state.`);
  const { deposed: _old, ...rest } = base;
  return { state: { ...rest, resources: [...kept, ...added], ...(deposed.deposed.length > 0 ? { deposed: deposed.deposed } : {}) }, notes };
}

export { notFound as notInState };
