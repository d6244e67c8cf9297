// The `vm` block that describes a VM as a host reports it: what `import` prints and
// `state show` displays. Strings are quoted as HCL wants (template sequences escaped).
import { parseAddress } from '../../planner/model/address.js';
import type { BootAttributes, VmAttributes } from '../../planner/model/vm.js';
import { BOOT_FIELDS } from '../../planner/model/attributes.js';
import { isSensitivePath, SENSITIVE_VALUE } from '../../planner/plan/sensitive.js';

export function hclString(s: string): string {
  return JSON.stringify(s).replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
}

const UNITS: [string, number][] = [
  ['TiB', 2 ** 40],
  ['GiB', 2 ** 30],
  ['MiB', 2 ** 20],
  ['KiB', 2 ** 10],
];

export function hclSize(bytes: number): string {
  for (const [unit, n] of UNITS) if (bytes >= n && bytes % n === 0) return hclString(`${bytes / n}${unit}`);
  return String(bytes);
}

// A value shown in place of one that derives from a sensitive variable.
type Shown = (path: string, text: string) => string;

function bootLines(b: BootAttributes, shown: Shown): string[] {
  const lines = [`mode = ${shown('boot.mode', hclString(b.mode))}`];
  const fields: readonly (keyof BootAttributes)[] = BOOT_FIELDS[b.mode];
  for (const f of fields) if (b[f]) lines.push(`${f} = ${shown(`boot.${f}`, typeof b[f] === 'boolean' ? String(b[f]) : hclString(String(b[f])))}`);
  return lines;
}

function block(header: string, lines: string[], indent: string): string[] {
  return [`${indent}${header} {`, ...lines.map((l) => `${indent}  ${l}`), `${indent}}`];
}

// `address` names the block; an instance key (count/for_each) is said in a comment. Values at
// `sensitive` paths (a resource's sensitive_paths) are shown as (sensitive value).
export function vmHcl(address: string, host: string, a: VmAttributes, sensitive: readonly string[] = []): string {
  const shown: Shown = (path, text) => (isSensitivePath(sensitive, path) ? SENSITIVE_VALUE : text);
  const addr = parseAddress(address);
  const label = addr?.name ?? address;
  const out: string[] = [];
  if (addr && addr.key !== null) out.push(`# ${address}: one instance of a block with count or for_each`);
  const body: string[] = [
    `host        = host.${host}`,
    `name        = ${shown('name', hclString(a.name))}`,
  ];
  if (a.description) body.push(`description = ${shown('description', hclString(a.description))}`);
  if (a.template) body.push(`template    = ${shown('template', hclString(a.template))}`);
  body.push(`power_state = ${shown('power_state', hclString(a.power_state === 'crashed' ? 'halted' : a.power_state))}`);
  const m = a.memory;
  if (m.static_min === m.static_max && m.dynamic_min === m.static_max && m.dynamic_max === m.static_max) {
    body.push(`memory      = ${MEMORY.some((f) => isSensitivePath(sensitive, f)) ? SENSITIVE_VALUE : hclSize(m.static_max)}`);
  } else {
    body.push(
      ...block('memory', [
        `static_min  = ${shown('memory.static_min', hclSize(m.static_min))}`,
        `static_max  = ${shown('memory.static_max', hclSize(m.static_max))}`,
        `dynamic_min = ${shown('memory.dynamic_min', hclSize(m.dynamic_min))}`,
        `dynamic_max = ${shown('memory.dynamic_max', hclSize(m.dynamic_max))}`,
      ], ''),
    );
  }
  body.push(`vcpus       = ${shown('vcpus', String(a.vcpus))}`);
  if (a.vcpus_max !== a.vcpus) body.push(`vcpus_max   = ${shown('vcpus_max', String(a.vcpus_max))}`);
  if (a.vtpm) body.push('vtpm        = true');
  body.push(...block('boot', bootLines(a.boot, shown), ''));
  for (const d of a.disks) {
    const lines = [`size     = ${shown('disks', hclSize(d.size))}`, `sr       = ${shown('disks', hclString(d.sr))}`];
    if (d.bootable) lines.push('bootable = true');
    if (d.device) lines.push(`device   = ${shown('disks', hclString(d.device))}`);
    body.push(...block(`disk ${hclString(d.name)}`, lines, ''));
  }
  for (const n of a.networks) {
    const lines = [`network = ${shown('networks', hclString(n.network))}`];
    if (n.mac) lines.push(`mac     = ${shown('networks', hclString(n.mac))}`);
    body.push(...block(`network ${hclString(n.name)}`, lines, ''));
  }
  if (a.tags.length) body.push(`tags = ${shown('tags', `[${a.tags.map(hclString).join(', ')}]`)}`);
  const oc = Object.entries(a.other_config);
  if (oc.length) body.push(...block('other_config =', oc.map(([k, v]) => `${hclString(k)} = ${shown(`other_config.${k}`, hclString(v))}`), ''));
  out.push(...block(`vm ${hclString(label)}`, body, ''));
  return `${out.join('\n')}\n`;
}

const MEMORY = ['memory.static_min', 'memory.static_max', 'memory.dynamic_min', 'memory.dynamic_max'];
