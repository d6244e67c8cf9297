// One VM's ordered steps: the lifecycle route through its toolstack's graph, with the `set`
// and device steps placed where the toolstack accepts them.
import { hasDomain, type DesiredPowerState, type Disruption, type DiskAttributes, type NetworkAttributes, type PowerState, type ShutdownPolicy, type VmAttributes } from '../model/vm.js';
import { lifecycleBody, OPS, type StepBody } from '../model/ops.js';
import type { LifecycleGraph } from '../lifecycle/graphs.js';
import { findHaltPath, findPath, findRebootPath, stepsDisruption, type PathStep } from '../lifecycle/path.js';
import { attributeOf } from '../model/attributes.js';
import { setChanges } from '../diff/compare.js';
import { onlyKeepMarkChanged } from '../diff/disk-routes.js';
import type { AttributeChange } from './types.js';

export type StepDraft = StepBody & {
  from?: PowerState;
  to?: PowerState;
  deposed?: string; // planner/plan/deposed.ts
};

export interface VmSteps {
  steps: StepDraft[];
  disruption: Disruption;
  pendingReboot: boolean; // boot changes remain unbooted after these steps
}

export class PlanningError extends Error {}

const builds = (s: PathStep): boolean => OPS[s.op].buildsDomain;

function lifecycleDraft(s: PathStep, policy: ShutdownPolicy): StepDraft {
  return { ...lifecycleBody(s.op, policy), from: s.from, to: s.to };
}

function routeOrFail(route: PathStep[] | null | undefined, from: PowerState, to: PowerState, graph: LifecycleGraph): PathStep[] {
  if (!route) throw new PlanningError(`no sequence of operations leads from ${from} to ${to} on a ${graph.description} host`);
  return route;
}

function statesAlong(from: PowerState, route: readonly PathStep[]): PowerState[] {
  return [from, ...route.map((s) => s.to)];
}

function deviceDrafts(changes: readonly AttributeChange[]): StepDraft[] {
  const removals: StepDraft[] = [];
  const additions: StepDraft[] = [];
  for (const c of changes) {
    if (c.effect === 'forces_replace') continue;
    const device = attributeOf(c.path).device;
    if (device === 'disk' && c.before && c.after) {
      additions.push({ op: 'change_disk', args: { disk: c.after as DiskAttributes, from: c.before as DiskAttributes } });
    } else if (device === 'disk') {
      if (c.before) removals.push({ op: 'remove_disk', args: { disk: c.before as DiskAttributes } });
      if (c.after) additions.push({ op: 'add_disk', args: { disk: c.after as DiskAttributes } });
    } else if (device === 'network') {
      if (c.before) removals.push({ op: 'remove_network', args: { network: c.before as NetworkAttributes } });
      if (c.after) additions.push({ op: 'add_network', args: { network: c.after as NetworkAttributes } });
    }
  }
  return [...removals, ...additions];
}

export interface UpdateInput {
  graph: LifecycleGraph;
  current: PowerState;
  target: DesiredPowerState;
  changes: readonly AttributeChange[]; // without forces_replace ones
  policy: ShutdownPolicy;
  applyBootChanges: 'reboot' | 'next_boot';
  rebuild: boolean; // restart_trigger changed, or a pending boot configuration must be booted
  wasPending: boolean;
}

