// Cheapest paths through a lifecycle graph. Clean operations cost little and hard ones a
// lot, so a hard operation is chosen only when the VM's shutdown policy asks for it
// (mode = "hard", which replaces the clean shutdown and reboot) or when no clean path exists.
import type { Disruption, PowerState, ShutdownPolicy } from '../model/vm.js';
import { OPS, type LifecycleOp } from '../model/ops.js';
import { DISRUPTION_ORDER } from '../model/vm.js';
import type { LifecycleGraph, Transition } from './graphs.js';
import { findTransition } from './graphs.js';

export interface PathStep {
  op: LifecycleOp;
  from: PowerState;
  to: PowerState;
}

export interface LifecyclePath {
  steps: PathStep[];
  disruption: Disruption; // what the guest suffers along the path
  hard: boolean; // the path uses a hard operation
}

const CLEAN_COST = 1;
const HARD_COST = 1000;

function edgeCost(tr: Transition, policy: ShutdownPolicy): number | null {
  if (policy.mode === 'hard') {
    if (OPS[tr.op].clean) return null;
    return CLEAN_COST;
  }
  return tr.hard ? HARD_COST : CLEAN_COST;
}

// Dijkstra over at most five states; ties go to the transition listed first in the graph.
export function findPath(graph: LifecycleGraph, from: PowerState, to: PowerState, policy: ShutdownPolicy): LifecyclePath | null {
  if (from === to) return { steps: [], disruption: 'none', hard: false };
  const dist = new Map<PowerState, number>([[from, 0]]);
  const prev = new Map<PowerState, Transition>();
  const done = new Set<PowerState>();
  for (;;) {
    let current: PowerState | null = null;
    for (const s of graph.states) {
      if (done.has(s) || !dist.has(s)) continue;
      if (current === null || dist.get(s)! < dist.get(current)!) current = s;
    }
    if (current === null) return null;
    if (current === to) break;
    done.add(current);
    for (const tr of graph.transitions) {
      // Reboots rebuild a domain; they are chosen by findRebootPath, never to move between states.
      if (tr.from !== current || OPS[tr.op].guest === 'reboots') continue;
      const cost = edgeCost(tr, policy);
      if (cost === null) continue;
      const d = dist.get(current)! + cost;
      if (!dist.has(tr.to) || d < dist.get(tr.to)!) {
        dist.set(tr.to, d);
        prev.set(tr.to, tr);
      }
    }
  }
  const steps: PathStep[] = [];
  for (let s: PowerState = to; s !== from; ) {
    const tr = prev.get(s)!;
    steps.unshift({ op: tr.op, from: tr.from, to: tr.to });
    s = tr.from;
  }
  return annotate(graph, from, steps);
}

// A new domain built from the current configuration, ending in `to`: a reboot when the VM
// runs, nothing extra when the way to `to` already passes through Halted.
export function findRebootPath(graph: LifecycleGraph, from: PowerState, to: PowerState, policy: ShutdownPolicy): LifecyclePath | null {
  if (from === 'halted' || from === 'crashed') return findPath(graph, from, to, policy);
  if (to === 'halted') return findPath(graph, from, to, policy);
  const rebootOp: LifecycleOp = policy.mode === 'hard' ? 'hard_reboot' : 'clean_reboot';
  const down = findPath(graph, 'running', to, policy);
  const direct = findTransition(graph, rebootOp, from);
  if (direct && down) return annotate(graph, from, [{ op: direct.op, from, to: direct.to }, ...down.steps]);
  const up = findPath(graph, from, 'running', policy);
  const reboot = findTransition(graph, rebootOp, 'running');
  if (!up || !reboot || !down) return null;
  return annotate(graph, from, [...up.steps, { op: reboot.op, from: 'running', to: 'running' }, ...down.steps]);
}

// A path that passes through Halted (for changes that need the VM halted), ending in `to`.
export function findHaltPath(graph: LifecycleGraph, from: PowerState, to: PowerState, policy: ShutdownPolicy): { down: LifecyclePath; up: LifecyclePath } | null {
  const down = findPath(graph, from, 'halted', policy);
  const up = findPath(graph, 'halted', to, policy);
  if (!down || !up) return null;
  return { down, up };
}

export function maxDisruption(a: Disruption, b: Disruption): Disruption {
  return DISRUPTION_ORDER.indexOf(a) >= DISRUPTION_ORDER.indexOf(b) ? a : b;
}

// Halting a domain (or discarding a suspended image) is a halt; a reboot is a reboot; pausing
// or suspending a guest that was running stops its service, which is a halt too. Starting,
// resuming and unpausing disrupt nothing, nor does clearing away a crashed domain.
export function stepsDisruption(initial: PowerState, steps: readonly PathStep[]): Disruption {
  let d: Disruption = 'none';
  for (const s of steps) {
    const guest = OPS[s.op].guest;
    if (guest === 'stops' && s.from !== 'crashed') d = maxDisruption(d, 'halt');
    else if (guest === 'reboots') d = maxDisruption(d, 'reboot');
    else if (guest === 'freezes' && initial === 'running') d = maxDisruption(d, 'halt');
  }
  return d;
}

function annotate(graph: LifecycleGraph, from: PowerState, steps: PathStep[]): LifecyclePath {
  const hard = steps.some((s) => findTransition(graph, s.op, s.from)?.hard === true);
  return { steps, disruption: stepsDisruption(from, steps), hard };
}
