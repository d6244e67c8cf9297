// One step of a traversal: an attribute of an object or map (`.name`), an element of a
// collection (`[key]`), with Terraform's errors; unknown in, unknown out.
import { type Diagnostic, errorAt } from '../diagnostics.js';
import { didYouMean } from '../didyoumean.js';
import type { Range } from '../syntax/ast.js';
import { convert } from './convert.js';
import { DYNAMIC, NUMBER, STRING, type Value, elements, entries, isUnknownValue, typeName, unknownOf } from './value.js';

export function getAttr(v: Value, name: string, range: Range, diags: Diagnostic[]): Value {
  if (isUnknownValue(v)) {
    if (v.type.kind === 'object' && name in v.type.attrs) return unknownOf(v.type.attrs[name]);
    if (v.type.kind === 'map') return unknownOf(v.type.elem);
    return unknownOf(DYNAMIC);
  }
  if (v.raw === null) {
    diags.push(errorAt('Attempt to get attribute from null value', 'This value is null, so it does not have any attributes.', range));
    return unknownOf(DYNAMIC);
  }
  if (v.type.kind === 'object') {
    const found = entries(v).get(name);
    if (found) return found;
    diags.push(
      errorAt('Unsupported attribute', `This object does not have an attribute named "${name}".${didYouMean(name, entries(v).keys())}`, range),
    );
    return unknownOf(DYNAMIC);
  }
  if (v.type.kind === 'map') {
    const found = entries(v).get(name);
    if (found) return found;
    diags.push(errorAt('Missing map element', `This map does not have an element with the key "${name}".`, range));
    return unknownOf(DYNAMIC);
  }
  if (v.type.kind === 'list' || v.type.kind === 'tuple' || v.type.kind === 'set') {
    diags.push(
      errorAt(
        'Unsupported attribute',
        `Can't access attributes on a ${typeName(v.type)}. Did you mean to access an attribute for a specific element of the list, or across all elements of the list?`,
        range,
      ),
    );
    return unknownOf(DYNAMIC);
  }
  diags.push(errorAt('Unsupported attribute', `Can't access attributes on a primitive-typed value (${typeName(v.type)}).`, range));
  return unknownOf(DYNAMIC);
}

export function index(coll: Value, key: Value, keyRange: Range, range: Range, diags: Diagnostic[]): Value {
  if (isUnknownValue(key)) return unknownOf(DYNAMIC);
  if (isUnknownValue(coll)) {
    if (coll.type.kind === 'list' || coll.type.kind === 'map') return unknownOf(coll.type.elem);
    return unknownOf(DYNAMIC);
  }
  if (coll.raw === null) {
    diags.push(errorAt('Attempt to index null value', 'This value is null, so it does not have any indices.', range));
    return unknownOf(DYNAMIC);
  }
  if (key.raw === null) {
    diags.push(errorAt('Invalid index', 'Can\'t use a null value as an indexing key.', keyRange, range));
    return unknownOf(DYNAMIC);
  }
  const k = coll.type.kind;
  if (k === 'list' || k === 'tuple') {
    const n = convert(key, NUMBER);
    if (!n.ok || !Number.isInteger(n.value.raw)) {
      diags.push(errorAt('Invalid index', 'The given key does not identify an element in this collection value: a number is required.', keyRange, range));
      return unknownOf(DYNAMIC);
    }
    const i = n.value.raw as number;
    const elems = elements(coll);
    if (i < 0) {
      diags.push(
        errorAt('Invalid index', 'The given key does not identify an element in this collection value: a negative number is not a valid index for a sequence.', keyRange, range),
      );
      return unknownOf(DYNAMIC);
    }
    if (i >= elems.length) {
      diags.push(
        errorAt(
          'Invalid index',
          'The given key does not identify an element in this collection value: the given index is greater than or equal to the length of the collection.',
          keyRange,
          range,
        ),
      );
      return unknownOf(DYNAMIC);
    }
    return elems[i];
  }
  if (k === 'map' || k === 'object') {
    const s = convert(key, STRING);
    if (!s.ok) {
      diags.push(errorAt('Invalid index', 'The given key does not identify an element in this collection value: string required.', keyRange, range));
      return unknownOf(DYNAMIC);
    }
    const found = entries(coll).get(s.value.raw as string);
    if (found) return found;
    diags.push(errorAt('Invalid index', 'The given key does not identify an element in this collection value.', keyRange, range));
    return unknownOf(DYNAMIC);
  }
  if (k === 'set') {
    diags.push(
      errorAt(
        'Invalid index',
        "Elements of a set are identified only by their value and don't have any separate index or key to select with, so it's only possible to perform operations across all elements of the set.",
        keyRange,
        range,
      ),
    );
    return unknownOf(DYNAMIC);
  }
  diags.push(errorAt('Invalid index', 'This value does not have any indices.', keyRange, range));
  return unknownOf(DYNAMIC);
}
