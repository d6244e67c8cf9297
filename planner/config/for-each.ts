// The instances a `for_each` argument asks for (a map, or a set of strings): the keys and
// `each.value`s, or the error that says why the value cannot be used. Shared by `vm` and
// `import` blocks.
import { convert } from '../../lang/eval/convert.js';
import { STRING, type Value, isWhollyKnown, typeName } from '../../lang/eval/value.js';

export type ForEach = { keys: string[]; values: Value[] } | { error: string };

export function forEachInstances(v: Value): ForEach {
  if (!isWhollyKnown(v)) return { error: 'The "for_each" value depends on values known only after apply, such as the uuid of a VM yet to be created, so xenform cannot tell which instances to plan.' };
  if (v.raw === null) return { error: 'The given "for_each" argument value is null. A map, or set of strings, is allowed.' };
  const k = v.type.kind;
  if (k === 'map' || k === 'object') {
    const m = v.raw as Map<string, Value>;
    return { keys: [...m.keys()], values: [...m.values()] };
  }
  if (k === 'set') {
    const elems = v.raw as Value[];
    const c = convert(v, { kind: 'set', elem: STRING });
    if (!c.ok || elems.some((e) => e.raw === null)) return { error: 'The given "for_each" argument value is unsuitable: a set must contain only non-null strings.' };
    const strs = c.value.raw as Value[];
    return { keys: strs.map((e) => e.raw as string), values: strs };
  }
  return {
    error: `The given "for_each" argument value is unsuitable: the "for_each" argument must be a map, or set of strings, and you have provided a value of type ${typeName(v.type)}. Use toset(...) to convert a list of strings.`,
  };
}
