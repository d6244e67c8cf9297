// Words and symbols shared by the plan renderers: pure functions of plan data.
import { diffArrays } from 'diff';
import type { Step } from '../../planner/model/ops.js';
import type { Action, AttributeChange, OutputChange, Plan, ResourceChange } from '../../planner/plan/types.js';
import { SENSITIVE_VALUE } from '../../planner/plan/sensitive.js';
import { hasChanges } from '../../planner/plan/exit-code.js';
import { changedOutside } from '../../planner/diff/drift.js';
import { attributeFormat } from '../../planner/model/attributes.js';
import { formatSize } from '../../planner/config/units.js';
import { isUnknown } from '../../planner/config/types.js';

export const KNOWN_AFTER_APPLY = '(known after apply)';

export const SYMBOL: Record<Action, string> = { create: '+', update: '~', replace: '-/+', delete: '-', forget: '.', noop: ' ', read: '<=' };

export const ACTION_PHRASE: Record<Action, string> = {
  create: 'will be created',
  update: 'will be updated in place',
  replace: 'must be replaced',
  delete: 'will be destroyed',
  forget: 'will be forgotten: removed from the state, the VM left alone',
  noop: 'has no changes',
  read: 'will be refreshed in the state',
};

export const BADGE: Record<string, string> = {
  none: 'no disruption',
  reboot: 'reboot',
  halt: 'halt',
  replace: 'replace',
  destroy: 'destroy',
};

// Kernel command lines compared word by word: "+console=hvc0 -quiet".
export function cmdlineDiff(before: string, after: string): string {
  const words = (s: string): string[] => s.split(/\s+/).filter((w) => w !== '');
  const added: string[] = [];
  const removed: string[] = [];
  for (const c of diffArrays(words(before), words(after))) {
    if (c.added) added.push(...c.value.map((w) => `+${w}`));
    else if (c.removed) removed.push(...c.value.map((w) => `-${w}`));
  }
  return [...added, ...removed].join(' ');
}

export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return '(none)';
  if (isUnknown(v)) return KNOWN_AFTER_APPLY;
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'object' && !Array.isArray(v) && 'name' in (v as object)) {
    const o = v as Record<string, unknown>;
    if ('size' in o) return `disk ${JSON.stringify(o.name)} (${formatBytes(o.size as number)} on ${JSON.stringify(o.sr)}${o.bootable ? ', bootable' : ''})`;
    if ('network' in o) return `interface ${JSON.stringify(o.name)} on ${JSON.stringify(o.network)}`;
  }
  return JSON.stringify(v);
}

export const formatBytes = formatSize;

export function formatChangeValue(path: string, v: unknown): string {
  if (attributeFormat(path) === 'bytes' && typeof v === 'number') return formatBytes(v);
  return formatValue(v);
}

// One side of a change or drift as shown: masked when the planner marked it sensitive.
export function shownValue(c: { path?: string; sensitive?: boolean }, v: unknown): string {
  if (c.sensitive && v !== null) return SENSITIVE_VALUE;
  return formatChangeValue(c.path ?? '', v);
}

// "memory.static_max: 1GiB -> 2GiB"
// A disk kept but grown, moved or made (un)bootable shows the fields that changed:
// "disks.data.size: 10GiB -> 20GiB, disks.data.sr: "a" -> "b"".
export function describeChange(c: AttributeChange): string {
  if (!c.sensitive && c.path.startsWith('disks.') && isDisk(c.before) && isDisk(c.after)) {
    const b = c.before;
    const a = c.after;
    const fields = (['size', 'sr', 'bootable', 'keep_on_destroy'] as const).filter((k) => (a[k] ?? false) !== (b[k] ?? false));
    const shown = (k: (typeof fields)[number], v: unknown) => (k === 'size' ? formatBytes(v as number) : JSON.stringify(v ?? false));
    if (fields.length > 0) return fields.map((k) => `${c.path}.${k}: ${shown(k, b[k])} -> ${shown(k, a[k])}`).join(', ');
  }
  return `${c.path}: ${shownValue(c, c.before)} -> ${shownValue(c, c.after)}`;
}

const isDisk = (v: unknown): v is { size: number; sr: string; bootable: boolean; keep_on_destroy?: boolean } => typeof v === 'object' && v !== null && 'size' in v && 'sr' in v;

// "(live: the SR resizes attached disks)": the effect, and what the route rested on.
// "(live, once, at the next start)": a reconfiguration with a lifetime says how long it lasts.
export function describeEffect(c: AttributeChange): string {
  const effect = c.lifetime ? `${c.effect}, ${c.lifetime}` : c.effect;
  return c.condition ? `${effect}: ${c.condition}` : effect;
}

// The line under a change that shows what changed inside the value, if its format has one.
export function changeDetail(c: AttributeChange): string | null {
  if (c.sensitive) return null;
  if (attributeFormat(c.path) === 'words' && typeof c.before === 'string' && typeof c.after === 'string') return cmdlineDiff(c.before, c.after);
  return null;
}

