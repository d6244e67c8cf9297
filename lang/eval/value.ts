// The value model of the configuration language, after go-cty: every value has a type,
// may be null (typed) or unknown (known only after apply).

export type Type =
  | { kind: 'string' }
  | { kind: 'number' }
  | { kind: 'bool' }
  | { kind: 'dynamic' } // `any`: the type is decided by the value
  | { kind: 'list'; elem: Type }
  | { kind: 'set'; elem: Type }
  | { kind: 'map'; elem: Type }
  | { kind: 'object'; attrs: Record<string, Type>; optional?: Record<string, Value | null> }
  | { kind: 'tuple'; elems: Type[] };

export const STRING: Type = { kind: 'string' };
export const NUMBER: Type = { kind: 'number' };
export const BOOL: Type = { kind: 'bool' };
export const DYNAMIC: Type = { kind: 'dynamic' };
export const listOf = (elem: Type): Type => ({ kind: 'list', elem });
export const setOf = (elem: Type): Type => ({ kind: 'set', elem });
export const mapOf = (elem: Type): Type => ({ kind: 'map', elem });
export const tupleOf = (elems: Type[]): Type => ({ kind: 'tuple', elems });
export const objectOf = (attrs: Record<string, Type>): Type => ({ kind: 'object', attrs });

const UNKNOWN_RAW: unique symbol = Symbol('unknown');
type Raw = string | number | boolean | null | Value[] | Map<string, Value> | typeof UNKNOWN_RAW;

// `raw` by type: string/number/bool; list/set/tuple: Value[]; map/object: Map with keys in lexical order.
export interface Value {
  readonly type: Type;
  readonly raw: Raw;
}

export const isKnown = (v: Value): boolean => v.raw !== UNKNOWN_RAW;
export const isUnknownValue = (v: Value): boolean => v.raw === UNKNOWN_RAW;
export const isNull = (v: Value): boolean => v.raw === null;

export const unknownOf = (type: Type): Value => ({ type, raw: UNKNOWN_RAW });
export const nullOf = (type: Type): Value => ({ type, raw: null });
export const DYNAMIC_UNKNOWN = unknownOf(DYNAMIC);
export const NULL = nullOf(DYNAMIC);
export const TRUE: Value = { type: BOOL, raw: true };
export const FALSE: Value = { type: BOOL, raw: false };

export const str = (s: string): Value => ({ type: STRING, raw: s });
export const num = (n: number): Value => ({ type: NUMBER, raw: n });
export const bool = (b: boolean): Value => (b ? TRUE : FALSE);

export function tuple(elems: Value[]): Value {
  return { type: tupleOf(elems.map((e) => e.type)), raw: elems };
}

export function list(elems: Value[], elem?: Type): Value {
  return { type: listOf(elem ?? (elems.length ? elems[0].type : DYNAMIC)), raw: elems };
}

export function sortedMap(entries: Iterable<[string, Value]>): Map<string, Value> {
  const arr = [...entries];
  arr.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return new Map(arr);
}

export function object(attrs: Map<string, Value> | Record<string, Value>): Value {
  const m = sortedMap(attrs instanceof Map ? attrs : Object.entries(attrs));
  const types: Record<string, Type> = Object.create(null);
  for (const [k, v] of m) types[k] = v.type;
  return { type: objectOf(types), raw: m };
}

export function map(entries: Map<string, Value> | Record<string, Value>, elem?: Type): Value {
  const m = sortedMap(entries instanceof Map ? entries : Object.entries(entries));
  const first = m.values().next();
  return { type: mapOf(elem ?? (first.done ? DYNAMIC : first.value.type)), raw: m };
}

// A set keeps one of each equal element, in a stable order: strings and numbers sorted.
export function set(elems: Value[], elem?: Type): Value {
  const seen = new Map<string, Value>();
  for (const e of elems) {
    const k = setKey(e);
    if (!seen.has(k)) seen.set(k, e);
  }
  const out = [...seen.values()];
  out.sort(compareForSet);
  return { type: setOf(elem ?? (out.length ? out[0].type : DYNAMIC)), raw: out };
}

