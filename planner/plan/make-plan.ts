// Desired configuration + state + observed hosts -> Plan. Owner: the planner.
import type { Diagnostic } from '../../lang/diagnostics.js';
import type { Config, VmConfig } from '../config/types.js';
import type { Disruption, HostInventory, NetworkAttributes, ObservedVm, PowerState, ShutdownPolicy, Toolstack, VmAttributes } from '../model/vm.js';
import { DISRUPTION_ORDER } from '../model/vm.js';
import type { State, StateResource } from '../model/state.js';
import type { Action, Drift, MemberCapacity, Plan, ResourceChange } from './types.js';
import { PLAN_FORMAT_VERSION } from './types.js';
import { isSensitivePath } from './sensitive.js';
import { graphFor } from '../lifecycle/graphs.js';
import { change, diffAttributes } from '../diff/compare.js';
import { routeChanges } from '../diff/routes.js';
import { routeContext } from '../diff/route-context.js';
import { vcpusWithoutHotplug } from '../diff/vcpu-route.js';
import { formatSize } from '../config/units.js';
import { allocationUnits, plannedAttributes, roundedDisks } from '../diff/planned.js';
import { selectTargets } from './targets.js';
import { checkNames } from './inventory-check.js';
import { outputChanges } from './output-changes.js';
import { DEFAULT_SHUTDOWN, policyToRecord } from './recorded-policy.js';
import { isIgnored } from '../model/attributes.js';
import { fingerprint } from './fingerprint.js';
import { attributeDrift, changedOutside, pendingReboot } from '../diff/drift.js';
import { PlanningError, planCreate, planDestroy, planUpdate, type StepDraft, type VmSteps } from './vm-steps.js';
import { DependencyCycleError } from './step-graph.js';
import { applyRefactoring, removedBlockFor, type Refactored } from './refactor.js';
import { evacuationOf, placeVm } from './placement.js';
import { Spread } from './spread.js';
import { stepsWithinCapacity, type CapacityOutcome, type CapacityWork } from './capacity-scope.js';
import { planBootOnce } from './boot-once.js';
import { hostMove } from './host-move.js';
import { cannotCoexist, deposedChanges, deposedSteps, unrecordedReplacement } from './deposed.js';
import { vtpmRefusal } from './vtpm-guard.js';

export interface PlanOptions {
  destroy: boolean;
  refreshOnly: boolean;
  targets: string[]; // addresses
  replace: string[]; // addresses
  maxDisruption?: Disruption;
  evacuate?: string; // a pool member (name-label) every managed VM is migrated off
  xenformVersion: string;
  // The lineage the state will get when there is no state yet (ownership markers of created VMs).
  lineage?: string;
  // `plan --generate-config-out`: import targets without a vm block are handed back, not refused.
  generateConfig?: boolean;
}

export interface PlanInput {
  config: Config;
  state: State | null;
  inventories: Record<string, HostInventory>; // by host block name; absent = not refreshed
  options: PlanOptions;
}

// Why the plan is refused (prevent_destroy, max_disruption exceeded, no path, a bad --target).
// `detail` is the whole sentence users read; `address` names the VM when there is one.
export type Refusal = Diagnostic & { detail: string };

export interface PlanOutcome {
  plan: Plan | null;
  errors: Refusal[];
  // With options.generateConfig: import targets that have no vm block, and the VM each names.
  unconfigured?: Refactored['unconfigured'];
}

const refusal = (summary: string, detail: string, address?: string): Refusal => ({ severity: 'error', summary, detail, ...(address ? { address } : {}) });

export const TARGETING_WARNING =
  'Resource targeting is in effect: the plan may not show every change the configuration requires, ' +
  'and later plans may show changes that this one left out. Use --target only to recover from mistakes ' +
  'or to work around a limitation, not as part of routine operations.';


interface Located {
  observed: ObservedVm | null;
  refreshed: boolean; // the host was read; false: `observed` is what the state recorded
  adopted: boolean;
}

