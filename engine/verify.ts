// Compares what a VM looks like now with what the plan saw, in words a user can act on.
import type { ObservedVm, VmAttributes } from '../planner/model/vm.js';
import { attributeLabel } from '../planner/model/attributes.js';

function flat(prefix: string, value: unknown, out: Map<string, string>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flat(prefix ? `${prefix}.${k}` : k, v, out);
  } else {
    out.set(prefix, JSON.stringify(value));
  }
}

const show = (json: string | undefined) => {
  if (json === undefined) return '(none)';
  const v: unknown = JSON.parse(json);
  return typeof v === 'string' ? (v === '' ? '""' : v) : json;
};

// "power state running -> paused; memory.static_max 1073741824 -> 2147483648"
export function describeChanges(before: VmAttributes | null, now: ObservedVm): string {
  if (!before) return 'it changed since the plan was made';
  const a = new Map<string, string>();
  const b = new Map<string, string>();
  flat('', before, a);
  flat('', now.attributes, b);
  const parts: string[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    if (a.get(key) === b.get(key)) continue;
    parts.push(`${attributeLabel(key)} ${show(a.get(key))} -> ${show(b.get(key))}`);
  }
  return parts.length ? parts.join('; ') : 'its configuration on the host changed since the plan was made';
}
