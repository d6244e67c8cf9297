// What the xe wire cannot carry. The client sends its arguments joined with "\n" and xapi
// splits them again at every "\n", dropping a trailing "\r" (xen-api v1.249.42
// ocaml/xe-cli/newcli.ml `main` L807; ocaml/xapi-cli-server/xapi_cli.ml `get_line`, `zap_cr`):
// a value holding a line terminator is cut into extra arguments, set up to its first line,
// then the command fails with "Unknown field". Other control characters and the Unicode line
// separators break what reads the value back, so none of them is sent.
import type { VmAttributes } from '../../planner/model/vm.js';
import type { SetChange } from '../../planner/model/ops.js';
import { ProviderError } from '../provider.js';

const UNSENDABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

function describe(ch: string): string {
  const names: Record<string, string> = { '\n': 'a newline', '\r': 'a carriage return', '\t': 'a tab', '\u2028': 'U+2028 (line separator)', '\u2029': 'U+2029 (paragraph separator)' };
  return names[ch] ?? `the control character U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

// `what` names the value for the user, e.g. `description` or `other_config["team"]`.
export function checkSendable(host: string, vm: string, what: string, value: string): void {
  const m = UNSENDABLE.exec(value);
  if (!m) return;
  throw new ProviderError(host, 'INVALID_VALUE', { attribute: what },
    `${vm}: ${what} contains ${describe(m[0])}, which xe cannot carry (its wire format splits arguments at line ends); ` +
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