// "clean_shutdown (running -> halted)", "set memory.static_max, boot.args (halted)", "create (-> halted)".
export function describeStep(s: Step): string {
  let what: string = s.op;
  let policy = '';
  switch (s.op) {
    case 'set':
      what = `set ${s.args.changes.map((c) => c.path).join(', ')}`;
      break;
    case 'add_disk':
    case 'remove_disk':
    case 'change_disk':
      what = `${s.op} ${JSON.stringify(s.args.disk.name)}`;
      break;
    case 'add_network':
    case 'remove_network':
      what = `${s.op} ${JSON.stringify(s.args.network.name)}`;
      break;
    case 'clean_shutdown':
    case 'clean_reboot':
      if (s.args.shutdown) {
        const p = s.args.shutdown;
        policy = `; clean for up to ${Math.round(p.timeout_ms / 1000)}s, then ${p.fallback === 'hard' ? 'hard' : 'fail'}`;
      }
      break;
    default:
      break;
  }
  if (s.from && s.to && s.from !== s.to) return `${what} (${s.from} -> ${s.to}${policy})`;
  if (!s.from && s.to) return `${what} (-> ${s.to})`;
  if (s.from) return `${what} (${s.from}${policy})`;
  return what;
}

// "+ web_uuid = (known after apply)", "~ ip = \"192.0.2.7\" -> \"192.0.2.8\"", "- old = 1"
export function outputLines(plan: Plan): string[] {
  const shown = (o: OutputChange, v: unknown, unknown = false): string => (o.sensitive ? SENSITIVE_VALUE : unknown ? KNOWN_AFTER_APPLY : formatValue(v));
  return (plan.output_changes ?? []).map((o) => {
    if (o.action === 'create') return `+ ${o.name} = ${shown(o, o.after, o.after_unknown)}`;
    if (o.action === 'delete') return `- ${o.name} = ${shown(o, o.before)}`;
    return `~ ${o.name} = ${shown(o, o.before)} -> ${shown(o, o.after, o.after_unknown)}`;
  });
}

// A create_before_destroy replace reads "+/-" (create, then destroy), as Terraform shows it.
export const symbolOf = (rc: ResourceChange): string => (rc.actions?.[0] === 'create' ? '+/-' : SYMBOL[rc.action]);

// How a change is named: a deposed VM's destroy beside its address's live VM, as Terraform names it.
export const changeLabel = (rc: Pick<ResourceChange, 'address' | 'deposed'>): string => (rc.deposed ? `${rc.address} (deposed object ${rc.deposed})` : rc.address);

// Steps by changeLabel: a deposed VM's steps under its own change, unless a replace of this plan deposes it.
export function stepsByAddress(plan: Plan): Map<string, Step[]> {
  const deposed = new Set(plan.resource_changes.flatMap((c) => (c.deposed ? [c.deposed] : [])));
  const m = new Map<string, Step[]>();
  for (const s of plan.steps) {
    const key = s.deposed && deposed.has(s.deposed) ? changeLabel({ address: s.address, deposed: s.deposed }) : s.address;
    const list = m.get(key);
    if (list) list.push(s);
    else m.set(key, [s]);
  }
  return m;
}

export function changed(plan: Plan): ResourceChange[] {
  return plan.resource_changes.filter((c) => c.action !== 'noop' || c.previous_address !== undefined || c.importing !== undefined);
}

// What moved and import blocks do to a VM, as Terraform says it: `vm.a[0] has moved to vm.a["x"]`.
export function refactorLines(rc: ResourceChange): string[] {
  const lines: string[] = [];
  if (rc.previous_address !== undefined) lines.push(`${rc.previous_address} has moved to ${rc.address}`);
  if (rc.importing) lines.push(`${rc.address} will be imported (VM ${rc.importing.id})`);
  return lines;
}

// Terraform counts a replacement as one to add and one to destroy.
export function summaryLine(plan: Plan): string {
  if (!hasChanges(plan)) return 'No changes. Your VMs match the configuration.';
  const s = plan.summary;
  const add = s.create + s.replace;
  const destroy = s.delete + s.replace;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (plan.options.refresh_only) return `Plan: ${plural(changedOutside(plan.drift).length, 'change')} outside xenform to record in the state.`;
  const forget = plan.resource_changes.filter((c) => c.action === 'forget').length;
  const imports = plan.resource_changes.filter((c) => c.importing).length;
  const moves = plan.resource_changes.filter((c) => c.previous_address !== undefined).length;
  return `Plan: ${imports ? `${imports} to import, ` : ''}${moves ? `${moves} to move, ` : ''}${add} to add, ${s.update} to change, ${destroy} to destroy${forget ? `, ${forget} to forget` : ''}; ${plural(s.reboot, 'reboot')}, ${plural(s.halt, 'halt')}.`;
}