function stateAsObserved(r: StateResource): ObservedVm {
  return {
    uuid: r.uuid,
    host: r.host,
    attributes: r.attributes,
    markers: {},
    dom_id: -1,
    booted_with: r.booted_with,
    requires_reboot: false,
  };
}

// A resource change while it is worked out, with the steps it will take.
interface Work extends Omit<ResourceChange, 'sensitive_paths' | 'pending_reboot'> {
  pendingReboot: boolean;
  drafts: StepDraft[];
  hosts: string[];
  dependsOn: string[];
  vm: VmConfig | null;
}

const rank = (d: Disruption): number => DISRUPTION_ORDER.indexOf(d);
const uniq = <T>(xs: T[]): T[] => [...new Set(xs)];

// A network may be named by its name-label or its bridge ("xenbr0"); a host reports one
// spelling, so an interface on the network the configuration names takes its spelling.
function spellNetworksAsDesired(desired: readonly NetworkAttributes[], actual: NetworkAttributes[], inv: HostInventory | undefined): NetworkAttributes[] {
  if (!inv) return actual;
  const wanted = new Map(desired.map((n) => [n.name, n.network]));
  return actual.map((n) => {
    const want = wanted.get(n.name);
    if (want === undefined || want === n.network) return n;
    const same = inv.networks.some((h) => (h.name === n.network || h.bridge === n.network) && (h.name === want || h.bridge === want));
    return same ? { ...n, network: want } : n;
  });
}

