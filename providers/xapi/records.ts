// Parser for the record tables xe prints (`*-list`, `*-param-list`; xapi-spec §2.4):
// "key ( RO): value" lines, the first key left-justified and the others right-justified,
// every record followed by two blank lines (xen-api v1.249.42
// ocaml/xapi-cli-server/cli_printer.ml `multi_line_record`, `make_printer`).
//
// Values are printed raw: one holding a newline goes on over several lines, and those lines
// may look like fields or like a new record. So the parser is told which fields were asked
// for (`params=`) and which uuids exist (from `--minimal`, whose only separator is an
// escaped comma): a line counts as a field only when it names one of those fields, and a
// table is accepted only when every record has each field exactly once and the records are
// exactly the uuids listed. Anything else is ambiguous (null), and the caller reads the
// values one by one with `*-param-get`, whose output is the value alone.

export type XeRecord = Record<string, string>;

const FIELD = /^\s*(\S+) \((?: RO| RW|SRO|SRW|MRO|MRW)\)(?: \[DEPRECATED\])?\s*: ?/;

export function parseRecords(stdout: string, fields: readonly string[], uuids: readonly string[]): XeRecord[] | null {
  const wanted = new Set(fields);
  const records: XeRecord[] = [];
  const lines = (stdout.endsWith('\n') ? stdout.slice(0, -1) : stdout).split('\n');
  let current: XeRecord | null = null;
  let lastKey: string | null = null;
  for (const line of lines) {
    const m = FIELD.exec(line);
    if (m && wanted.has(m[1])) {
      if (m[1] === 'uuid' || !current) {
        current = {};
        records.push(current);
      }
      if (m[1] in current) return null;
      current[m[1]] = line.slice(m[0].length);
      lastKey = m[1];
    } else if (current && lastKey) {
      current[lastKey] += `\n${line}`;
    } else if (line !== '') {
      return null;
    }
  }
  for (const r of records) {
    const keys = Object.keys(r);
    if (keys.length !== wanted.size) return null;
    // the last field of each record carries the two blank lines that end it
    const last = keys[keys.length - 1];
    if (!r[last].endsWith('\n\n')) return null;
    r[last] = r[last].slice(0, -2);
  }
  const seen = new Set(records.map((r) => r.uuid));
  if (seen.size !== records.length || seen.size !== new Set(uuids).size || uuids.some((u) => !seen.has(u))) return null;
  return records;
}

// "k1: v1; k2: v2"
export function parseMap(value: string | undefined): Record<string, string> {
  const map: Record<string, string> = {};
  if (!value) return map;
  for (const item of value.split('; ')) {
    const at = item.indexOf(': ');
    if (at < 0) {
      if (item.endsWith(':')) map[item.slice(0, -1)] = '';
      continue;
    }
    map[item.slice(0, at)] = item.slice(at + 2);
  }
  return map;
}

// "a; b"
export function parseSet(value: string | undefined): string[] {
  return value ? value.split('; ').filter((v) => v !== '') : [];
}

// tags are the one set printed "a, b"
export function parseTags(value: string | undefined): string[] {
  return value ? value.split(', ').filter((v) => v !== '') : [];
}

// "uuid1,uuid2" of --minimal, with "\," and "\\" escapes.
export function parseMinimal(stdout: string): string[] {
  const line = stdout.replace(/\n$/, '');
  if (line === '') return [];
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && i + 1 < line.length) cur += line[++i];
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

// other-config keys that a role below the one writing xenform's keys may set (xen-api
// v1.249.42 ocaml/idl/datamodel_vm.ml L1438 and datamodel.ml `map_keys_roles`: vm-operator
// may write `folder`, `XenCenter.CustomFields.*`, ...). Maps print unescaped
// (records.ml `get_from_map`: "k: v" joined with "; "), so such a value can hold
// "; xenform-address: …": a xenform key printed after one of them, or twice, is doubtful.
const OPERATOR_KEYS = /^(?:folder|XenCenter\.CustomFields\..*|XenCenterCreateInProgress|XenCenterUUID|XenCenterMeddlingActionTitle|applies_to)$/;

export function doubtfulKeys(value: string | undefined, prefix: string): string[] {
  if (!value) return [];
  const doubtful = new Set<string>();
  const seen = new Set<string>();
  let afterOperatorKey = false;
  for (const item of value.split('; ')) {
    const at = item.indexOf(': ');
    const key = at < 0 ? item.replace(/:$/, '') : item.slice(0, at);
    if (key.startsWith(prefix) && (afterOperatorKey || seen.has(key))) doubtful.add(key);
    seen.add(key);
    if (OPERATOR_KEYS.test(key)) afterOperatorKey = true;
  }
  return [...doubtful];
}

// A record's other-config once its doubtful keys were read one by one (see the provider).
export const CHECKED_OTHER_CONFIG = '\0other-config';

export function otherConfigOf(r: XeRecord | undefined): Record<string, string> {
  if (!r) return {};
  const checked = r[CHECKED_OTHER_CONFIG];
  return checked === undefined ? parseMap(r['other-config']) : (JSON.parse(checked) as Record<string, string>);
}
