// cli_printer.ml: records as padded `key: value` lines, --minimal lists (spec §2.4).
import { renderValue, suffix, type Ctx, type Field } from './record-format.js';

// One record; every record is followed by two blank lines.
export function printRecord(pairs: [string, string][]): string {
  if (pairs.length === 0) return '\n\n';
  const maxlen = 4 + Math.max(...pairs.map(([k]) => k.length));
  const lines = pairs.map(([k, v], i) => (i === 0 ? k.padEnd(maxlen) : k.padStart(maxlen)) + ': ' + v);
  return lines.join('\n') + '\n\n\n';
}

export function escapeMinimal(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/,/g, '\\,');
}

// `params=` selects fields but keeps the record's order; unknown names are ignored.
export function selectFields<T>(fields: Field<T>[], params: string[] | 'all'): Field<T>[] {
  const visible = fields.filter((f) => !f.hidden);
  if (params === 'all') return visible;
  const want = new Set(params);
  return visible.filter((f) => want.has(f.name));
}

export function recordPairs<T>(o: T, fields: Field<T>[], c: Ctx, list: boolean): [string, string][] {
  return fields.map((f) => [f.name + suffix(f as Field<unknown>), list && f.expensive ? '<expensive field>' : renderValue(f as Field<unknown>, f.get(o, c))]);
}

// A *-list: records, or with --minimal the first field of each record joined by commas.
export function printList<T>(rows: T[], fields: Field<T>[], c: Ctx, minimal: boolean): string {
  if (minimal) {
    const first = fields[0];
    if (!first) return '\n';
    // cli_operations.ml `make_param_funs` list: expensive fields are replaced before printing, --minimal too
    return rows.map((o) => escapeMinimal(first.expensive ? '<expensive field>' : renderValue(first as Field<unknown>, first.get(o, c)))).join(',') + '\n';
  }
  return rows.map((o) => printRecord(recordPairs(o, fields, c, true))).join('');
}
