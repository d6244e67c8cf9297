// A view of a state object that notes which parts were changed through it, so that the
// store writes only those. A part is named by at most three keys (`vms.<uuid>.power`,
// `host.name`, `nextDomid`), and a list is always written whole (`vms.<uuid>.ops`,
// `domains`). Objects assigned into the state are stored unwrapped: the state itself
// never holds a proxy.
export type RecordKey = string[];

const DEPTH = 3;

export interface Tracked<T> {
  proxy: T;
  changes(): RecordKey[]; // no key is the prefix of another
}

const targets = new WeakMap<object, object>();

// The object behind a tracked view, for reading without the cost of the proxy. Changes
// made to it are not noted.
export function rawOf<T extends object>(o: T): T {
  return (targets.get(o) as T | undefined) ?? o;
}

// The entries of `collection` whose object passes `test`, which sees them without the
// view (a scan that touches every entry stays cheap); returned through the view, so that
// changes made to them are noted.
export function where<T extends object>(collection: Record<string, T>, test: (raw: T) => boolean): T[] {
  const scanned = rawOf(collection);
  const found: T[] = [];
  for (const id in scanned) if (test(scanned[id])) found.push(collection[id]);
  return found;
}

// `onChange` is told the key of each change once it is made (lookup.ts keeps its indexes with it).
export function trackChanges<T extends object>(root: T, onChange?: (key: RecordKey) => void): Tracked<T> {
  const changed = new Map<string, RecordKey>();
  const proxies = new WeakMap<object, object>();

  const note = (path: string[], k: string | symbol) => {
    if (typeof k === 'symbol') return;
    const key: string[] = [];
    let at: unknown = root;
    for (const part of [...path, k]) {
      if (key.length === DEPTH || Array.isArray(at)) break;
      key.push(part);
      at = typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[part] : undefined;
    }
    changed.set(key.join('\0'), key);
    onChange?.(key);
  };

  const unwrap = (v: unknown): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    const target = targets.get(v);
    if (target) return target;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) v[i] = unwrap(v[i]);
    } else {
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o)) o[k] = unwrap(o[k]);
    }
    return v;
  };

  const paths = new WeakMap<object, string[]>(); // where each wrapped object sits, at most DEPTH keys
  const handler: ProxyHandler<Record<string | symbol, unknown>> = {
    get(t, k) {
      const v = t[k];
      return typeof v === 'object' && v !== null && typeof k === 'string' ? wrap(v, t, k) : v;
    },
    set(t, k, v) {
      const raw = unwrap(v);
      const changes = t[k] !== raw || !(k in t);
      t[k] = raw;
      if (changes) note(paths.get(t)!, k);
      return true;
    },
    deleteProperty(t, k) {
      const had = k in t;
      const done = delete t[k];
      if (had) note(paths.get(t)!, k);
      return done;
    },
    defineProperty(t, k, d) {
      const done = Reflect.defineProperty(t, k, d);
      note(paths.get(t)!, k);
      return done;
    },
  };

  function wrap(o: object, parent: object | null, k: string): object {
    let p = proxies.get(o);
    if (p) return p;
    const above = parent ? paths.get(parent)! : [];
    paths.set(o, parent === null ? [] : above.length < DEPTH ? [...above, k] : above);
    p = new Proxy(o as Record<string | symbol, unknown>, handler);
    proxies.set(o, p);
    targets.set(p, o);
    return p;
  }

  const changes = (): RecordKey[] => {
    const keys = [...changed.values()];
    const names = new Set(changed.keys());
    return keys.filter((k) => !k.some((_, i) => i > 0 && names.has(k.slice(0, i).join('\0'))));
  };

  return { proxy: wrap(root, null, '') as T, changes };
}
