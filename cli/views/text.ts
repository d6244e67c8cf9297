// The plan as terminal text, in Terraform's manner: drift first, then each VM with its
// symbol, disruption badge, attribute diffs and numbered steps, then the summary line.
import type { Plan, ResourceChange } from '../../planner/plan/types.js';
import type { Step } from '../../planner/model/ops.js';
import { ACTION_PHRASE, BADGE, changed, changeDetail, describeChange, describeEffect, describeStep, outputLines, refactorLines, shownValue, stepsByAddress, summaryLine, changeLabel, symbolOf } from './describe.js';
import { createdLines } from './created.js';
import { changedOutside, notYetBooted } from '../../planner/diff/drift.js';

export interface TextOptions {
  color: boolean;
}

const ANSI = { reset: '\u001b[0m', bold: '\u001b[1m', red: '\u001b[31m', green: '\u001b[32m', yellow: '\u001b[33m', cyan: '\u001b[36m', magenta: '\u001b[35m' };
type Paint = (code: keyof typeof ANSI, text: string) => string;

const ACTION_COLOR: Record<string, keyof typeof ANSI> = { create: 'green', update: 'yellow', replace: 'magenta', delete: 'red', forget: 'cyan', read: 'cyan', noop: 'reset' };
const DISRUPTION_COLOR: Record<string, keyof typeof ANSI> = { none: 'green', reboot: 'yellow', halt: 'red', replace: 'magenta', destroy: 'red' };

export function renderPlanText(plan: Plan, opts: TextOptions): string {
  const paint: Paint = (code, text) => (opts.color ? `${ANSI[code]}${text}${ANSI.reset}` : text);
  const out: string[] = [];

  const outside = changedOutside(plan.drift);
  if (outside.length > 0) {
    out.push(paint('bold', 'Objects have changed outside of xenform'), '');
    out.push('xenform detected the following changes made outside of xenform since the last apply:', '');
    for (const d of outside) {
      const where = d.uuid ? ` (${d.host}, ${d.uuid})` : ` (${d.host})`;
      out.push(`  # ${d.address}${where}: ${d.message}`);
      if (d.kind === 'attribute' || d.kind === 'power_state') {
        out.push(`      ${d.path}: ${shownValue(d, d.before)} -> ${shownValue(d, d.after)}`);
      }
    }
    out.push('');
    if (plan.options.refresh_only) out.push('This is a refresh-only plan, so xenform will not take any actions to undo these.', '');
  }
  const pending = notYetBooted(plan.drift);
  if (pending.length > 0) {
    out.push(paint('bold', 'Configured, not yet booted'), '');
    out.push('These VMs run with an older boot configuration; the new one takes effect at their next reboot:', '');
    for (const d of pending) out.push(`  # ${d.address} (${d.host}${d.uuid ? `, ${d.uuid}` : ''}): ${d.message}`);
    out.push('');
  }

  const rcs = changed(plan);
  if (rcs.length > 0 && !plan.options.refresh_only) {
    out.push('xenform will perform the following actions:', '');
    const steps = stepsByAddress(plan);
    const byId = new Map(plan.steps.map((s) => [s.id, s]));
    for (const rc of rcs) {
      renderResource(out, rc, steps.get(changeLabel(rc)) ?? [], byId, paint);
      out.push('');
    }
  }

  const outputs = plan.options.refresh_only ? [] : outputLines(plan);
  if (outputs.length > 0) out.push('Changes to Outputs:', ...outputs.map((l) => `  ${l}`), '');
  out.push(paint('bold', summaryLine(plan)));
  for (const w of plan.warnings) out.push('', `${paint('yellow', 'Warning:')} ${w}`);
  return out.join('\n') + '\n';
}

// Appends the VM's lines to `lines` (one array for the whole plan: no per-VM copies).
function renderResource(lines: string[], rc: ResourceChange, steps: Step[], byId: ReadonlyMap<string, Step>, paint: Paint): void {
  const badge = paint(DISRUPTION_COLOR[rc.disruption], `[${BADGE[rc.disruption]}]`);
  const refactored = refactorLines(rc);
  for (const l of refactored) lines.push(`  # ${l}${rc.action === 'noop' ? ` ${badge}` : ''}`);
  if (rc.action !== 'noop' || refactored.length === 0) lines.push(`  # ${changeLabel(rc)} ${rc.actions ? 'must be replaced, the new VM created before the old one is destroyed' : ACTION_PHRASE[rc.action]} ${badge}`);
  const uuid = rc.uuid ? `, uuid ${rc.uuid}` : '';
  lines.push(`  ${paint(ACTION_COLOR[rc.action], symbolOf(rc))} ${rc.address} (host ${rc.host}${uuid})`);
  for (const r of rc.reasons) lines.push(`      # ${r}`);
  createdLines(rc, '      + ', lines);
  for (const c of rc.changes) {
    const sym = c.before === null ? '+' : c.after === null ? '-' : '~';
    lines.push(`      ${sym} ${describeChange(c)}  (${describeEffect(c)})`);
    const detail = changeDetail(c);
    if (detail !== null) lines.push(`          ${detail}`);
  }
  if (rc.pending_reboot) lines.push('      ! boot changes stay pending until the next reboot');
  if (steps.length > 0) {
    lines.push('      steps:');
    steps.forEach((s, i) => {
      let after = '';
      for (const id of s.depends_on) {
        const d = byId.get(id);
        if (d && d.address !== s.address) after += `${after === '' ? '  [after ' : ', '}${d.address} ${d.op}`;
      }
      lines.push(`        ${i + 1}. ${describeStep(s)}${after === '' ? '' : `${after}]`}`);
    });
  }
}
