// The step graph in Graphviz DOT: one cluster per VM, an edge per dependency.
import type { Plan } from '../../planner/plan/types.js';
import { describeStep, stepsByAddress } from './describe.js';

const quote = (s: string): string => JSON.stringify(s);

export function renderPlanDot(plan: Plan): string {
  const lines = ['digraph xenform_plan {', '  rankdir = "LR";', '  node [shape = box];'];
  let i = 0;
  for (const [address, steps] of stepsByAddress(plan)) {
    lines.push(`  subgraph cluster_${i++} {`, `    label = ${quote(`${address} (${steps[0].host})`)};`);
    for (const s of steps) lines.push(`    ${s.id} [label = ${quote(`${s.id}: ${describeStep(s)}`)}];`);
    lines.push('  }');
  }
  for (const s of plan.steps) for (const d of s.depends_on) lines.push(`  ${d} -> ${s.id};`);
  lines.push('}');
  return lines.join('\n') + '\n';
}
