// The CLI records of each class (records.ml): field names in definition order, their
// RO/RW/set/map kind, how values print, and how the writable ones are set. This module holds
// the field shape and value formatting; the tables are in vm-record.ts, device-records.ts and
// host-records.ts.
import type { Faults } from '../faults.js';
import type { Map, SimState } from '../state.js';

export type Value = string | string[] | Map;
export type Kind = 'RO' | 'RW' | 'SRO' | 'SRW' | 'MRO' | 'MRW';

export interface Ctx {
  st: SimState;
  faults: Faults;
}

export interface Field<T> {
  name: string;
  kind: Kind;
  deprecated?: boolean;
  hidden?: boolean; // gettable by param-get, never listed
  expensive?: boolean; // `<expensive field>` in *-list
  tagsStyle?: boolean; // a set printed with ", "
  get(o: T, c: Ctx): Value;
  set?(o: T, v: string, c: Ctx): void; // RW scalars
  map?(o: T): Map; // MRW: the stored map, changed in place
  checkKey?(o: T, key: string, value: string, c: Ctx): void;
  guard?(o: T, c: Ctx): void; // MRW: checked before each key is added or removed (an operation of its own)
  members?(o: T): string[]; // SRW: the stored set
}

export const NOT_IN_DB = '<not in database>';

export function fmtDate(ms: number | null): string {
  const d = new Date(ms ?? 0);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}Z`;
}

export function renderValue(f: Field<unknown>, v: Value): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.join(f.tagsStyle ? ', ' : '; ');
  return Object.entries(v)
    .map(([k, x]) => `${k}: ${x}`)
    .join('; ');
}

export function suffix(f: Field<unknown>): string {
  return ` (${f.kind.length === 2 ? ' ' + f.kind : f.kind})${f.deprecated ? ' [DEPRECATED]' : ''}`;
}

// Prepends a key, as xapi's add_to_map does (the newest key prints first).
export function prependKey(m: Map, key: string, value: string): Map {
  const out: Map = { [key]: value };
  for (const [k, v] of Object.entries(m)) if (k !== key) out[k] = v;
  return out;
}

function replaceMap(target: Map, next: Map): void {
  for (const k of Object.keys(target)) delete target[k];
  Object.assign(target, next);
}

export function setMapKey(m: Map, key: string, value: string): void {
  replaceMap(m, prependKey(m, key, value));
}

export const b = (x: boolean) => (x ? 'true' : 'false');
export const ref = (uuid: string | null | undefined, table: Record<string, unknown>) => (uuid ? (uuid in table ? uuid : '<invalid reference>') : NOT_IN_DB);
