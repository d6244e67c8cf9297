// The plan's steps and their capacity check. Without --target a VM that does not fit refuses the
// whole plan; with --target the refusal is per VM: a targeted VM that does not fit is left out
// with its reason (and so are the VMs of the plan that depend on it), and the VMs that fit
// still plan, checked again without it.
import type { Step } from '../model/ops.js';
import type { HostInventory } from '../model/vm.js';
import { checkCapacity, type CapacityProblem, type CapacityVm } from './capacity.js';
import { buildSteps, type VmChain } from './step-graph.js';
import type { MemberCapacity } from './types.js';

export type CapacityWork = VmChain & CapacityVm;

export interface LeftOut {
  address: string;
  why: string;
}

export interface CapacityOutcome {
  steps: Step[];
  table: MemberCapacity[];
  problems: CapacityProblem[]; // refusals of the whole plan (never with perVm)
  leftOut: LeftOut[]; // with perVm: the VMs dropped from the plan, and why
}

// Throws DependencyCycleError as buildSteps does.
export function stepsWithinCapacity(works: readonly CapacityWork[], inventories: Record<string, HostInventory>, perVm: boolean): CapacityOutcome {
  let kept = [...works];
  const leftOut: LeftOut[] = [];
  for (;;) {
    const steps = buildSteps(kept);
    const checked = checkCapacity(steps, kept, inventories);
    if (checked.problems.length === 0 || !perVm) return { steps, table: checked.table, problems: checked.problems, leftOut };
    const out = new Map<string, string>(checked.problems.map((p) => [p.address, `refused: ${p.detail}`]));
    // The VMs that depend on a refused one would start without it: they wait for a later plan too.
    for (let grew = true; grew; ) {
      grew = false;
      for (const w of kept) {
        const on = out.has(w.address) ? undefined : w.dependsOn.find((d) => out.has(d));
        if (on === undefined) continue;
        out.set(w.address, `left out: it depends on ${on}, which is not in this plan either`);
        grew = true;
      }
    }
    for (const [address, why] of out) leftOut.push({ address, why });
    kept = kept.filter((w) => !out.has(w.address));
  }
}
