// Resource addresses (`vm.web`, `vm.web[0]`, `vm.site["a"]`): one parser, one printer.
// Nothing else builds or splits address strings by hand.

export type InstanceKey = number | string | null;

export interface Address {
  type: string; // "vm" or "host"
  name: string;
  key: InstanceKey; // count index, for_each key, or null for a single instance
}

export function formatAddress(a: Address): string {
  const base = `${a.type}.${a.name}`;
  if (a.key === null) return base;
  if (typeof a.key === 'number') return `${base}[${a.key}]`;
  return `${base}[${JSON.stringify(a.key)}]`;
}

const IDENT = /^[\p{L}_][\p{L}\p{N}_-]*$/u;

// Returns null when `text` is not an address.
export function parseAddress(text: string): Address | null {
  const dot = text.indexOf('.');
  if (dot <= 0) return null;
  const type = text.slice(0, dot);
  const rest = text.slice(dot + 1);
  const bracket = rest.indexOf('[');
  const name = bracket === -1 ? rest : rest.slice(0, bracket);
  if (!IDENT.test(type) || !IDENT.test(name)) return null;
  if (bracket === -1) return { type, name, key: null };
  if (!rest.endsWith(']')) return null;
  const inner = rest.slice(bracket + 1, -1);
  if (/^(0|[1-9][0-9]*)$/.test(inner)) return { type, name, key: Number(inner) };
  if (inner.startsWith('"')) {
    try {
      const key: unknown = JSON.parse(inner);
      if (typeof key === 'string') return { type, name, key };
    } catch {
      return null;
    }
  }
  return null;
}

// `vm.web` matches every instance of vm.web; `vm.web[0]` only itself.
export function addressMatches(pattern: Address, candidate: Address): boolean {
  if (pattern.type !== candidate.type || pattern.name !== candidate.name) return false;
  return pattern.key === null || pattern.key === candidate.key;
}
