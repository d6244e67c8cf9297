// The plan as a pull-request comment: banner, summary table, folded details, and a size
// guard that folds the least important parts first to stay under the comment limit.
import type { Drift, Plan, ResourceChange } from '../../planner/plan/types.js';
import { changedOutside, notYetBooted } from '../../planner/diff/drift.js';
import type { Step } from '../../planner/model/ops.js';
import { BADGE, changed, changeDetail, describeChange, describeStep, outputLines, refactorLines, stepsByAddress, summaryLine, changeLabel, symbolOf } from './describe.js';
import { createdLines } from './created.js';
import { capacityLines } from './capacity.js';
import { DISRUPTION_ORDER } from '../../planner/model/vm.js';

export const MARKDOWN_LIMIT = 60_000;

const esc = (s: string): string => s.replace(/[|<>]/g, (c) => ({ '|': '\\|', '<': '&lt;', '>': '&gt;' })[c]!);
const code = (s: string): string => `\`${s.replace(/`/g, "'")}\``;

function banner(plan: Plan): string[] {
  const rcs = changed(plan);
  const n = (d: string): number => rcs.filter((c) => c.disruption === d).length;
  const parts: string[] = [];
  const vms = (k: number): string => `${k} VM${k === 1 ? '' : 's'}`;
  if (n('reboot') > 0) parts.push(`${vms(n('reboot'))} will reboot`);
  if (n('halt') > 0) parts.push(`${vms(n('halt'))} will halt`);
  if (n('replace') > 0) parts.push(`${vms(n('replace'))} will be replaced`);
  if (n('destroy') > 0) parts.push(`${vms(n('destroy'))} will be destroyed`);
  if (parts.length === 0) return [];
  return ['> [!WARNING]', `> **${parts.join(', ')}.**`, ''];
}

function stepList(steps: Step[]): string {
  return steps.map((s) => s.op).join(' → ') || '—';
}

function table(rcs: ResourceChange[], steps: Map<string, Step[]>, limit: number): string[] {
  const lines = ['| VM | Host | Action | Disruption | Steps |', '|---|---|---|---|---|'];
  for (const rc of rcs.slice(0, limit)) {
    lines.push(`| ${code(changeLabel(rc))} | ${esc(rc.host)} | ${symbolOf(rc)} ${rc.action}${refactorLines(rc).map((l) => `; ${esc(l)}`).join('')} | ${BADGE[rc.disruption]} | ${esc(stepList(steps.get(changeLabel(rc)) ?? []))} |`);
  }
  if (rcs.length > limit) lines.push(`| … and ${rcs.length - limit} more VMs | | | | |`);
  return [...lines, ''];
}

function details(rc: ResourceChange, steps: Step[]): string[] {
  const body: string[] = [];
  for (const l of refactorLines(rc)) body.push(`# ${l}`);
  for (const r of rc.reasons) body.push(`# ${r}`);
  createdLines(rc, '+ ', body);
  for (const c of rc.changes) {
    const sym = c.before === null ? '+' : c.after === null ? '-' : '!';
    body.push(`${sym} ${describeChange(c)}  (${c.effect}${c.lifetime ? `, ${c.lifetime}` : ''}: ${c.reason}${c.condition ? `; ${c.condition}` : ''})`);
    const detail = changeDetail(c);
    if (detail !== null) body.push(`    ${detail}`);
  }
  steps.forEach((s, i) => body.push(`${i + 1}. ${describeStep(s)}`));
  return [
    `<details><summary><code>${esc(rc.address)}</code>: ${rc.action}, ${BADGE[rc.disruption]}</summary>`,
    '',
    '```diff',
    ...body.map((l) => l.replace(/```/g, "'''")),
    '```',
    '',
    '</details>',
    '',
  ];
}

function driftSection(title: string, drift: Drift[], folded: boolean): string[] {
  if (drift.length === 0) return [];
  const head = `<details><summary>${title} (${drift.length})</summary>`;
  if (folded) return [`**${title}:** ${drift.length} (details left out to fit the comment; run \`xenform plan\` to see them).`, ''];
  return [head, '', ...drift.map((d) => `- ${code(d.address)}: ${esc(d.message)}`), '', '</details>', ''];
}

// Levels of folding, from none to most: quiet VMs' details, drift, all details, table rows.
export function renderPlanMarkdown(plan: Plan): string {
  const steps = stepsByAddress(plan);
  const rcs = [...changed(plan)].sort((a, b) => DISRUPTION_ORDER.indexOf(b.disruption) - DISRUPTION_ORDER.indexOf(a.disruption));
  // Worked out once: the comment may be built several times over to fit it in the limit.
  const head = ['### xenform plan', '', ...banner(plan), `**${summaryLine(plan)}**`, ''];
  const outside = changedOutside(plan.drift);
  const notBooted = notYetBooted(plan.drift);
  const build = (level: number, rows: number): string => {
    const out: string[] = [...head];
    if (rcs.length > 0) out.push(...table(rcs, steps, rows));
    out.push(...capacityLines(plan));
    out.push(...driftSection('Objects have changed outside of xenform', outside, level >= 2));
    out.push(...driftSection('Configured, not yet booted', notBooted, level >= 2));
    const shown = level === 0 ? rcs : level === 1 ? rcs.filter((c) => c.disruption !== 'none') : [];
    for (const rc of shown) out.push(...details(rc, steps.get(changeLabel(rc)) ?? []));
    const outputs = outputLines(plan);
    if (outputs.length > 0 && level < 3) out.push('<details><summary>Changes to Outputs</summary>', '', '```diff', ...outputs.map((l) => l.replace(/```/g, "'''")), '```', '', '</details>', '');
    if (shown.length < rcs.length) out.push(`_Details of ${rcs.length - shown.length} VMs are left out to keep this comment short; run \`xenform show\` on the saved plan to see them._`, '');
    for (const w of plan.warnings) out.push(`> [!NOTE]`, `> ${esc(w)}`, '');
    return out.join('\n');
  };
  for (let level = 0; level <= 3; level++) {
    const text = build(level, rcs.length);
    if (text.length < MARKDOWN_LIMIT) return text;
  }
  let rows = rcs.length;
  for (;;) {
    rows = Math.floor(rows / 2);
    const text = build(3, rows);
    if (text.length < MARKDOWN_LIMIT || rows === 0) return text;
  }
}
