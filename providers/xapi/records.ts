// Parser for the record tables xe prints (`*-list`, `*-param-list`; xapi-spec §2.4):
// "key ( RO): value" lines, the first key left-justified and the others
// right-justified, records separated by blank lines.

export type XeRecord = Record<string, string>;

const FIELD = /^\s*(\S+) \((?: RO| RW|SRO|SRW|MRO|MRW)\)(?: \[DEPRECATED\])?\s*: ?(.*)$/;

export function parseRecords(stdout: string): XeRecord[] {
  const records: XeRecord[] = [];
  let current: XeRecord | null = null;
  let lastKey: string | null = null;
  for (const line of stdout.split('\n')) {
    const m = FIELD.exec(line);
    if (m) {
      if (!current) {
        current = {};
        records.push(current);
      }
      current[m[1]] = m[2];
      lastKey = m[1];
    } else if (line.trim() === '') {
      current = null;
      lastKey = null;
    } else if (current && lastKey) {
      // a value that itself contains a newline
      current[lastKey] += `\n${line}`;
    }
  }
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
