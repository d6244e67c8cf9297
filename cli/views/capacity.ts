// The per-member capacity table of a plan that brings VMs onto a XAPI pool's members.
import type { Plan } from '../../planner/plan/types.js';
import { formatBytes } from './describe.js';

export function capacityLines(plan: Plan): string[] {
  const rows = plan.capacity ?? [];
  if (rows.length === 0) return [];
  const out = ['#### Pool capacity', '', '| Host | Member | pCPUs | Free memory before | Free memory after | VMs planned onto it |', '|---|---|---|---|---|---|'];
  for (const r of rows) {
    const member = r.enabled ? r.member : `${r.member} (disabled)`;
    out.push(`| ${r.host} | ${member} | ${r.pcpus} | ${formatBytes(r.memory_free_before)} | ${formatBytes(r.memory_free_after)} | ${r.arrivals.length > 0 ? r.arrivals.join(', ') : '-'} |`);
  }
  out.push('');
  return out;
}