function compareForSet(a: Value, b: Value): number {
  if (typeof a.raw === 'number' && typeof b.raw === 'number') return a.raw - b.raw;
  if (typeof a.raw === 'string' && typeof b.raw === 'string') return a.raw < b.raw ? -1 : a.raw > b.raw ? 1 : 0;
  const ka = setKey(a);
  const kb = setKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function setKey(v: Value): string {
  return typeName(v.type) + ':' + JSON.stringify(rawKey(v));
}

function rawKey(v: Value): unknown {
  if (v.raw === UNKNOWN_RAW) return '\u0000unknown';
  if (Array.isArray(v.raw)) return v.raw.map(rawKey);
  if (v.raw instanceof Map) return [...v.raw].map(([k, e]) => [k, rawKey(e)]);
  return v.raw;
}

// Accessors that assume the caller checked known-ness and type.
export const asString = (v: Value): string => v.raw as string;
export const asNumber = (v: Value): number => v.raw as number;
export const asBool = (v: Value): boolean => v.raw as boolean;
export const elements = (v: Value): Value[] => v.raw as Value[];
export const entries = (v: Value): Map<string, Value> => v.raw as Map<string, Value>;

export const isPrimitive = (t: Type): boolean => t.kind === 'string' || t.kind === 'number' || t.kind === 'bool';
export const isSequence = (t: Type): boolean => t.kind === 'list' || t.kind === 'set' || t.kind === 'tuple';
export const isMapping = (t: Type): boolean => t.kind === 'map' || t.kind === 'object';

// Terraform's way of writing a type in messages: `list of string`, `object`, `tuple`.
export function typeName(t: Type): string {
  switch (t.kind) {
    case 'string':
    case 'number':
    case 'bool':
      return t.kind;
    case 'dynamic':
      return 'dynamic';
    case 'list':
    case 'set':
    case 'map':
      return `${t.kind} of ${typeName(t.elem)}`;
    case 'object':
      return 'object';
    case 'tuple':
      return 'tuple';
    default:
      return assertNever(t);
  }
}

// The type as one writes it in a type constraint: `list(string)`, `object({a=number})`.
export function typeString(t: Type): string {
  switch (t.kind) {
    case 'string':
    case 'number':
    case 'bool':
      return t.kind;
    case 'dynamic':
      return 'any';
    case 'list':
    case 'set':
    case 'map':
      return `${t.kind}(${typeString(t.elem)})`;
    case 'object':
      return `object({${Object.keys(t.attrs)
        .sort()
        .map((k) => `${k}=${typeString(t.attrs[k])}`)
        .join(', ')}})`;
    case 'tuple':
      return `tuple([${t.elems.map(typeString).join(', ')}])`;
    default:
      return assertNever(t);
  }
}

export function typeEquals(a: Type, b: Type): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'list':
    case 'set':
    case 'map':
      return typeEquals(a.elem, (b as { elem: Type }).elem);
    case 'tuple': {
      const be = (b as { elems: Type[] }).elems;
      return a.elems.length === be.length && a.elems.every((t, i) => typeEquals(t, be[i]));
    }
    case 'object': {
      const ba = (b as { attrs: Record<string, Type> }).attrs;
      const ka = Object.keys(a.attrs);
      if (ka.length !== Object.keys(ba).length) return false;
      return ka.every((k) => k in ba && typeEquals(a.attrs[k], ba[k]));
    }
    default:
      return true;
  }
}

// How deeply a value nests (a primitive is 1), counted no further than `limit` + 1: a chain of
// locals each wrapping the last ([local.a], [local.b], ...) nests deeper than any one
// expression may, and every recursive operation on it would overflow the stack.
const depths = new WeakMap<Value, number>();
export function valueDepth(v: Value, limit: number): number {
  const known = depths.get(v);
  if (known !== undefined) return known;
  if (limit <= 0) return 1;
  let inner = 0;
  const children = Array.isArray(v.raw) ? v.raw : v.raw instanceof Map ? v.raw.values() : [];
  for (const c of children) {
    inner = Math.max(inner, valueDepth(c, limit - 1));
    if (inner >= limit) return limit + 1;
  }
  depths.set(v, inner + 1);
  return inner + 1;
}