export function makePlan(input: PlanInput): PlanOutcome {
  const { config, state, inventories, options } = input;
  // Moved and import blocks: the plan works on the state as they leave it.
  const refactored = applyRefactoring(config, state, inventories);
  const errors: Refusal[] = [...refactored.errors];
  const planned = refactored.state;
  if (!options.generateConfig) {
    for (const u of refactored.unconfigured) {
      errors.push({
        ...refusal('Configuration for import target does not exist', `The configuration has no vm block for ${u.target.to}, the target of this import block. Write one, or let \`xenform plan --generate-config-out=FILE\` write it.`, u.target.to),
        subject: u.target.range,
      });
    }
  }
  const warnings: string[] = [];
  const drift: Drift[] = [];
  const lineage = state?.lineage ?? options.lineage ?? '';

  const toolstacks = new Map<string, Toolstack>(config.hosts.map((h) => [h.name, h.toolstack]));
  const toolstackOf = (host: string): Toolstack => toolstacks.get(host) ?? inventories[host]?.toolstack ?? 'xapi';
  const resources = new Map((planned?.resources ?? []).map((r) => [r.address, r]));
  const vms = new Map(config.vms.map((v) => [v.address, v]));

  // Where each VM is on its host: by uuid, else by ownership markers (adoption).
  const byUuid = new Map<string, Map<string, ObservedVm>>(); // host -> uuid -> VM
  const byMarker = new Map<string, Map<string, ObservedVm>>(); // host -> address -> VM
  const anyMarked = new Map<string, ObservedVm[]>(); // address -> every VM carrying its marker, whatever the lineage
  const recordedAs = new Map((planned?.resources ?? []).map((r) => [`${r.host}\u0000${r.uuid}`, r.address]));
  for (const inv of Object.values(inventories)) {
    const uuids = new Map<string, ObservedVm>();
    const marked = new Map<string, ObservedVm>();
    const claims = new Map<string, ObservedVm[]>(); // address -> every VM carrying it
    for (const vm of inv.vms) {
      uuids.set(vm.uuid, vm);
      if (vm.markers.address) anyMarked.set(vm.markers.address, [...(anyMarked.get(vm.markers.address) ?? []), vm]);
      // A VM recorded under another address keeps its old marker until `state mv` rewrites it:
      // it is that address's VM, never adopted as a second one.
      const elsewhere = recordedAs.get(`${inv.host}\u0000${vm.uuid}`);
      if (elsewhere !== undefined && elsewhere !== vm.markers.address) continue;
      if (lineage !== '' && vm.markers.lineage === lineage && vm.markers.address) {
        marked.set(vm.markers.address, vm);
        claims.set(vm.markers.address, [...(claims.get(vm.markers.address) ?? []), vm]);
      }
    }
    for (const [address, twins] of claims) if (twins.length > 1) errors.push(twinRefusal(address, inv.host, twins));
    byUuid.set(inv.host, uuids);
    byMarker.set(inv.host, marked);
  }
  for (const r of planned?.resources ?? []) {
    const twin = unrecordedReplacement(r, byUuid.get(r.host)?.get(r.uuid), byMarker.get(r.host)?.get(r.address));
    if (twin) errors.push({ ...refusal(twin.summary, twin.detail, r.address), host: r.host });
  }
  const locate = (address: string, host: string, r: StateResource | undefined): Located => {
    if (!inventories[host]) return { observed: r ? stateAsObserved(r) : null, refreshed: false, adopted: false };
    const found = r ? byUuid.get(host)?.get(r.uuid) : undefined;
    if (found) return { observed: found, refreshed: true, adopted: false };
    const marked = byMarker.get(host)?.get(address) ?? null;
    return { observed: marked, refreshed: true, adopted: marked !== null && !r };
  };

  // Targeting: the targets, plus their dependencies (or, when destroying, their dependants).
  const selection = selectTargets(config, planned, options);
  for (const p of selection.problems) errors.push(refusal(p.summary, p.detail, p.address));
  const evacuation = evacuationOf(options.evacuate, inventories);
  if (evacuation.problem) errors.push(refusal('No such pool member', evacuation.problem));
  const spread = new Spread(config.vms, inventories);
  if (errors.length > 0) return { plan: null, errors };
  const { addresses: allAddresses, replace: replacePatterns, selected, matches: matchesAny } = selection;
  if (selected !== null) warnings.push(TARGETING_WARNING);
  const inScope = (a: string): boolean => selected === null || selected.has(a);

  const works: Work[] = [];
  const observedOf = new Map<Work, ObservedVm>(); // refreshed VMs, fingerprinted when they have steps
  for (const address of allAddresses) {
    if (!inScope(address)) continue;
    const vm = options.destroy ? null : (vms.get(address) ?? null);
    const r = resources.get(address);
    const cfg = vms.get(address) ?? null;
    const host = vm?.host ?? r?.host ?? cfg!.host;
    const ignore = cfg?.lifecycle.ignore_changes ?? [];
    const where = r && r.host !== host ? locate(address, r.host, r) : locate(address, host, r);
    const observed = where.observed;
    const policy = cfg?.shutdown ?? r?.shutdown ?? DEFAULT_SHUTDOWN; // a removed block's policy, as recorded
    const desired = vm ? (plannedAttributes(vm, inventories[host], observed) as VmAttributes) : null;
    const work: Work = {
      address,
      host,
      uuid: observed?.uuid ?? null,
      action: 'noop',
      disruption: 'none',
      reasons: [],
      before: observed?.attributes ?? null,
      after: desired,
      changes: [],
      fingerprint: null,
      pendingReboot: false,
      drafts: [],
      hosts: [],
      dependsOn: cfg?.depends_on ?? [],
      vm: cfg,
    };
    works.push(work);
    if (where.refreshed && observed) observedOf.set(work, observed);
    const base = { address, host: observed?.host ?? host, uuid: observed?.uuid ?? null };

    // Drift: the state against what the host shows.
    let wasPending = false;
    if (r && where.refreshed && !observed) {
      drift.push({ ...base, uuid: r.uuid, kind: 'deleted', message: `VM ${r.uuid} was deleted outside xenform` });
      if (vm) warnings.push(`${address} was deleted outside xenform (uuid ${r.uuid}); the plan creates it again.`);
    }
    if (where.adopted && observed) {
      drift.push({ ...base, kind: 'adopted', message: `found VM ${observed.uuid} carrying this address's ownership markers; it is adopted, not created again` });
      warnings.push(`${address}: adopting VM ${observed.uuid}, created by an earlier apply that did not finish recording it.`);
    }
    if (r && observed && where.refreshed && observed.uuid === r.uuid) {
      for (const d of attributeDrift(r, observed, ignore, allocationUnits(inventories[observed.host]))) drift.push(isSensitivePath(cfg?.sensitive_paths, d.path ?? '') ? { ...d, sensitive: true } : d);
    }
    if (observed && (where.refreshed || r?.pending_reboot)) {
      const why = pendingReboot(r ?? null, observed);
      if (why) {
        wasPending = true;
        drift.push({ ...base, kind: 'pending_reboot', message: `configured but not yet booted: ${why}` });
      }
    }

    try {
      if (!vm) {
        if (!r && !where.adopted) continue; // config-only VM while destroying: nothing exists
        work.action = 'delete';
        work.after = null;
        work.uuid = observed?.uuid ?? r?.uuid ?? null;
        const removed = options.destroy ? undefined : removedBlockFor(config, address);
        if (r && removed && !removed.destroy) {
          work.action = 'forget';
          work.reasons.push('a removed block with lifecycle.destroy = false: its ownership markers are removed, the VM is left as it is and dropped from the state');
          continue;
        }
        if (r && !r.owned && !options.destroy && !removed) {
          // Import promised never to destroy the VM without asking; `xenform destroy` asks.
          work.action = 'forget';
          work.reasons.push(`imported and no longer in the configuration: it is removed from the state and left alone on its host (\`xenform destroy --target ${address}\` destroys it, as does a removed block with lifecycle.destroy = true)`);
          continue;
        }
        if (!observed) {
          work.reasons.push('not in the configuration, and already gone from its host: it is forgotten from the state');
          work.disruption = 'none';
        } else {
          work.reasons.push(options.destroy ? 'destroy requested' : 'not in the configuration any more');
          if (r && !r.owned) work.reasons.push('this VM was imported, not created by xenform');
          useSteps(work, planDestroy(graphFor(toolstackOf(observed.host)), observed.attributes.power_state, r?.owned !== false ? observed.attributes.disks : [], policy), observed.host);
        }
        continue;
      }

      const graph = graphFor(toolstackOf(host));
      const markers = { address, lineage };
      if (!observed) {
        const twins = (anyMarked.get(address) ?? []).filter((v) => inventories[v.host]);
        if (twins.length > 0) {
          errors.push(twinOfCreate(address, host, twins, lineage, state !== null, recordedAs));
          continue;
        }
        work.action = 'create';
        work.reasons.push(r ? 'deleted outside xenform: created again' : 'not yet created');
        work.reasons.push(...roundingReasons(vm, inventories[host]));
        const created = planCreate(graph, desired!, markers, vm.attributes.power_state, vm.shutdown);
        const once = planBootOnce(vm.boot_once, created, desired!.boot, null);
        if (once) work.changes.push(once);
        useSteps(work, created, host);
        placeVm(work, host, { vm, observed: null, inventory: inventories[host], current: graph.createdState, graph, policy: vm.shutdown, spread });
        continue;
      }

      const known = observed.attributes.template === '' && r ? { ...observed.attributes, template: r.attributes.template } : observed.attributes;
      const actual = { ...known, networks: spellNetworksAsDesired(vm.attributes.networks, known.networks, inventories[observed.host]) };
      const routed = routeChanges(diffAttributes(desired!, actual, ignore, allocationUnits(inventories[observed.host])), routeContext(address, observed, inventories[observed.host]));
      const changes = routed.changes;
      vcpusWithoutHotplug(changes, isIgnored('power_state', ignore) ? observed.attributes.power_state : vm.attributes.power_state);
      const move = observed.host !== host ? hostMove(config.hosts, observed.host, host, observed.attributes.power_state) : null;
      if (move) changes.unshift(move.change);
      const replaceAsked = replacePatterns.length > 0 && matchesAny(replacePatterns, address);
      if (!replaceAsked && routed.refusals.length > 0) {
        errors.push(...routed.refusals.map((why) => refusal('Change refused', why, address)));
        continue;
      }
      const replacing = replaceAsked || changes.some((c) => c.effect === 'forces_replace');
      if (replacing) {
        work.action = 'replace';
        work.changes = changes;
        work.reasons.push(...(replaceAsked ? ['replacement requested with --replace'] : []), ...uniq(changes.filter((c) => c.effect === 'forces_replace').map((c) => c.reason)));
        const down = planDestroy(graphFor(toolstackOf(observed.host)), observed.attributes.power_state, r?.owned !== false ? observed.attributes.disks : [], policy);
        work.reasons.push(...roundingReasons(vm, inventories[host]));
        const up = planCreate(graph, desired!, markers, vm.attributes.power_state, vm.shutdown);
        const clash = vm.lifecycle.create_before_destroy ? cannotCoexist(vm, observed, desired!.name, toolstackOf(host)) : null;
        if (clash) errors.push(clash);
        if (vm.lifecycle.create_before_destroy) {
          work.actions = ['create', 'delete'];
          useSteps(work, up, host);
          useSteps(work, deposedSteps(down, observed.uuid), observed.host);
        } else {
          useSteps(work, down, observed.host);
          useSteps(work, up, host);
        }
        work.disruption = 'replace';
        continue;
      }

      const current: PowerState = observed.attributes.power_state;
      const target = vm.attributes.power_state;
      const powerChange = current !== target && !isIgnored('power_state', ignore);
      const triggered = r !== undefined && r.restart_trigger !== null && vm.restart_trigger !== null && r.restart_trigger !== vm.restart_trigger;
      const realizePending = wasPending && vm.lifecycle.apply_boot_changes === 'reboot';
      const steps = planUpdate({
        graph,
        current,
        target: powerChange ? target : current === 'crashed' ? target : (current as typeof target),
        changes: move?.migrate ? changes.filter((c) => c !== move.change) : changes, // the migrate step moves it, not a set
        policy: vm.shutdown,
        applyBootChanges: vm.lifecycle.apply_boot_changes,
        rebuild: triggered || realizePending,
        wasPending,
      });
      work.changes = [...changes];
      const once = planBootOnce(vm.boot_once, steps, desired!.boot, current);
      if (once) work.changes.push(once);
      if (powerChange || current === 'crashed') {
        const why = current === 'crashed' ? 'the VM crashed: its domain is destroyed and the VM brought to its desired state' : `the VM is ${current} and should be ${target}`;
        work.changes.push({ ...change('power_state', current, target), reason: why });
      }
      work.reasons.push(...uniq(changes.map((c) => c.reason)));
      if (powerChange) work.reasons.push(`power state ${current} -> ${target}`);
      if (triggered) {
        const shown = isSensitivePath(vm.sensitive_paths, 'restart_trigger') ? '' : ` (${r!.restart_trigger} -> ${vm.restart_trigger})`;
        work.reasons.push(`restart_trigger changed${shown}: one reboot`);
      }
      // A trigger set, dropped or changed is recorded even when no step runs (a halted VM, a
      // first value): the next change of its value then reboots the VM once.
      const trigger = vm.restart_trigger;
      const triggerRecorded = r !== undefined && (trigger === null || typeof trigger === 'string') && r.restart_trigger !== trigger;
      if (triggerRecorded) {
        const reason = triggered ? 'restart_trigger changed: one reboot' : 'restart_trigger is recorded in the state; a later change of its value reboots the VM once';
        work.changes.push({ path: 'restart_trigger', before: r!.restart_trigger, after: trigger, effect: triggered ? 'next_boot' : 'live', reason, sensitive: false });
        if (!triggered) work.reasons.push(trigger === null ? 'restart_trigger removed: forgotten from the state' : 'restart_trigger set: recorded in the state, no reboot');
      }
      if (realizePending) work.reasons.push('the boot configuration set earlier has not been booted yet');
      if (steps.pendingReboot && !wasPending) work.reasons.push('apply_boot_changes = "next_boot": the boot changes are set now and take effect at the next reboot');
      if (move?.migrate) {
        work.drafts.push(move.migrate);
        work.hosts.push(observed.host);
      }
      useSteps(work, steps, host);
      placeVm(work, host, { vm, observed, inventory: inventories[observed.host], current, graph, policy: vm.shutdown, evacuation: evacuation.byHost.get(observed.host), spread });
      work.pendingReboot = steps.pendingReboot;
      const policyRecorded = r && work.drafts.length === 0 ? policyToRecord(r.shutdown, vm.shutdown) : null; // with steps, the last one records it
      if (policyRecorded) work.changes.push(policyRecorded);
      work.action = work.drafts.length > 0 || triggerRecorded || policyRecorded ? 'update' : 'noop';
    } catch (e) {
      if (e instanceof PlanningError) errors.push(refusal('No way to make the changes', `${address}: ${e.message}`, address));
      else throw e;
    }
  }

  for (const d of deposedChanges(planned, inventories, toolstackOf, DEFAULT_SHUTDOWN)) {
    if (!inScope(d.change.address)) continue;
    const w: Work = { ...d.change, pendingReboot: false, drafts: [], hosts: [], dependsOn: [], vm: null };
    if (d.steps) useSteps(w, d.steps, d.change.host);
    works.unshift(w); // first: other VMs' depends_on name the live VM's chain
  }

  // One VM under two addresses would take both addresses' steps: refused.
  const managedAs = new Map<string, string>();
  for (const w of works) {
    const o = observedOf.get(w);
    if (!o || w.action === 'forget') continue;
    const other = managedAs.get(`${o.host}\u0000${o.uuid}`);
    if (other !== undefined) {
      errors.push(
        refusal(
          'One VM under two addresses',
          `VM ${o.uuid} on host "${o.host}" would be managed as both ${other} and ${w.address}. ` +
            `Keep one: \`xenform state rm\` the address that is wrong, or remove that VM's ownership markers, then plan again.`,
          w.address,
        ),
      );
    }
    managedAs.set(`${o.host}\u0000${o.uuid}`, w.address);
  }

  // Refusals: names the host does not know, more vCPUs than the host has CPUs, prevent_destroy,
  // then disruption budgets.
  for (const w of works) {
    if (w.vm) errors.push(...checkNames(w.vm, w.host, w.drafts, inventories[w.host], w.action === 'replace'));
    const pcpus = inventories[w.host]?.pcpus;
    if (w.vm && w.after && pcpus !== undefined && w.after.vcpus_max > pcpus) errors.push(tooManyVcpus(w.vm, w.after.vcpus_max, pcpus));
    if ((w.action === 'delete' || w.action === 'replace') && w.vm?.lifecycle.prevent_destroy && w.drafts.some((d) => d.op === 'destroy')) {
      errors.push(
        refusal(
          'Instance cannot be destroyed',
          `${w.address} has lifecycle.prevent_destroy = true, but this plan would destroy it (${w.reasons.join('; ')}). ` +
            'Remove prevent_destroy or change the plan so that the VM is kept.',
          w.address,
        ),
      );
    }
    const vtpm = vtpmRefusal(w);
    if (vtpm) errors.push(refusal('vTPM would be destroyed', vtpm, w.address));
    const limits: [Disruption, string][] = [];
    if (w.vm && w.action !== 'delete') limits.push([w.vm.lifecycle.max_disruption, 'lifecycle.max_disruption']);
    if (options.maxDisruption) limits.push([options.maxDisruption, '--max-disruption']);
    for (const [limit, source] of limits) {
      if (rank(w.disruption) > rank(limit)) {
        errors.push(
          refusal(
            'Disruption above the limit',
            `${w.address} would suffer disruption "${w.disruption}" (steps: ${w.drafts.map((d) => d.op).join(', ')}), ` +
              `above ${source} = "${limit}"`,
            w.address,
          ),
        );
      }
    }
  }

  warnings.push(...spread.warnings);
  let steps: CapacityOutcome['steps'] = [];
  let capacity: MemberCapacity[] = [];
  if (!options.refreshOnly) {
    const chains: CapacityWork[] = works.map((w) => ({ address: w.address, hosts: w.hosts, drafts: w.drafts, dependsOn: w.dependsOn, host: w.host, after: w.after, observed: observedOf.get(w) ?? null, affinity: w.vm?.affinity }));
    try {
      const checked = stepsWithinCapacity(chains, inventories, selected !== null);
      steps = checked.steps;
      capacity = checked.table;
      for (const p of checked.problems) errors.push({ ...refusal('Not enough room on a pool member', p.detail, p.address), host: p.host });
      for (const l of checked.leftOut) warnings.push(`${l.address} is not in this plan (--target): ${l.why}`);
      const leftOut = new Set(checked.leftOut.map((l) => l.address));
      for (let i = works.length - 1; i >= 0; i--) if (leftOut.has(works[i].address)) works.splice(i, 1);
    } catch (e) {
      if (e instanceof DependencyCycleError) errors.push(refusal('Dependency cycle', e.message));
      else throw e;
    }
  }
  if (errors.length > 0) return { plan: null, errors };

  const sensitiveOf = new Map(works.filter((w) => w.vm?.sensitive_paths?.length).map((w) => [w.address, w.vm!.sensitive_paths!]));
  for (const s of steps) if (sensitiveOf.has(s.address)) s.sensitive_paths = sensitiveOf.get(s.address);
  for (const w of works) {
    const observed = observedOf.get(w);
    if (observed && w.drafts.length > 0) w.fingerprint = fingerprint(observed);
  }
  const resourceChanges: ResourceChange[] = [];
  const drifted = new Set(changedOutside(drift).map((d) => d.address));
  for (const w of works) {
    const rc: ResourceChange = {
      address: w.address,
      host: w.host,
      uuid: w.uuid,
      action: w.action,
      disruption: w.disruption,
      reasons: w.reasons,
      before: w.before,
      after: w.after,
      changes: w.changes.map((c) => ({ ...c, sensitive: isSensitivePath(w.vm?.sensitive_paths, c.path) })),
      fingerprint: w.fingerprint,
    };
    if (sensitiveOf.has(w.address)) rc.sensitive_paths = sensitiveOf.get(w.address);
    Object.assign(rc, w.actions ? { actions: w.actions } : {}, w.deposed ? { deposed: w.deposed } : {});
    const previous = refactored.previous.get(w.address);
    if (previous !== undefined) rc.previous_address = previous;
    const importing = refactored.importing.get(w.address);
    if (importing !== undefined) rc.importing = { id: importing };
    if (w.vm && (w.action === 'update' || w.action === 'noop')) rc.pending_reboot = w.pendingReboot;
    if (options.refreshOnly) {
      if (!drifted.has(w.address)) continue;
      Object.assign(rc, { action: 'read', disruption: 'none', reasons: ['refresh only: the state is updated to what the host shows'], changes: [] });
    }
    resourceChanges.push(rc);
  }
  const count = (a: Action): number => resourceChanges.filter((c) => c.action === a).length;
  const plan: Plan = {
    format_version: PLAN_FORMAT_VERSION,
    xenform_version: options.xenformVersion,
    lineage: state?.lineage ?? null,
    serial: state?.serial ?? 0,
    variables: maskVariables(config.variables),
    resource_changes: resourceChanges,
    drift,
    steps,
    output_changes: options.refreshOnly || options.destroy ? [] : outputChanges(config.outputs, state?.outputs),
    ...(capacity.length > 0 ? { capacity } : {}),
    summary: {
      create: count('create'),
      update: count('update'),
      replace: count('replace'),
      delete: count('delete'),
      reboot: resourceChanges.filter((c) => c.disruption === 'reboot').length,
      halt: resourceChanges.filter((c) => c.disruption === 'halt').length,
    },
    warnings: uniq(warnings),
    options: { destroy: options.destroy, refresh_only: options.refreshOnly, targets: options.targets, replace: options.replace },
  };
  return { plan, errors: [], ...(refactored.unconfigured.length ? { unconfigured: refactored.unconfigured } : {}) };
}

