// Collection functions over lists, sets, tuples, maps and objects.
import { convert, unifyValues } from '../eval/convert.js';
import {
  BOOL,
  DYNAMIC,
  NULL,
  NUMBER,
  STRING,
  type Type,
  type Value,
  asNumber,
  asString,
  bool,
  isUnknownValue,
  isWhollyKnown,
  list,
  listOf,
  map,
  mapOf,
  num,
  object,
  set,
  str,
  tuple,
  unknownOf,
  valueEquals,
} from '../eval/value.js';
import { FnError, MAX_ELEMENTS, type FnTable } from './spec.js';
import { graphemes } from './string.js';

const isSeq = (v: Value) => v.type.kind === 'list' || v.type.kind === 'set' || v.type.kind === 'tuple';
const isMap = (v: Value) => v.type.kind === 'map' || v.type.kind === 'object';

function seq(v: Value, arg: number, what = 'a list, set, or tuple'): Value[] {
  if (!isSeq(v)) throw new FnError(`must be ${what}`, arg);
  return v.raw as Value[];
}

function mapping(v: Value, arg: number): Map<string, Value> {
  if (!isMap(v)) throw new FnError('must be a map or object', arg);
  return v.raw as Map<string, Value>;
}

// A sequence result shaped like its input: lists stay lists, tuples tuples.
function like(input: Value, elems: Value[]): Value {
  if (input.type.kind === 'tuple') return tuple(elems);
  const elem = 'elem' in input.type ? input.type.elem : DYNAMIC;
  return list(elems, elem.kind === 'dynamic' ? undefined : elem);
}

// A list of values that may have different types: unified to one element type when possible.
export function listOfValues(elems: Value[]): Value {
  const t = unifyValues(elems);
  if (t === null) return tuple(elems);
  const conv = elems.map((e) => {
    const r = convert(e, t);
    return r.ok ? r.value : e;
  });
  return list(conv, t);
}

function indexOf(elems: Value[], v: Value): number | null {
  let unknown = false;
  for (let i = 0; i < elems.length; i++) {
    let target = v;
    if (elems[i].type.kind !== v.type.kind && elems[i].raw !== null && v.raw !== null) {
      const r = convert(v, elems[i].type);
      if (!r.ok) continue;
      target = r.value;
    }
    const eq = valueEquals(elems[i], target);
    if (eq === true) return i;
    if (eq === null) unknown = true;
  }
  return unknown ? null : -1;
}

function flattenInto(v: Value, out: Value[]): boolean {
  for (const e of v.raw as Value[]) {
    if (isUnknownValue(e)) return false;
    if (isSeq(e) && e.raw !== null) {
      if (!flattenInto(e, out)) return false;
    } else out.push(e);
  }
  return true;
}

function asSet(v: Value, arg: number): Value {
  const r = convert(v, { kind: 'set', elem: DYNAMIC });
  if (!r.ok) throw new FnError(`must be a set: ${r.error}`, arg);
  return r.value;
}

function setResult(elems: Value[], args: Value[]): Value {
  const t = unifyValues(args.flatMap((a) => a.raw as Value[]));
  return set(elems, t ?? DYNAMIC);
}

