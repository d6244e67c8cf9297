// Type conversion and unification as Terraform does them (go-cty `convert`).
import {
  DYNAMIC,
  STRING,
  type Type,
  type Value,
  formatNumber,
  isUnknownValue,
  listOf,
  mapOf,
  nullOf,
  num,
  setOf,
  sortedMap,
  str,
  bool,
  set,
  typeEquals,
  typeName,
  unknownOf,
  isPrimitive,
} from './value.js';

export type ConvertResult = { ok: true; value: Value } | { ok: false; error: string };

class ConversionError {
  constructor(
    readonly path: string[],
    readonly message: string,
  ) {}
}

// Converts `v` to `want`; the error says what was wrong and where inside the value.
export function convert(v: Value, want: Type): ConvertResult {
  try {
    return { ok: true, value: conv(v, want, []) };
  } catch (e) {
    if (e instanceof ConversionError) {
      return { ok: false, error: e.path.length ? `${e.path.join(', ')}: ${e.message}` : e.message };
    }
    throw e;
  }
}

const DECIMAL = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

export function parseDecimal(s: string): number | null {
  return DECIMAL.test(s) ? Number(s) : null;
}

function conv(v: Value, want: Type, path: string[]): Value {
  if (want.kind === 'dynamic') return v;
  if (isUnknownValue(v)) return unknownOf(want);
  if (v.raw === null) return nullOf(want);
  const have = v.type;
  switch (want.kind) {
    case 'string':
      if (have.kind === 'string') return v;
      if (have.kind === 'number') return str(formatNumber(v.raw as number));
      if (have.kind === 'bool') return str(v.raw ? 'true' : 'false');
      throw new ConversionError(path, 'string required');
    case 'number':
      if (have.kind === 'number') return v;
      if (have.kind === 'string') {
        const n = parseDecimal((v.raw as string).trim() === v.raw ? (v.raw as string) : '');
        if (n === null) {
          throw new ConversionError(
            path,
            `cannot convert ${JSON.stringify(v.raw)} to number; given string must be a decimal representation of a number`,
          );
        }
        return num(n);
      }
      throw new ConversionError(path, 'a number is required');
    case 'bool':
      if (have.kind === 'bool') return v;
      if (have.kind === 'string') {
        if (v.raw === 'true') return bool(true);
        if (v.raw === 'false') return bool(false);
        throw new ConversionError(
          path,
          `cannot convert ${JSON.stringify(v.raw)} to bool; only the strings "true" or "false" are allowed`,
        );
      }
      throw new ConversionError(path, 'a bool is required');
    case 'list':
    case 'set': {
      if (have.kind !== 'list' && have.kind !== 'set' && have.kind !== 'tuple') {
        throw new ConversionError(path, `${typeName(want)} required`);
      }
      const elems = v.raw as Value[];
      let elemType = want.elem;
      if (elemType.kind === 'dynamic' || containsDynamic(elemType)) {
        const unified = unifyValues(elems, elemType);
        if (unified === null) throw new ConversionError(path, `all ${want.kind} elements must have the same type`);
        elemType = unified;
      }
      const out = elems.map((e, i) => conv(e, elemType, [...path, `element ${i}`]));
      if (want.kind === 'set') return set(out, elemType);
      return { type: listOf(elemType), raw: out };
    }
    case 'map': {
      if (have.kind !== 'map' && have.kind !== 'object') throw new ConversionError(path, `${typeName(want)} required`);
      const m = v.raw as Map<string, Value>;
      let elemType = want.elem;
      if (elemType.kind === 'dynamic' || containsDynamic(elemType)) {
        const unified = unifyValues([...m.values()], elemType);
        if (unified === null) throw new ConversionError(path, 'all map elements must have the same type');
        elemType = unified;
      }
      const out = new Map<string, Value>();
      for (const [k, e] of m) out.set(k, conv(e, elemType, [...path, `element ${JSON.stringify(k)}`]));
      return { type: mapOf(elemType), raw: out };
    }
    case 'object': {
      if (have.kind !== 'map' && have.kind !== 'object') throw new ConversionError(path, 'object required');
      const m = v.raw as Map<string, Value>;
      const out = new Map<string, Value>();
      const types: Record<string, Type> = Object.create(null);
      for (const name of Object.keys(want.attrs).sort()) {
        const attrType = want.attrs[name];
        const given = m.get(name);
        const optional = want.optional && name in want.optional;
        let value: Value;
        if (given === undefined || (given.raw === null && optional)) {
          if (!optional) throw new ConversionError(path, `attribute ${JSON.stringify(name)} is required`);
          const dflt = want.optional![name];
          value = dflt ? conv(dflt, attrType, [...path, `attribute ${JSON.stringify(name)}`]) : nullOf(attrType);
        } else {
          value = conv(given, attrType, [...path, `attribute ${JSON.stringify(name)}`]);
        }
        out.set(name, value);
        types[name] = attrType.kind === 'dynamic' ? value.type : attrType;
      }
      return { type: { kind: 'object', attrs: types }, raw: out };
    }
    case 'tuple': {
      if (have.kind !== 'tuple' && have.kind !== 'list') throw new ConversionError(path, 'tuple required');
      const elems = v.raw as Value[];
      if (elems.length !== want.elems.length) {
        throw new ConversionError(path, `tuple required with exactly ${want.elems.length} elements`);
      }
      const out = elems.map((e, i) => conv(e, want.elems[i], [...path, `element ${i}`]));
      return { type: { kind: 'tuple', elems: out.map((e, i) => (want.elems[i].kind === 'dynamic' ? e.type : want.elems[i])) }, raw: out };
    }
    default:
      throw new ConversionError(path, `${typeName(want)} required`);
  }
}

