// Objects of a state collection filed under keys (a VBD under its VM, a template under its
// name, a VM with work pending), kept current from every change made through the state's
// tracked view (track.ts), so that a command finds them without scanning the host. Built by
// one scan the first time a state object is looked up in, that is once per read of the file.
import type { SimState } from './state.js';
import { rawOf, type RecordKey } from './track.js';

type Collection = 'vms' | 'vdis' | 'vbds' | 'vifs';

interface Def {
  collection: Collection;
  keys: (raw: any) => string[];
}

interface Filed {
  byKey: Map<string, Set<string>>; // key -> ids
  keysOf: Map<string, string[]>; // id -> its keys
  // id -> its place in the collection's own order (insertion order: uuids are not
  // integer-like), so that results come in the order a scan would give them
  order: Map<string, number>;
  next: number;
}

const built = new WeakMap<object, Map<Def, Filed>>();

function file(filed: Filed, id: string, keys: string[] | null): void {
  if (keys === null) filed.order.delete(id);
  else if (!filed.order.has(id)) filed.order.set(id, filed.next++);
  keys ??= [];
  const before = filed.keysOf.get(id) ?? [];
  if (before.length === keys.length && before.every((k, i) => k === keys[i])) return;
  for (const k of before) filed.byKey.get(k)?.delete(id);
  if (keys.length === 0) filed.keysOf.delete(id);
  else filed.keysOf.set(id, keys);
  for (const k of keys) {
    let ids = filed.byKey.get(k);
    if (!ids) filed.byKey.set(k, (ids = new Set()));
    ids.add(id);
  }
}

function filedFor(root: SimState, def: Def): Filed {
  let indexes = built.get(root);
  if (!indexes) built.set(root, (indexes = new Map()));
  let filed = indexes.get(def);
  if (!filed) {
    filed = { byKey: new Map(), keysOf: new Map(), order: new Map(), next: 0 };
    const all = root[def.collection] as Record<string, unknown>;
    for (const id in all) file(filed, id, def.keys(all[id]));
    indexes.set(def, filed);
  }
  return filed;
}

// A lookup of `collection` by the keys `keys` gives each raw entry; its results are returned
// through the view `st` is, so that changes made to them are noted.
export function lookup<T>(collection: Collection, keys: (raw: T) => string[]): (st: SimState, key: string) => T[] {
  const def: Def = { collection, keys };
  return (st, key) => {
    const root = rawOf(st);
    const ids = filedFor(root, def).byKey.get(key);
    if (!ids) return [];
    const view = st[collection] as Record<string, T>;
    const order = filedFor(root, def).order;
    const sorted = ids.size > 1 ? [...ids].sort((a, b) => order.get(a)! - order.get(b)!) : [...ids];
    return sorted.map((id) => view[id]);
  };
}

// Called by the tracked view after each change (track.ts), with the key of what changed.
export function noteChange(root: object, key: RecordKey): void {
  const indexes = built.get(root);
  if (!indexes) return;
  for (const [def, filed] of indexes) {
    if (def.collection !== key[0]) continue;
    if (key.length === 1) {
      indexes.delete(def); // the whole collection was replaced: filed again on next use
      continue;
    }
    const raw = (root as Record<string, Record<string, unknown>>)[def.collection][key[1]];
    file(filed, key[1], raw === undefined ? null : def.keys(raw));
  }
}