// A clone or copy of a managed VM carries its ownership markers (xapi copies other-config), so
// more than one VM can claim an address: xenform cannot tell which is its own.
function twinRefusal(address: string, host: string, twins: readonly ObservedVm[]): Refusal {
  const uuids = twins.map((v) => v.uuid);
  return {
    ...refusal(
      'More than one VM carries the same address',
      `VMs ${uuids.slice(0, -1).join(', ')} and ${uuids[uuids.length - 1]} on host "${host}" ${twins.length === 2 ? 'both' : 'all'} carry the ownership markers of ${address} ` +
        '(a clone or copy of a managed VM keeps them); xenform cannot tell which is its own and changes none of them. ' +
        `Remove the markers from every VM that is not ${address} (xe vm-param-remove uuid=UUID param-name=other-config param-key=xenform-address), then plan again.`,
      address,
    ),
    host,
  };
}

// A create whose address is already carried by a VM's ownership marker would make a twin: the
// state was lost (a deleted file, a fresh checkout) or belongs to another copy of this
// configuration. The VM is adopted on purpose (rebuild, import), never duplicated.
function twinOfCreate(address: string, host: string, marked: readonly ObservedVm[], lineage: string, hasState: boolean, recordedAs: ReadonlyMap<string, string>): Refusal {
  const seen = marked.map((v) => {
    const other = recordedAs.get(`${v.host}\u0000${v.uuid}`);
    const why = other !== undefined
      ? `recorded in the state as ${other}`
      : v.markers.lineage === lineage
        ? 'not recorded in the state'
        : `of lineage ${v.markers.lineage ?? '(none)'}, ${hasState ? 'not this state\'s' : 'and there is no state here'}`;
    return `VM ${v.uuid} on host "${v.host}" (${why})`;
  });
  const uuid = marked[0].uuid;
  return {
    ...refusal(
      'A VM already carries this address',
      `${address} would be created on host "${host}", but ${seen.join(' and ')} already carries its ownership marker (xenform-address = ${address}). ` +
        `Creating it would make a twin. To adopt it, run \`xenform state rebuild\` (every VM whose markers name this configuration's addresses) ` +
        `or \`xenform import ${address} ${uuid}\`; if that VM is not ${address}, remove its xenform-address marker, then plan again.`,
      address,
    ),
    host,
  };
}