function containsDynamic(t: Type): boolean {
  switch (t.kind) {
    case 'dynamic':
      return true;
    case 'list':
    case 'set':
    case 'map':
      return containsDynamic(t.elem);
    case 'object':
      return Object.values(t.attrs).some(containsDynamic);
    case 'tuple':
      return t.elems.some(containsDynamic);
    default:
      return false;
  }
}

// The common type of some values, ignoring untyped nulls and unknowns; null when there is none.
export function unifyValues(values: Value[], hint: Type = DYNAMIC): Type | null {
  const types: Type[] = [];
  for (const v of values) {
    if (v.type.kind === 'dynamic' && (v.raw === null || isUnknownValue(v))) continue;
    types.push(v.type);
  }
  if (types.length === 0) return hint;
  const u = unify(types);
  if (u === null) return null;
  return hint.kind === 'dynamic' ? u : mergeHint(hint, u);
}

function mergeHint(hint: Type, actual: Type): Type {
  if (hint.kind === 'dynamic') return actual;
  if ((hint.kind === 'list' || hint.kind === 'set' || hint.kind === 'map') && 'elem' in actual) {
    return { kind: hint.kind, elem: mergeHint(hint.elem, actual.elem) };
  }
  return hint;
}

// Terraform's type unification: the one type every given type converts to.
export function unify(types: Type[]): Type | null {
  if (types.length === 0) return DYNAMIC;
  const first = types[0];
  if (types.every((t) => typeEquals(t, first))) return first;
  if (types.some((t) => t.kind === 'dynamic')) return DYNAMIC;
  if (types.every(isPrimitive)) {
    if (types.some((t) => t.kind === 'string')) return STRING;
    return null; // number and bool have no common type
  }
  const kinds = new Set(types.map((t) => t.kind));
  if (kinds.size === 1 && (first.kind === 'list' || first.kind === 'set' || first.kind === 'map')) {
    const e = unify(types.map((t) => (t as { elem: Type }).elem));
    return e === null ? null : { kind: first.kind, elem: e };
  }
  if ([...kinds].every((k) => k === 'object' || k === 'map')) {
    if (kinds.size === 1) {
      const keys = Object.keys((first as { attrs: Record<string, Type> }).attrs).sort().join('\u0000');
      const same = types.every((t) => Object.keys((t as { attrs: Record<string, Type> }).attrs).sort().join('\u0000') === keys);
      if (same) {
        const attrs: Record<string, Type> = Object.create(null);
        for (const k of Object.keys((first as { attrs: Record<string, Type> }).attrs)) {
          const u = unify(types.map((t) => (t as { attrs: Record<string, Type> }).attrs[k]));
          if (u === null) return null;
          attrs[k] = u;
        }
        return { kind: 'object', attrs };
      }
    }
    const all: Type[] = [];
    for (const t of types) {
      if (t.kind === 'object') all.push(...Object.values(t.attrs));
      else all.push((t as { elem: Type }).elem);
    }
    const e = all.length ? unify(all) : DYNAMIC;
    return e === null ? null : mapOf(e);
  }
  if ([...kinds].every((k) => k === 'tuple' || k === 'list' || k === 'set')) {
    if (kinds.size === 1 && first.kind === 'tuple') {
      const n = first.elems.length;
      if (types.every((t) => (t as { elems: Type[] }).elems.length === n)) {
        const elems: Type[] = [];
        for (let i = 0; i < n; i++) {
          const u = unify(types.map((t) => (t as { elems: Type[] }).elems[i]));
          if (u === null) return null;
          elems.push(u);
        }
        return { kind: 'tuple', elems };
      }
    }
    const all: Type[] = [];
    for (const t of types) {
      if (t.kind === 'tuple') all.push(...t.elems);
      else all.push((t as { elem: Type }).elem);
    }
    const e = all.length ? unify(all) : DYNAMIC;
    if (e === null) return null;
    return kinds.has('set') && !kinds.has('list') && !kinds.has('tuple') ? setOf(e) : listOf(e);
  }
  return null;
}

// Converts every value to their unified type (for conditionals and collection literals).
export function unifyAll(values: Value[]): { type: Type; values: Value[] } | null {
  const t = unifyValues(values);
  if (t === null) return null;
  const out: Value[] = [];
  for (const v of values) {
    const r = convert(v, t);
    if (!r.ok) return null;
    out.push(r.value);
  }
  return { type: t, values: out };
}

export { sortedMap };
