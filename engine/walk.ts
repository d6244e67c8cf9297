// The step-graph walker: runs nodes whose dependencies are done, at most `parallelism` at once
// overall, shared fairly between the hosts, and `hostLimit(host)` per host, with an optional
// disruption budget (at most `maxUnavailable` VMs of one group between their first and last step
// at once). It knows nothing about Xen: apply.ts gives it the work to do per node.

export interface WalkNode {
  id: string;
  deps: string[];
  host: string;
  vm: string; // the VM the node acts on (its address)
  group?: string; // budget group, only for nodes of VMs that the plan disrupts
}

export type NodeOutcome = 'done' | 'failed';

export interface WalkOptions {
  parallelism: number;
  hostLimit: (host: string) => number;
  maxUnavailable?: number;
  stop: () => boolean; // true once no new node may start (first interrupt)
  // `hostDone` frees the node's host and parallelism slot once the host's part is over
  // (bookkeeping such as journaling may follow); the node completes when the promise resolves.
  run: (node: WalkNode, hostDone: () => void) => Promise<NodeOutcome>;
  vmBlocked: (vm: string) => string | null; // a reason when the VM may not run more nodes
  skip: (node: WalkNode, reason: string) => void;
  vmFinished?: (vm: string, ok: boolean) => void; // once every node of a VM has ended
  // Called once a node's dependencies are done, before it waits for a slot (e.g. to journal
  // it durably while earlier nodes still run); the node starts only once this resolves.
  prepare?: (node: WalkNode) => Promise<void>;
}

type Status = 'pending' | 'preparing' | 'prepared' | 'running' | NodeOutcome | 'skipped';

// Nodes ready to start on one host, lowest plan position first.
class ReadyHeap {
  private readonly items: WalkNode[] = [];
  constructor(private readonly pos: Map<string, number>) {}
  get size(): number {
    return this.items.length;
  }
  peek(): WalkNode | undefined {
    return this.items[0];
  }
  push(n: WalkNode): void {
    const a = this.items;
    a.push(n);
    let i = a.length - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (this.at(a[up]) <= this.at(a[i])) break;
      [a[up], a[i]] = [a[i], a[up]];
      i = up;
    }
  }
  pop(): WalkNode | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.at(a[l]) < this.at(a[m])) m = l;
        if (r < a.length && this.at(a[r]) < this.at(a[m])) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
  private at(n: WalkNode): number {
    return this.pos.get(n.id)!;
  }
}