// Whether the value is wholly known (no unknown anywhere inside).
export function isWhollyKnown(v: Value): boolean {
  if (v.raw === UNKNOWN_RAW) return false;
  if (Array.isArray(v.raw)) return v.raw.every(isWhollyKnown);
  if (v.raw instanceof Map) {
    for (const e of v.raw.values()) if (!isWhollyKnown(e)) return false;
  }
  return true;
}

// cty equality: values of different types are never equal; null equals only null.
// Returns null when the answer depends on an unknown value.
export function valueEquals(a: Value, b: Value): boolean | null {
  if (a.raw === UNKNOWN_RAW || b.raw === UNKNOWN_RAW) return null;
  if (a.raw === null || b.raw === null) return a.raw === null && b.raw === null;
  if (a.type.kind === 'dynamic' || b.type.kind === 'dynamic') return false;
  if (!typeEquals(a.type, b.type)) return false;
  if (Array.isArray(a.raw)) {
    const bl = b.raw as Value[];
    if (a.raw.length !== bl.length) return false;
    let unknown = false;
    for (let i = 0; i < bl.length; i++) {
      const e = valueEquals(a.raw[i], bl[i]);
      if (e === false) return false;
      if (e === null) unknown = true;
    }
    return unknown ? null : true;
  }
  if (a.raw instanceof Map) {
    const bm = b.raw as Map<string, Value>;
    if (a.raw.size !== bm.size) return false;
    let unknown = false;
    for (const [k, av] of a.raw) {
      const bv = bm.get(k);
      if (!bv) return false;
      const e = valueEquals(av, bv);
      if (e === false) return false;
      if (e === null) unknown = true;
    }
    return unknown ? null : true;
  }
  return a.raw === b.raw;
}

// Numbers print as Terraform prints them: integers in full, fractions without binary noise.
export function formatNumber(n: number): string {
  if (Number.isInteger(n)) {
    return Math.abs(n) < 1e21 ? String(n) : BigInt(n).toString();
  }
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : n < 0 ? '-Infinity' : 'NaN';
  const rounded = Number.parseFloat(n.toPrecision(15));
  const s = String(rounded);
  if (!s.includes('e')) return s;
  // Expand exponent notation of small fractions: 1e-7 -> 0.0000001
  return rounded.toFixed(Math.min(100, Math.max(0, -Math.floor(Math.log10(Math.abs(rounded))) + 15))).replace(/\.?0+$/, '');
}

// The JSON-compatible form of a value for the planner, state and outputs.
export function toJs(v: Value, unknownMarker: unknown): unknown {
  if (v.raw === UNKNOWN_RAW) return unknownMarker;
  if (v.raw === null) return null;
  if (Array.isArray(v.raw)) return v.raw.map((e) => toJs(e, unknownMarker));
  if (v.raw instanceof Map) {
    const o: Record<string, unknown> = {};
    for (const [k, e] of v.raw) setOwn(o, k, toJs(e, unknownMarker));
    return o;
  }
  return v.raw;
}

// A value from JSON-compatible data: arrays become tuples and objects objects, as jsondecode does.
export function fromJs(x: unknown): Value {
  if (x === null || x === undefined) return NULL;
  if (typeof x === 'string') return str(x);
  if (typeof x === 'number') return num(x);
  if (typeof x === 'boolean') return bool(x);
  if (Array.isArray(x)) return tuple(x.map(fromJs));
  if (typeof x === 'object') {
    const m = new Map<string, Value>();
    for (const [k, e] of Object.entries(x as Record<string, unknown>)) m.set(k, fromJs(e));
    return object(m);
  }
  return NULL;
}

// Sets a key even when it is "__proto__", which plain assignment would not.
export function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

export function assertNever(x: never): never {
  throw new Error(`unexpected ${JSON.stringify(x)}`);
}