// xapi refuses to start a VM whose VCPUs-max exceeds every host's pCPU count
// (xapi_vm_helpers.ml `assert_enough_pcpus`: NO_HOSTS_AVAILABLE, HOST_NOT_ENOUGH_PCPUS).
function tooManyVcpus(vm: VmConfig, vcpusMax: number, pcpus: number): Refusal {
  return {
    ...refusal(
      'More vCPUs than the host has CPUs',
      `${vm.address} has vcpus_max = ${vcpusMax}, but its host "${vm.host}" has ${pcpus} physical CPU${pcpus === 1 ? '' : 's'}: ` +
        `the host would refuse to start it. Set vcpus_max (or vcpus) to at most ${pcpus}.`,
      vm.address,
    ),
    subject: vm.attributeRanges.vcpus_max ?? vm.attributeRanges.vcpus ?? vm.range,
    host: vm.host,
  };
}

// The storage backend gives a new disk a whole number of its SR's allocation units.
function roundingReasons(vm: VmConfig, inv: HostInventory | undefined): string[] {
  return roundedDisks(vm, inv).map(
    (d) => `disk "${d.name}": ${formatSize(d.requested)} becomes ${formatSize(d.planned)} on "${d.sr}", which allocates disks in units of ${formatSize(d.unit)}`,
  );
}

function useSteps(work: Work, s: VmSteps, host: string): void {
  work.drafts.push(...s.steps);
  for (let i = 0; i < s.steps.length; i++) work.hosts.push(host);
  if (rank(s.disruption) > rank(work.disruption)) work.disruption = s.disruption;
}

function maskVariables(vars: Config['variables']): Record<string, unknown> {
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, v.sensitive ? '(sensitive)' : v.value]));
}
