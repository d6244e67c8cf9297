// Resource addresses (`vm.web`, `vm.web[0]`, `vm.site["a"]`, `module.web[0].vm.app["a"]`):
// one parser, one printer. Nothing else builds or splits address strings by hand.

export type InstanceKey = number | string | null;

// One step down the module tree: `module.web[0]` is { name: 'web', key: 0 }.
export interface ModuleStep {
  name: string;
  key: InstanceKey; // count index, for_each key, or null for a single instance
}

export interface Address {
  module?: readonly ModuleStep[]; // absent or empty: the root module
  type: string; // "vm" or "host"
  name: string;
  key: InstanceKey; // count index, for_each key, or null for a single instance
}

// A module on its own (`module.web`, `module.web[0].module.db`): a pattern for everything under it.
export interface ModuleAddress {
  module: readonly ModuleStep[]; // at least one step
}

export type AddressPattern = Address | ModuleAddress;

const isResource = (a: AddressPattern): a is Address => 'type' in a;

const formatKey = (key: InstanceKey): string => (key === null ? '' : typeof key === 'number' ? `[${key}]` : `[${JSON.stringify(key)}]`);

export function formatAddress(a: AddressPattern): string {
  const parts = (a.module ?? []).map((m) => `module.${m.name}${formatKey(m.key)}`);
  if (isResource(a)) parts.push(`${a.type}.${a.name}${formatKey(a.key)}`);
  return parts.join('.');
}

interface Part {
  name: string;
  key: InstanceKey;
}

const NAME_START = /[\p{L}_]/u;
const NAME_CHAR = /[\p{L}\p{N}_-]/u;
const INDEX = /^(0|[1-9][0-9]*)$/;

// `module.web[0].vm.app["a"]` -> module, web[0], vm, app["a"]; null when malformed.
function scanParts(text: string): Part[] | null {
  const parts: Part[] = [];
  let i = 0;
  for (;;) {
    const start = i;
    if (i >= text.length || !NAME_START.test(text[i])) return null;
    while (i < text.length && NAME_CHAR.test(text[i])) i++;
    const name = text.slice(start, i);
    let key: InstanceKey = null;
    if (text[i] === '[') {
      const close = text[i + 1] === '"' ? stringEnd(text, i + 1) + 1 : text.indexOf(']', i);
      if (close <= 0 || text[close] !== ']') return null;
      const inner = text.slice(i + 1, close);
      if (INDEX.test(inner)) key = Number(inner);
      else if (inner.startsWith('"')) {
        try {
          key = JSON.parse(inner) as string;
        } catch {
          return null;
        }
      } else return null;
      i = close + 1;
    }
    parts.push({ name, key });
    if (i === text.length) return parts;
    if (text[i] !== '.') return null;
    i++;
  }
}

// The index of the quote that closes the string opening at `open`, or -1.
function stringEnd(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

// A resource address or a module address; null when `text` is neither.
export function parsePattern(text: string): AddressPattern | null {
  const parts = scanParts(text);
  if (!parts) return null;
  const module: ModuleStep[] = [];
  let i = 0;
  while (i + 1 < parts.length && parts[i].name === 'module' && parts[i].key === null) {
    module.push(parts[i + 1]);
    i += 2;
  }
  const rest = parts.length - i;
  if (rest === 0) return { module };
  if (rest !== 2 || parts[i].key !== null || parts[i].name === 'module') return null;
  const resource = { type: parts[i].name, name: parts[i + 1].name, key: parts[i + 1].key };
  return module.length > 0 ? { module, ...resource } : resource;
}

// A resource address; null when `text` is not one (a module on its own is not).
export function parseAddress(text: string): Address | null {
  const a = parsePattern(text);
  return a && isResource(a) ? a : null;
}

const keyMatches = (pattern: InstanceKey, key: InstanceKey): boolean => pattern === null || pattern === key;

// `vm.web` matches every instance of vm.web, `vm.web[0]` only itself; `module.web` matches
// everything in every instance of module.web, `module.web[0]` everything in that instance.
export function addressMatches(pattern: AddressPattern, candidate: Address): boolean {
  const pm = pattern.module ?? [];
  const cm = candidate.module ?? [];
  if (isResource(pattern) ? pm.length !== cm.length : pm.length > cm.length) return false;
  for (let i = 0; i < pm.length; i++) if (pm[i].name !== cm[i].name || !keyMatches(pm[i].key, cm[i].key)) return false;
  if (!isResource(pattern)) return true;
  return pattern.type === candidate.type && pattern.name === candidate.name && keyMatches(pattern.key, candidate.key);
}
