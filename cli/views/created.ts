// What a create makes, attribute by attribute: the lines under a new VM in the text and
// Markdown plans. Sensitive values and values known only after apply say so.
import type { ResourceChange } from '../../planner/plan/types.js';
import type { VmAttributes } from '../../planner/model/vm.js';
import { BOOT_FIELDS } from '../../planner/model/attributes.js';
import { isSensitivePath, SENSITIVE_VALUE } from '../../planner/plan/sensitive.js';
import { formatBytes, formatValue as shown, KNOWN_AFTER_APPLY } from './describe.js';

function list(xs: readonly unknown[]): string {
  let s = '[';
  for (let i = 0; i < xs.length; i++) s += (i === 0 ? '' : ', ') + shown(xs[i]);
  return `${s}]`;
}

// ["name", "\"web\""] pairs, in the order a reader looks for them.
function entries(a: VmAttributes): [path: string, value: string][] {
  const out: [string, string][] = [
    ['uuid', KNOWN_AFTER_APPLY],
    ['name', shown(a.name)],
    ['template', shown(a.template)],
    ['power_state', shown(a.power_state)],
  ];
  if (a.description !== '') out.push(['description', shown(a.description)]);
  const m = a.memory;
  if (m.static_min === m.static_max && m.dynamic_min === m.static_max && m.dynamic_max === m.static_max) out.push(['memory', formatBytes(m.static_max)]);
  else for (const k of ['static_min', 'dynamic_min', 'dynamic_max', 'static_max'] as const) out.push([`memory.${k}`, formatBytes(m[k])]);
  out.push(['vcpus', String(a.vcpus)], ['vcpus_max', String(a.vcpus_max)], ['boot.mode', shown(a.boot.mode)]);
  for (const k of BOOT_FIELDS[a.boot.mode] as readonly (keyof VmAttributes['boot'])[]) {
    if (k !== 'mode' && a.boot[k] !== '') out.push([`boot.${k}`, shown(a.boot[k])]);
  }
  for (const d of a.disks) {
    out.push([`disks.${d.name}`, `${formatBytes(d.size)} on ${shown(d.sr)}${d.bootable ? ', bootable' : ''}, device ${d.device === undefined ? KNOWN_AFTER_APPLY : shown(d.device)}`]);
  }
  for (const n of a.networks) out.push([`networks.${n.name}`, `on ${shown(n.network)}, mac ${n.mac === undefined ? KNOWN_AFTER_APPLY : shown(n.mac)}`]);
  if (a.tags.length > 0) out.push(['tags', list(a.tags)]);
  for (const k of Object.keys(a.other_config).sort()) out.push([`other_config.${k}`, shown(a.other_config[k])]);
  return out;
}

// "name        = \"web\"" lines for a VM the plan creates, each after `prefix`, appended to
// `into` (returned); none for other actions.
export function createdLines(rc: ResourceChange, prefix = '', into: string[] = []): string[] {
  if (rc.action !== 'create' || !rc.after) return into;
  const pairs = entries(rc.after);
  let width = 0;
  for (const pair of pairs) {
    if (pair[0].length > width) width = pair[0].length;
    if (rc.sensitive_paths && isSensitivePath(rc.sensitive_paths, pair[0])) pair[1] = SENSITIVE_VALUE;
  }
  for (const [p, v] of pairs) into.push(`${prefix}${p.padEnd(width)} = ${v}`);
  return into;
}
