// The step-graph walker: runs nodes whose dependencies are done, at most `parallelism` at once
// overall and `hostLimit(host)` per host, with an optional disruption budget (at most
// `maxUnavailable` VMs of one group between their first and last step at once). It knows
// nothing about Xen: apply.ts gives it the work to do per node.

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

export async function walk(nodes: WalkNode[], opts: WalkOptions): Promise<void> {
  const status = new Map<string, Status>(nodes.map((n) => [n.id, 'pending']));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const perHost = new Map<string, number>();
  const remainingPerVm = new Map<string, number>();
  for (const n of nodes) remainingPerVm.set(n.vm, (remainingPerVm.get(n.vm) ?? 0) + 1);
  const vmOk = new Map<string, boolean>();
  const downPerGroup = new Map<string, Set<string>>(); // group -> VMs between first and last node
  let running = 0;

  return new Promise<void>((resolve) => {
    const endNode = (n: WalkNode, s: Status) => {
      status.set(n.id, s);
      if (s !== 'done') vmOk.set(n.vm, false);
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

    let waiting = nodes; // nodes not started or ended yet, in plan order
    const pump = () => {
      let progressed = true;
      while (progressed) {
        progressed = false;
        waiting = waiting.filter((n) => {
          const st = status.get(n.id);
          return st === 'pending' || st === 'preparing' || st === 'prepared';
        });
        for (const n of waiting) {
          const st = status.get(n.id);
          if (st !== 'pending' && st !== 'prepared') continue;
          const blocked = opts.vmBlocked(n.vm);
          if (blocked) {
            skip(n, blocked);
            progressed = true;
            continue;
          }
          const bad = failedDep(n);
          if (bad) {
            skip(n, `it waits for a step of ${bad.vm} that ${status.get(bad.id) === 'failed' ? 'failed' : 'did not run'}`);
            progressed = true;
            continue;
          }
          if (opts.stop()) continue;
          if (!n.deps.every((d) => status.get(d) === 'done' || !byId.has(d))) continue;
          if (opts.prepare && status.get(n.id) === 'pending') {
            status.set(n.id, 'preparing');
            const prepared = () => {
              if (status.get(n.id) === 'preparing') status.set(n.id, 'prepared');
              schedulePump();
            };
            opts.prepare(n).then(prepared, prepared);
            continue;
          }
          if (running >= opts.parallelism) continue;
          const onHost = perHost.get(n.host) ?? 0;
          if (onHost >= opts.hostLimit(n.host)) continue;
          if (n.group && opts.maxUnavailable !== undefined) {
            const down = downPerGroup.get(n.group) ?? new Set<string>();
            downPerGroup.set(n.group, down);
            if (!down.has(n.vm)) {
              if (down.size >= opts.maxUnavailable) continue;
              down.add(n.vm);
            }
          }
          status.set(n.id, 'running');
          running++;
          perHost.set(n.host, onHost + 1);
          progressed = true;
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
        }
      }
      if (running > 0 || resolved) return;
      // a node that freed its host but is still journaling, or one being prepared, will pump again
      if ([...status.values()].some((st) => st === 'running' || st === 'preparing')) return;
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
