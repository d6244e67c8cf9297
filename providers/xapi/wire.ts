// The last guard before a command is sent: the wire rule (planner/model/wire.ts) that
// validate already applied to the configuration, applied again to what is really sent.
import type { VmAttributes } from '../../planner/model/vm.js';
import type { SetChange } from '../../planner/model/ops.js';
import { findUnsendable } from '../../planner/model/wire.js';
import { ProviderError } from '../provider.js';

// `what` names the value for the user, e.g. `description` or `other_config["team"]`.
export function checkSendable(host: string, vm: string, what: string, value: string): void {
  const bad = findUnsendable(value);
  if (!bad) return;
  throw new ProviderError(host, 'INVALID_VALUE', { attribute: what },
    `${vm}: ${what} contains ${bad.what}, which xe cannot carry (its wire format splits arguments at line ends); ` +
      'remove it from the value (a heredoc always ends in a newline: use a quoted string or trimspace())');
}

// Every string of a VM's attributes, named by its path in the configuration.
export function checkAttributes(host: string, vm: string, a: Partial<VmAttributes>): void {
  for (const [what, value] of stringsOf(a as Record<string, unknown>, '')) checkSendable(host, vm, what, value);
}

export function checkChanges(host: string, vm: string, changes: SetChange[]): void {
  for (const c of changes) {
    if (typeof c.value === 'string') checkSendable(host, vm, c.path, c.value);
    else if (c.value && typeof c.value === 'object') {
      for (const [what, value] of stringsOf(c.value as Record<string, unknown>, c.path)) checkSendable(host, vm, what, value);
    }
  }
}

function* stringsOf(o: Record<string, unknown> | unknown[], prefix: string): Generator<[string, string]> {
  const entries: [string | number, unknown][] = Array.isArray(o) ? o.map((v, i) => [i, v]) : Object.entries(o);
  for (const [k, v] of entries) {
    const path = typeof k === 'number' ? `${prefix}[${k}]` : prefix.endsWith('other_config') ? `${prefix}["${k}"]` : prefix ? `${prefix}.${k}` : k;
    if (prefix.endsWith('other_config') && typeof k === 'string') yield [`${prefix} key "${k}"`, k];
    if (typeof v === 'string') yield [path, v];
    else if (v && typeof v === 'object') yield* stringsOf(v as Record<string, unknown>, path);
  }
}

// The last guard, on the command itself: names the xe parameter.
export function checkArgv(host: string, vm: string, argv: string[]): void {
  for (const arg of argv) {
    const eq = arg.indexOf('=');
    checkSendable(host, vm, eq > 0 ? `the xe parameter ${arg.slice(0, eq)}` : 'an xe argument', arg);
  }
}
