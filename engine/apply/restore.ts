// Bringing a VM whose step failed back to the power state it had before apply. The way back
// is found by the planner's path search over the toolstack's graph, with the VM's own shutdown
// policy; a way the graph does not have is reported, never improvised.
import { graphFor } from '../../planner/lifecycle/graphs.js';
import { findPath } from '../../planner/lifecycle/path.js';
import type { Toolstack } from '../../planner/model/vm.js';
import type { Provider } from '../../providers/provider.js';
import { errorText } from '../errors.js';
import type { JournalEntry } from '../state/journal.js';
import { stepRecord } from '../state/transitions.js';
import type { State } from '../../planner/model/state.js';
import { executeWithPolicy, syntheticStep, type PolicyHooks } from './execute.js';
import type { VmRun } from './vm-run.js';

export interface Restored {
  address: string;
  to: string;
  ok: boolean;
  error?: string;
}

export interface RestoreContext {
  provider: Provider;
  toolstack: Toolstack;
  record: (entry: JournalEntry) => Promise<void>;
  state: () => State;
  abort: AbortSignal | undefined;
  hooks: PolicyHooks;
}

// Null when there is nothing to restore (no VM, no known power state, or already there).
export async function restore(run: VmRun, ctx: RestoreContext): Promise<Restored | null> {
  const uuid = run.newUuid ?? run.uuid;
  const to = run.powerBefore;
  if (!uuid || !to) return null;
  try {
    const now = await ctx.provider.readVm(uuid);
    if (!now) return null;
    const from = now.attributes.power_state;
    if (from === to) return null;
    const graph = graphFor(ctx.toolstack);
    const path = graph.states.includes(from) && graph.states.includes(to) ? findPath(graph, from, to, run.policy) : null;
    if (!path) throw new Error(`the ${graph.name} lifecycle has no way from ${from} to ${to} with its shutdown policy (mode = "${run.policy.mode}")`);
    let i = 0;
    for (const p of path.steps) {
      const step = syntheticStep(run.steps[0], p.op, `restore${++i}`, p.from, p.to, run.policy);
      const time = () => new Date().toISOString();
      await ctx.record({ t: 'start', step: step.id, address: run.address, host: run.host, op: p.op, uuid, time: time() });
      const res = await executeWithPolicy(ctx.provider, step, { uuid, address: run.address }, ctx.abort, ctx.hooks);
      const known = ctx.state().resources.some((r) => r.address === run.address && r.uuid === uuid);
      await ctx.record({
        t: 'done',
        step: step.id,
        address: run.address,
        host: run.host,
        op: p.op,
        uuid,
        time: time(),
        resource: known ? stepRecord(ctx.state(), { address: run.address, host: run.host, op: p.op, uuid, observed: res.observed }) : null,
      });
    }
    return { address: run.address, to, ok: true };
  } catch (err) {
    return { address: run.address, to, ok: false, error: errorText(err) };
  }
}