export const collectionFunctions: FnTable = {
  alltrue: {
    params: [{ name: 'list', type: listOf(BOOL) }],
    returns: BOOL,
    impl: ([l]) => bool((l.raw as Value[]).every((e) => e.raw === true)),
  },
  anytrue: {
    params: [{ name: 'list', type: listOf(BOOL) }],
    returns: BOOL,
    impl: ([l]) => bool((l.raw as Value[]).some((e) => e.raw === true)),
  },
  chunklist: {
    params: [
      { name: 'list', type: { kind: 'list', elem: DYNAMIC }, allowUnknownElements: true },
      { name: 'size', type: NUMBER },
    ],
    impl: ([l, n]) => {
      const size = asNumber(n);
      if (size < 0) throw new FnError('the size argument must be positive', 1);
      const elems = l.raw as Value[];
      if (size === 0) return list([l]);
      const out: Value[] = [];
      for (let i = 0; i < elems.length; i += size) out.push({ type: l.type, raw: elems.slice(i, i + size) });
      return list(out, l.type);
    },
  },
  coalesce: {
    params: [],
    variadic: { name: 'vals', type: DYNAMIC, allowNull: true },
    impl: (args) => {
      const t = unifyValues(args);
      if (t === null) throw new FnError('all arguments must have the same type');
      for (const a of args) {
        if (a.raw === null || (a.type.kind === 'string' && a.raw === '')) continue;
        const r = convert(a, t);
        return r.ok ? r.value : a;
      }
      throw new FnError('no non-null, non-empty-string arguments');
    },
  },
  coalescelist: {
    params: [],
    variadic: { name: 'vals', type: DYNAMIC, allowUnknownElements: true },
    impl: (args) => {
      args.forEach((a, i) => seq(a, i, 'a list or tuple'));
      for (const a of args) if ((a.raw as Value[]).length > 0) return a;
      throw new FnError('no non-null arguments');
    },
  },
  compact: {
    params: [{ name: 'list', type: listOf(STRING) }],
    returns: listOf(STRING),
    impl: ([l]) => list((l.raw as Value[]).filter((e) => e.raw !== null && e.raw !== ''), STRING),
  },
  concat: {
    params: [],
    variadic: { name: 'seqs', type: DYNAMIC, allowUnknownElements: true },
    impl: (args) => {
      const out: Value[] = [];
      args.forEach((a, i) => {
        for (const e of seq(a, i, 'a list, set, or tuple')) out.push(e);
      });
      if (args.every((a) => a.type.kind === 'list' || a.type.kind === 'set')) return listOfValues(out);
      return tuple(out);
    },
  },
  contains: {
    params: [
      { name: 'list', type: DYNAMIC, allowUnknownElements: true },
      { name: 'value', type: DYNAMIC, allowNull: true, allowUnknownElements: true },
    ],
    returns: BOOL,
    impl: ([l, v]) => {
      const i = indexOf(seq(l, 0), v);
      return i === null ? unknownOf(BOOL) : bool(i >= 0);
    },
  },
  distinct: {
    params: [{ name: 'list', type: { kind: 'list', elem: DYNAMIC } }],
    impl: ([l]) => {
      const out: Value[] = [];
      for (const e of l.raw as Value[]) if (indexOf(out, e) === -1) out.push(e);
      return { type: l.type, raw: out };
    },
  },
  element: {
    params: [
      { name: 'list', type: DYNAMIC, allowUnknownElements: true },
      { name: 'index', type: NUMBER, allowUnknownElements: true },
    ],
    impl: ([l, i]) => {
      const elems = seq(l, 0, 'a list or tuple');
      const n = Math.trunc(asNumber(i));
      if (elems.length === 0) throw new FnError('cannot use element function with an empty list', 0);
      if (n < 0) throw new FnError('cannot use element function with a negative index', 1);
      return elems[n % elems.length];
    },
  },
  flatten: {
    params: [{ name: 'list', type: DYNAMIC, allowUnknownElements: true }],
    impl: ([l]) => {
      seq(l, 0);
      const out: Value[] = [];
      if (!flattenInto(l, out)) return unknownOf(DYNAMIC);
      return l.type.kind === 'tuple' ? tuple(out) : listOfValues(out);
    },
  },
  index: {
    params: [
      { name: 'list', type: DYNAMIC },
      { name: 'value', type: DYNAMIC },
    ],
    returns: NUMBER,
    impl: ([l, v]) => {
      const i = indexOf(seq(l, 0, 'a list or tuple'), v);
      if (i === null) return unknownOf(NUMBER);
      if (i < 0) throw new FnError('item not found');
      return num(i);
    },
  },
  keys: {
    params: [{ name: 'inputMap', type: DYNAMIC, allowUnknownElements: true }],
    impl: ([m]) => {
      const keys = [...mapping(m, 0).keys()].map(str);
      return m.type.kind === 'object' ? tuple(keys) : list(keys, STRING);
    },
  },
  length: {
    params: [{ name: 'value', type: DYNAMIC, allowUnknownElements: true }],
    returns: NUMBER,
    impl: ([v]) => {
      if (v.type.kind === 'string') return num(graphemes(v.raw as string).length);
      if (isSeq(v)) return num((v.raw as Value[]).length);
      if (isMap(v)) return num((v.raw as Map<string, Value>).size);
      throw new FnError('argument must be a string, a collection type, or a structural type', 0);
    },
  },
  lookup: {
    params: [
      { name: 'inputMap', type: DYNAMIC, allowUnknownElements: true },
      { name: 'key', type: STRING, allowUnknownElements: true },
    ],
    variadic: { name: 'default', type: DYNAMIC, allowNull: true, allowUnknownElements: true },
    impl: ([m, k, ...rest]) => {
      if (rest.length > 1) throw new FnError('lookup() takes two or three arguments', 3);
      const found = mapping(m, 0).get(asString(k));
      if (found) return found;
      if (rest.length === 1) {
        if (m.type.kind === 'map' && m.type.elem.kind !== 'dynamic' && rest[0].raw !== null) {
          const r = convert(rest[0], m.type.elem);
          if (r.ok) return r.value;
        }
        return rest[0];
      }
      throw new FnError(`lookup failed to find key ${JSON.stringify(asString(k))}`, 1);
    },
  },
  matchkeys: {
    params: [
      { name: 'values', type: { kind: 'list', elem: DYNAMIC } },
      { name: 'keys', type: { kind: 'list', elem: DYNAMIC } },
      { name: 'searchset', type: { kind: 'list', elem: DYNAMIC } },
    ],
    impl: ([vals, keys, search]) => {
      const v = vals.raw as Value[];
      const k = keys.raw as Value[];
      if (v.length !== k.length) throw new FnError('length of keys and values should be equal');
      const out: Value[] = [];
      for (let i = 0; i < k.length; i++) {
        const found = indexOf(search.raw as Value[], k[i]);
        if (found === null) return unknownOf(vals.type);
        if (found >= 0) out.push(v[i]);
      }
      return { type: vals.type, raw: out };
    },
  },
  merge: {
    params: [],
    variadic: { name: 'maps', type: DYNAMIC, allowNull: true, allowUnknownElements: true },
    impl: (args) => {
      const out = new Map<string, Value>();
      let allMaps = true;
      args.forEach((a, i) => {
        if (a.raw === null) return;
        for (const [k, v] of mapping(a, i)) out.set(k, v);
        if (a.type.kind !== 'map') allMaps = false;
      });
      if (allMaps) {
        const t = unifyValues([...out.values()]);
        if (t !== null) {
          const conv = new Map([...out].map(([k, v]) => [k, (convert(v, t) as { ok: true; value: Value }).value ?? v]));
          return map(conv, t);
        }
      }
      return object(out);
    },
  },
  one: {
    params: [{ name: 'list', type: DYNAMIC, allowUnknownElements: true }],
    impl: ([l]) => {
      const elems = seq(l, 0);
      if (elems.length === 0) return 'elem' in l.type ? { type: l.type.elem, raw: null } : NULL;
      if (elems.length === 1) return elems[0];
      throw new FnError('must be a list, set, or tuple value with either zero or one elements', 0);
    },
  },
  range: {
    params: [],
    variadic: { name: 'params', type: NUMBER },
    returns: listOf(NUMBER),
    impl: (args) => {
      const ns = args.map(asNumber);
      let start = 0;
      let limit: number;
      let step: number;
      if (ns.length === 1) [limit] = ns;
      else if (ns.length === 2 || ns.length === 3) [start, limit] = ns;
      else throw new FnError('must have one, two, or three arguments');
      if (ns.length === 3) step = ns[2];
      else step = start > limit ? -1 : 1;
      if (step === 0) throw new FnError('step must not be zero', 2);
      if ((step < 0 && start < limit) || (step > 0 && start > limit)) {
        throw new FnError(step < 0 ? 'step must be positive when start is less than limit' : 'step must be negative when start is greater than limit', 2);
      }
      const out: Value[] = [];
      for (let x = start; step > 0 ? x < limit : x > limit; x += step) {
        if (out.length >= 1024) {
          throw new FnError('more than 1024 values were generated; either decrease the difference between start and end or use a smaller step');
        }
        out.push(num(x));
      }
      return list(out, NUMBER);
    },
  },
  reverse: {
    params: [{ name: 'list', type: DYNAMIC, allowUnknownElements: true }],
    impl: ([l]) => {
      const elems = [...seq(l, 0)].reverse();
      return l.type.kind === 'set' ? list(elems, l.type.elem) : like(l, elems);
    },
  },
  setintersection: {
    params: [{ name: 'first_set', type: DYNAMIC }],
    variadic: { name: 'other_sets', type: DYNAMIC },
    impl: (args) => {
      const sets = args.map(asSet);
      const out = (sets[0].raw as Value[]).filter((e) => sets.slice(1).every((s) => indexOf(s.raw as Value[], e) !== -1));
      return setResult(out, sets);
    },
  },
  setsubtract: {
    params: [
      { name: 'a', type: DYNAMIC },
      { name: 'b', type: DYNAMIC },
    ],
    impl: (args) => {
      const [a, b] = args.map(asSet);
      return setResult((a.raw as Value[]).filter((e) => indexOf(b.raw as Value[], e) === -1), [a, b]);
    },
  },
  setunion: {
    params: [{ name: 'first_set', type: DYNAMIC }],
    variadic: { name: 'other_sets', type: DYNAMIC },
    impl: (args) => {
      const sets = args.map(asSet);
      return setResult(
        sets.flatMap((s) => s.raw as Value[]),
        sets,
      );
    },
  },
  setproduct: {
    params: [],
    variadic: { name: 'sets', type: DYNAMIC },
    impl: (args) => {
      if (args.length < 2) throw new FnError('at least two arguments are required');
      const seqs = args.map((a, i) => seq(a, i, 'a list or set'));
      const size = seqs.reduce((n, s) => n * s.length, 1);
      if (size > MAX_ELEMENTS) throw new FnError(`the product would have ${size} elements, more than the limit of ${MAX_ELEMENTS}`);
      let rows: Value[][] = [[]];
      for (const s of seqs) {
        const next: Value[][] = [];
        for (const r of rows) for (const e of s) next.push([...r, e]);
        rows = next;
      }
      const elems = rows.map((r) => listOfValues(r));
      if (args.every((a) => a.type.kind === 'set')) return set(elems);
      return list(elems);
    },
  },
  slice: {
    params: [
      { name: 'list', type: DYNAMIC, allowUnknownElements: true },
      { name: 'start_index', type: NUMBER, allowUnknownElements: true },
      { name: 'end_index', type: NUMBER, allowUnknownElements: true },
    ],
    impl: ([l, s, e]) => {
      const elems = seq(l, 0, 'a list or tuple');
      const a = asNumber(s);
      const b = asNumber(e);
      if (a < 0) throw new FnError('start index must not be less than zero', 1);
      if (b > elems.length) throw new FnError('end index must not be greater than the length of the list', 2);
      if (a > b) throw new FnError('start index must not be greater than end index', 1);
      return like(l, elems.slice(a, b));
    },
  },
  sort: {
    params: [{ name: 'list', type: listOf(STRING) }],
    returns: listOf(STRING),
    impl: ([l]) => {
      const elems = l.raw as Value[];
      if (elems.some((e) => e.raw === null)) throw new FnError('given list element is null; a null string is not allowed', 0);
      const out = [...elems].sort((x, y) => (asString(x) < asString(y) ? -1 : asString(x) > asString(y) ? 1 : 0));
      return list(out, STRING);
    },
  },
  sum: {
    params: [{ name: 'list', type: DYNAMIC }],
    returns: NUMBER,
    impl: ([l]) => {
      const elems = seq(l, 0);
      if (elems.length === 0) throw new FnError('cannot sum an empty list', 0);
      let total = 0;
      elems.forEach((e, i) => {
        const r = convert(e, NUMBER);
        if (!r.ok || r.value.raw === null) throw new FnError(`element ${i}: a number is required`, 0);
        total += r.value.raw as number;
      });
      return num(total);
    },
  },
  transpose: {
    params: [{ name: 'values', type: mapOf(listOf(STRING)) }],
    returns: mapOf(listOf(STRING)),
    impl: ([m]) => {
      const out = new Map<string, Value[]>();
      for (const [k, l] of m.raw as Map<string, Value>) {
        for (const e of l.raw as Value[]) {
          const key = asString(e);
          if (!out.has(key)) out.set(key, []);
          out.get(key)!.push(str(k));
        }
      }
      return map(new Map([...out].map(([k, v]) => [k, list(v, STRING)])), listOf(STRING));
    },
  },
  values: {
    params: [{ name: 'mapping', type: DYNAMIC, allowUnknownElements: true }],
    impl: ([m]) => {
      const vals = [...mapping(m, 0).values()];
      return m.type.kind === 'map' ? list(vals, m.type.elem) : tuple(vals);
    },
  },
  zipmap: {
    params: [
      { name: 'keys', type: listOf(STRING) },
      { name: 'values', type: DYNAMIC, allowUnknownElements: true },
    ],
    impl: ([k, v]) => {
      const keys = k.raw as Value[];
      const vals = seq(v, 1, 'a list or tuple');
      if (keys.length !== vals.length) {
        throw new FnError(`number of keys (${keys.length}) does not match number of values (${vals.length})`);
      }
      const m = new Map<string, Value>();
      keys.forEach((key, i) => m.set(asString(key), vals[i]));
      if (v.type.kind === 'tuple') return object(m);
      return map(m, 'elem' in v.type ? v.type.elem : undefined);
    },
  },
};

export type { Type };
export { isWhollyKnown };