// Work per event is proportional to the nodes it concerns (the ended node's dependants and the
// other nodes of its VM), not to the whole graph, so that an apply of 10,000 VMs stays linear.
export async function walk(nodes: WalkNode[], opts: WalkOptions): Promise<void> {
  const status = new Map<string, Status>(nodes.map((n) => [n.id, 'pending']));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const pos = new Map(nodes.map((n, i) => [n.id, i]));
  const dependants = new Map<string, WalkNode[]>();
  const unmet = new Map<string, number>(); // dependencies not done yet
  const nodesOfVm = new Map<string, WalkNode[]>();
  const perHost = new Map<string, number>();
  const ready = new Map<string, ReadyHeap>(); // per host
  const remainingPerVm = new Map<string, number>();
  for (const n of nodes) {
    let count = 0;
    for (const d of n.deps) {
      if (!byId.has(d)) continue;
      count++;
      const list = dependants.get(d);
      if (list) list.push(n);
      else dependants.set(d, [n]);
    }
    unmet.set(n.id, count);
    const ofVm = nodesOfVm.get(n.vm);
    if (ofVm) ofVm.push(n);
    else nodesOfVm.set(n.vm, [n]);
    remainingPerVm.set(n.vm, (remainingPerVm.get(n.vm) ?? 0) + 1);
  }
  const vmOk = new Map<string, boolean>();
  const downPerGroup = new Map<string, Set<string>>(); // group -> VMs between first and last node
  let running = 0; // slots taken
  let inFlight = 0; // nodes running (until they complete) or being prepared
  let work: WalkNode[] = [...nodes]; // nodes to look at again
  const queued = new Set<string>(); // in a ready heap

  return new Promise<void>((resolve) => {
    const setStatus = (n: WalkNode, s: Status) => {
      const was = status.get(n.id);
      if (was === 'running' || was === 'preparing') inFlight--;
      if (s === 'running' || s === 'preparing') inFlight++;
      status.set(n.id, s);
    };
    const endNode = (n: WalkNode, s: Status) => {
      setStatus(n, s);
      if (s !== 'done') vmOk.set(n.vm, false);
      for (const d of dependants.get(n.id) ?? []) {
        if (s === 'done') unmet.set(d.id, unmet.get(d.id)! - 1);
        work.push(d);
      }
      for (const other of nodesOfVm.get(n.vm)!) if (other !== n) work.push(other); // the VM may be blocked now
      const left = (remainingPerVm.get(n.vm) ?? 1) - 1;
      remainingPerVm.set(n.vm, left);
      if (left === 0) {
        if (n.group) downPerGroup.get(n.group)?.delete(n.vm);
        opts.vmFinished?.(n.vm, vmOk.get(n.vm) !== false);
      }
    };
    const skip = (n: WalkNode, reason: string) => {
      endNode(n, 'skipped');
      opts.skip(n, reason);
    };
    const failedDep = (n: WalkNode): WalkNode | undefined => {
      for (const id of n.deps) {
        const s = status.get(id);
        if (s === 'failed' || s === 'skipped') return byId.get(id);
      }
      return undefined;
    };
    // Skips the node if it can never run; true when it is still waiting.
    const stillWaiting = (n: WalkNode): boolean => {
      const st = status.get(n.id);
      if (st !== 'pending' && st !== 'prepared') return false;
      const blocked = opts.vmBlocked(n.vm);
      if (blocked) {
        skip(n, blocked);
        return false;
      }
      const bad = failedDep(n);
      if (bad) {
        skip(n, `it waits for a step of ${bad.vm} that ${status.get(bad.id) === 'failed' ? 'failed' : 'did not run'}`);
        return false;
      }
      return true;
    };
    const examine = (n: WalkNode) => {
      if (!stillWaiting(n) || opts.stop() || unmet.get(n.id)! > 0) return;
      if (opts.prepare && status.get(n.id) === 'pending') {
        setStatus(n, 'preparing');
        const prepared = () => {
          if (status.get(n.id) === 'preparing') setStatus(n, 'prepared');
          work.push(n);
          schedulePump();
        };
        opts.prepare(n).then(prepared, prepared);
        return;
      }
      if (queued.has(n.id)) return;
      queued.add(n.id);
      if (!opts.prepare) setStatus(n, 'prepared');
      let heap = ready.get(n.host);
      if (!heap) ready.set(n.host, (heap = new ReadyHeap(pos)));
      heap.push(n);
    };
    const overBudget = (n: WalkNode): boolean => {
      if (!n.group || opts.maxUnavailable === undefined) return false;
      const down = downPerGroup.get(n.group);
      return down !== undefined && !down.has(n.vm) && down.size >= opts.maxUnavailable;
    };
    // The first node of the host's queue that may start now; nodes over their group's budget
    // are set aside in `deferred` (put back after this pass).
    const head = (heap: ReadyHeap, deferred: [ReadyHeap, WalkNode][]): WalkNode | undefined => {
      for (let n = heap.peek(); n; n = heap.peek()) {
        if (status.get(n.id) !== 'prepared') heap.pop();
        else if (overBudget(n)) deferred.push([heap, heap.pop()!]);
        else return n;
      }
      return undefined;
    };
    const start = (n: WalkNode) => {
      if (n.group && opts.maxUnavailable !== undefined) {
        const down = downPerGroup.get(n.group) ?? new Set<string>();
        downPerGroup.set(n.group, down);
        down.add(n.vm);
      }
      setStatus(n, 'running');
      running++;
      perHost.set(n.host, (perHost.get(n.host) ?? 0) + 1);
      let freed = false;
      const hostDone = () => {
        if (freed) return;
        freed = true;
        running--;
        perHost.set(n.host, (perHost.get(n.host) ?? 1) - 1);
        schedulePump();
      };
      opts.run(n, hostDone).then(
        (outcome) => finish(n, outcome, hostDone),
        () => finish(n, 'failed', hostDone),
      );
    };

    const pump = () => {
      for (;;) {
        while (work.length > 0) {
          const batch = work.sort((a, b) => pos.get(a.id)! - pos.get(b.id)!);
          work = [];
          for (const n of batch) examine(n);
        }
        if (opts.stop()) break;
        // Start, among the hosts with a free slot, a node of the host with the fewest running (so
        // that when `parallelism` binds, the hosts share it and the last host does not finish
        // alone), the lowest plan position first; until none can start.
        const deferred: [ReadyHeap, WalkNode][] = [];
        while (running < opts.parallelism) {
          let best: { heap: ReadyHeap; n: WalkNode; busy: number } | undefined;
          for (const [host, heap] of ready) {
            const busy = perHost.get(host) ?? 0;
            if (heap.size === 0 || busy >= opts.hostLimit(host)) continue;
            const n = head(heap, deferred);
            if (n && (!best || busy < best.busy || (busy === best.busy && pos.get(n.id)! < pos.get(best.n.id)!))) best = { heap, n, busy };
          }
          if (!best) break;
          best.heap.pop();
          queued.delete(best.n.id);
          if (!stillWaiting(best.n)) continue;
          start(best.n);
        }
        for (const [heap, n] of deferred) heap.push(n);
        if (work.length === 0) break; // else nodes were skipped at the last moment: look again
      }
      if (running > 0 || resolved) return;
      // a node that freed its host but is still journaling, or one being prepared, will pump again
      if (inFlight > 0) return;
      // Nothing runs and nothing can start: whatever is left waits for something that cannot happen.
      for (const n of nodes) {
        const st = status.get(n.id);
        if (st !== 'pending' && st !== 'prepared') continue;
        skip(
          n,
          opts.stop()
            ? 'the apply was interrupted before this step could start'
            : n.group && opts.maxUnavailable !== undefined
              ? `the disruption budget of group "${n.group}" (${opts.maxUnavailable} at once) cannot be met with these dependencies`
              : 'its dependencies can never complete',
        );
      }
      resolved = true;
      resolve();
    };

    // Nodes prepared together (one journal write) are started by one pass, not one pass each.
    let pumpScheduled = false;
    const schedulePump = () => {
      if (pumpScheduled) return;
      pumpScheduled = true;
      queueMicrotask(() => {
        pumpScheduled = false;
        pump();
      });
    };

    let resolved = false;
    const finish = (n: WalkNode, outcome: NodeOutcome, hostDone: () => void) => {
      hostDone();
      endNode(n, outcome);
      pump();
    };

    pump();
  });
}