export function planUpdate(input: UpdateInput): VmSteps {
  const { graph, current, target, changes, policy } = input;
  const sets = setChanges(changes);
  const devices = deviceDrafts(changes);
  const setPaths = changes.filter((c) => attributeOf(c.path).device === undefined);
  // Device steps run while halted, or on the running guest when every device change's route
  // is live (hot-plug, online resize, storage motion: planner/diff/routes.ts).
  const devicesLive = changes.every((c) => attributeOf(c.path).device === undefined || c.effect === 'live');
  const devicesAnywhere = changes.every((c) => attributeOf(c.path).device !== 'network' && (attributeOf(c.path).device === undefined || onlyKeepMarkChanged(c)));
  const needsHalt = changes.some((c) => c.effect === 'requires_halt');
  const bootChanges = changes.some((c) => c.effect === 'next_boot');
  const domain = hasDomain(current);
  const rebootWanted = input.rebuild || (bootChanges && input.applyBootChanges === 'reboot');

  let route: PathStep[];
  if (needsHalt) {
    const h = findHaltPath(graph, current, target, policy);
    route = routeOrFail(h && [...h.down.steps, ...h.up.steps], current, target, graph);
  } else if (domain && rebootWanted && target !== 'halted') {
    route = routeOrFail(findRebootPath(graph, current, target, policy)?.steps, current, target, graph);
  } else {
    route = routeOrFail(findPath(graph, current, target, policy)?.steps, current, target, graph);
  }

  let at = -1;
  if (sets.length > 0 || devices.length > 0) {
    const allowed = (s: PowerState): boolean =>
      setPaths.every((c) => attributeOf(c.path).settableIn.includes(s) && (c.effect !== 'requires_halt' || s === 'halted')) && (devices.length === 0 || devicesAnywhere || s === 'halted' || (devicesLive && s === 'running'));
    const firstBuild = route.findIndex(builds);
    const limit = bootChanges && firstBuild >= 0 ? firstBuild : route.length;
    const states = statesAlong(current, route);
    at = states.findIndex((s, i) => i <= limit && allowed(s));
    if (at < 0) {
      // A live change the current state refuses (dynamic memory while paused): pass through Running.
      const up = findPath(graph, current, 'running', policy);
      const down = findPath(graph, 'running', target, policy);
      if (!up || !down || !allowed('running')) {
        throw new PlanningError(`the changes (${setPaths.map((c) => c.path).join(', ')}) cannot be made from ${current} on a ${graph.description} host`);
      }
      route = [...up.steps, ...down.steps];
      at = up.steps.length;
    }
  }

  const steps: StepDraft[] = route.map((s) => lifecycleDraft(s, policy));
  const inserted: StepDraft[] = [];
  if (sets.length > 0) inserted.push({ op: 'set', args: { changes: sets } });
  inserted.push(...devices);
  if (at >= 0) {
    const here = statesAlong(current, route)[at];
    for (const d of inserted) {
      d.from = here;
      d.to = here;
    }
    steps.splice(at, 0, ...inserted);
  }

  const rebuiltAfterSet = route.slice(Math.max(at, 0)).some(builds);
  const pendingBefore = input.wasPending || (bootChanges && domain);
  const pendingReboot = target !== 'halted' && pendingBefore && !rebuiltAfterSet && !route.some((s) => s.to === 'halted');

  return { steps, disruption: stepsDisruption(current, route), pendingReboot };
}

export function planCreate(
  graph: LifecycleGraph,
  attributes: VmAttributes,
  markers: { address: string; lineage: string },
  target: DesiredPowerState,
  policy: ShutdownPolicy,
): VmSteps {
  const route = routeOrFail(findPath(graph, graph.createdState, target, policy)?.steps, graph.createdState, target, graph);
  return {
    steps: [{ op: 'create', args: { attributes, markers }, to: graph.createdState }, ...route.map((s) => lifecycleDraft(s, policy))],
    disruption: 'none',
    pendingReboot: false,
  };
}

export function planDestroy(graph: LifecycleGraph, current: PowerState, disks: DiskAttributes[], policy: ShutdownPolicy): VmSteps {
  const route = graph.destroyFrom.includes(current)
    ? []
    : routeOrFail(findPath(graph, current, 'halted', policy)?.steps, current, 'halted', graph);
  const last = route.length > 0 ? route[route.length - 1].to : current;
  return {
    steps: [...route.map((s) => lifecycleDraft(s, policy)), { op: 'destroy', args: { disks }, from: last }],
    disruption: 'destroy',
    pendingReboot: false,
  };
}
