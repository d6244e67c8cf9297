// What a string must not hold to reach the host and be read back unchanged: the one rule,
// checked at validate (planner/config/wire-check.ts) and again by the XAPI provider just
// before it sends a command (providers/xapi/wire.ts).
//
// Line terminators: the `xe` client sends its arguments joined with "\n" and xapi splits them
// again at every "\n", dropping a trailing "\r" (xen-api v1.249.42 ocaml/xe-cli/newcli.ml
// `main`; ocaml/xapi-cli-server/xapi_cli.ml `get_line`, `zap_cr`), and records are printed one
// field a line. NUL cannot be an argv element at all. Other C0/C1 controls and the Unicode
// line separators break every reader of the printed records, so none of them is allowed.
const UNSENDABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

const NAMES: Record<string, string> = {
  '\n': 'a newline',
  '\r': 'a carriage return',
  '\t': 'a tab',
  '\0': 'a NUL byte',
  '\u0085': 'U+0085 (next line, NEL)',
  '\u2028': 'U+2028 (line separator)',
  '\u2029': 'U+2029 (paragraph separator)',
};

export function describeChar(ch: string): string {
  return NAMES[ch] ?? `the control character U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

export interface Unsendable {
  char: string;
  index: number; // in UTF-16 code units
  what: string; // "a newline at the end of the value", "a tab at character 4 (after "ab c")"
}

// The first character of `value` that cannot be sent, or null.
export function findUnsendable(value: string): Unsendable | null {
  const m = UNSENDABLE.exec(value);
  if (!m) return null;
  const index = m.index;
  const name = describeChar(m[0]);
  if (index === value.length - 1 && value.length > 1) return { char: m[0], index, what: `${name} at the end of the value` };
  const before = value.slice(Math.max(0, index - 20), index);
  const where = index === 0 ? 'at the start of the value' : `at character ${[...value.slice(0, index)].length + 1} (after ${JSON.stringify(before)})`;
  return { char: m[0], index, what: `${name} ${where}` };
}

// The longest argument execve takes (Linux MAX_ARG_STRLEN, 32 pages, counting the NUL), and
// the largest request body xapi reads from the `xe` client, every argument and a newline
// (ocaml/xapi-consts/constants.ml `http_limit_max_cli_size`, 200 KiB).
export const MAX_ARG_BYTES = 131072;
export const MAX_CLI_BODY_BYTES = 200 * 1024;

// Bytes an `xe` argument `PREFIX=VALUE` takes in argv, with its NUL.
export const argBytes = (prefix: string, value: string): number => Buffer.byteLength(prefix) + 1 + Buffer.byteLength(value) + 1;

// How `xe` prints a VM's sets and maps, without escapes (xen-api v1.249.42
// ocaml/xapi-cli-server/records.ml `vm_record`: tags through `concat_with_comma`, other-config
// through record_util.ml `s2sm_to_string "; "`, each pair as `k ^ ": " ^ v`); and how an
// argument `other-config:KEY=VALUE` is read (cli_frontend.ml `parse_params_2` splits at the
// first "=", cli_operations.ml `get_field_type` at the first ":").
export const TAG_SEPARATOR = ', ';
export const MAP_SEPARATOR = '; ';
export const MAP_KEY_SEPARATOR = ': ';

// Why a tag cannot round-trip through `xe`, or null.
export function tagFault(tag: string): string | null {
  if (tag === '') return 'an empty tag is dropped when xe prints the VM\'s tags';
  if (tag.includes(TAG_SEPARATOR)) return `xe prints tags joined with "${TAG_SEPARATOR}", so this tag would read back as several`;
  return null;
}

// Why an other-config key cannot round-trip through `xe`, or null.
export function mapKeyFault(key: string): string | null {
  if (key === '') return 'xapi refuses an empty map key (Db_exn.Empty_key_in_map)';
  if (key.includes('=')) return 'xe reads `other-config:KEY=VALUE` up to the first "=", so the key would be cut there';
  if (key.includes(MAP_KEY_SEPARATOR)) return `xe prints each entry as "key${MAP_KEY_SEPARATOR}value", so the key would be cut at its "${MAP_KEY_SEPARATOR}"`;
  if (key.includes(MAP_SEPARATOR)) return `xe prints the entries joined with "${MAP_SEPARATOR}", so the key would read back as two entries`;
  return null;
}

// Why an other-config value cannot round-trip through `xe`, or null.
export function mapValueFault(value: string): string | null {
  if (value.includes(MAP_SEPARATOR)) return `xe prints the entries joined with "${MAP_SEPARATOR}", so this value would read back as two entries`;
  return null;
}

// VM other-config keys that xapi itself writes, overwrites or deletes: a user's value under one
// of them cannot stay as configured.
export const XAPI_OWNED_KEYS: ReadonlyMap<string, string> = new Map([
  ['mac_seed', 'xapi sets it on every VM it installs or clones and derives the MACs from it (xapi_vm_clone.ml `clone`, xapi_globs.ml `mac_seed`)'],
  ['base_template_name', 'xapi records the template a VM was installed from in it (xapi_vm_clone.ml `clone`)'],
  ['default_template', 'xapi keeps it in step with is-default-template and drops it on clone (xapi_vm_helpers.ml `set_is_default_template`)'],
  ['xensource_internal', 'xapi drops it on clone (xapi_vm_clone.ml `clone`)'],
  ['disks', 'xapi provisions the disks it describes at install and then deletes it (xapi_templates.ml `post_install`)'],
  ['postinstall', 'xapi runs it at install and then deletes it (xapi_templates.ml `post_install`)'],
  ['import_task', 'xapi writes the import task into it (import.ml)'],
]);
