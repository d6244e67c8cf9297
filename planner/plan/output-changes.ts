// Output values the apply will record: those the configuration adds, changes or drops against
// the state, so that a plan whose only change is an output is still a plan to apply.
import { isUnknown, type OutputConfig } from '../config/types.js';
import type { State } from '../model/state.js';
import type { OutputChange } from './types.js';

// The value as the plan carries it: parts known only after apply become null, and say so.
function known(v: unknown): { value: unknown; unknown: boolean } {
  if (isUnknown(v)) return { value: null, unknown: true };
  if (Array.isArray(v)) {
    const parts = v.map(known);
    return { value: parts.map((p) => p.value), unknown: parts.some((p) => p.unknown) };
  }
  if (v !== null && typeof v === 'object') {
    const parts = Object.entries(v).map(([k, x]) => [k, known(x)] as const);
    return { value: Object.fromEntries(parts.map(([k, p]) => [k, p.value])), unknown: parts.some(([, p]) => p.unknown) };
  }
  return { value: v, unknown: false };
}

export function outputChanges(outputs: readonly OutputConfig[], recorded: State['outputs'] | undefined): OutputChange[] {
  const before = recorded ?? {};
  const changes: OutputChange[] = [];
  for (const o of outputs) {
    const after = known(o.value);
    const prev = Object.hasOwn(before, o.name) ? before[o.name] : undefined;
    if (prev && !after.unknown && prev.sensitive === o.sensitive && JSON.stringify(prev.value) === JSON.stringify(after.value)) continue;
    changes.push({ name: o.name, action: prev ? 'update' : 'create', before: prev ? prev.value : null, after: after.value, after_unknown: after.unknown, sensitive: o.sensitive || Boolean(prev?.sensitive) });
  }
  const names = new Set(outputs.map((o) => o.name));
  for (const [name, prev] of Object.entries(before)) {
    if (!names.has(name)) changes.push({ name, action: 'delete', before: prev.value, after: null, after_unknown: false, sensitive: prev.sensitive });
  }
  return changes;
}
