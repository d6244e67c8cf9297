// Across VMs: dependencies start first and stop last. Each VM's steps form a chain; a
// dependant's first step that brings it up waits for the dependency's last step, and a
// dependency's first step that takes it down waits for its dependants' initial shutdown, and
// a step that needs a value known only after apply waits for the create that makes it known.
// Step ids follow a topological order that is deterministic (VM order, then chain order).
import { OPS, type Step } from '../model/ops.js';
import { containsUnknown } from '../config/types.js';
import type { StepDraft } from './vm-steps.js';

export interface VmChain {
  address: string;
  hosts: string[]; // host of each draft
  drafts: StepDraft[];
  dependsOn: string[]; // addresses of the VMs this one depends on
}


class MinHeap {
  private a: number[] = [];
  get size(): number {
    return this.a.length;
  }
  push(v: number): void {
    const a = this.a;
    a.push(v);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (a[p] <= a[i]) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop(): number {
    const a = this.a;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l] < a[m]) m = l;
        if (r < a.length && a[r] < a[m]) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}

export class DependencyCycleError extends Error {}

export function buildSteps(chains: readonly VmChain[]): Step[] {
  const start: number[] = []; // ordinal of each chain's first draft
  let n = 0;
  for (const c of chains) {
    start.push(n);
    n += c.drafts.length;
  }
  const preds: number[][] = Array.from({ length: n }, () => []);
  const index = new Map<string, number>();
  chains.forEach((c, i) => {
    index.set(c.address, i);
    for (let k = 1; k < c.drafts.length; k++) preds[start[i] + k].push(start[i] + k - 1);
  });
  const firstUp = (c: VmChain): number => c.drafts.findIndex((d) => OPS[d.op].direction === 'up');
  // The steps before the first that brings the VM up: its initial way down.
  const downPrefix = (c: VmChain): number[] => {
    const up = firstUp(c);
    const end = up < 0 ? c.drafts.length : up;
    const out: number[] = [];
    for (let k = 0; k < end; k++) if (OPS[c.drafts[k].op].direction === 'down') out.push(k);
    return out;
  };
  chains.forEach((a, ai) => {
    if (a.drafts.length === 0) return;
    for (const depAddr of a.dependsOn) {
      const bi = index.get(depAddr);
      if (bi === undefined || bi === ai) continue;
      const b = chains[bi];
      if (b.drafts.length === 0) continue;
      const up = firstUp(a);
      if (up >= 0) preds[start[ai] + up].push(start[bi] + b.drafts.length - 1);
      // A step that sends a value known only after apply (vm.db.uuid) waits for the step that
      // makes it known: the dependency's create. Apply fills the value in before it runs.
      const produces = b.drafts.findIndex((d) => d.op === 'create');
      if (produces >= 0) a.drafts.forEach((d, k) => containsUnknown(d.args) && preds[start[ai] + k].push(start[bi] + produces));
      const aDown = downPrefix(a);
      const bDown = downPrefix(b);
      if (aDown.length > 0 && bDown.length > 0) preds[start[bi] + bDown[0]].push(start[ai] + aDown[aDown.length - 1]);
    }
  });

  const succs: number[][] = Array.from({ length: n }, () => []);
  const indegree = new Array<number>(n).fill(0);
  for (let v = 0; v < n; v++) {
    for (const p of preds[v]) {
      succs[p].push(v);
      indegree[v]++;
    }
  }
  const heap = new MinHeap();
  for (let v = 0; v < n; v++) if (indegree[v] === 0) heap.push(v);
  const id = new Array<string>(n);
  const position = new Array<number>(n); // v's place in the order, from 1: its id is `s${position}`
  const order: number[] = [];
  while (heap.size > 0) {
    const v = heap.pop();
    order.push(v);
    id[v] = `s${order.length}`;
    position[v] = order.length;
    for (const s of succs[v]) if (--indegree[s] === 0) heap.push(s);
  }
  if (order.length !== n) throw new DependencyCycleError('the VMs depend on each other in a cycle, so no step order exists');

  const owner: number[] = new Array(n);
  chains.forEach((c, i) => c.drafts.forEach((_, k) => (owner[start[i] + k] = i)));
  return order.map((v) => {
    const c = chains[owner[v]];
    const k = v - start[owner[v]];
    const d = c.drafts[k];
    // A draft's op and args belong together: the pair is carried over as it is.
    const step = {
      id: id[v],
      address: c.address,
      host: c.hosts[k],
      op: d.op,
      args: d.args,
      depends_on: dependsOn(preds[v], position),
    } as Step;
    if (d.from !== undefined) step.from = d.from;
    if (d.to !== undefined) step.to = d.to;
    if (d.deposed !== undefined) step.deposed = d.deposed;
    return step;
  });
}

// The ids of a step's predecessors, each once, in step order.
function dependsOn(preds: readonly number[], position: readonly number[]): string[] {
  const at = preds.map((p) => position[p]).sort((x, y) => x - y);
  const out: string[] = [];
  for (let i = 0; i < at.length; i++) if (i === 0 || at[i] !== at[i - 1]) out.push(`s${at[i]}`);
  return out;
}
