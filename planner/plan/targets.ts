// --target and --replace: which addresses they name, and the VMs a targeted plan covers (the
// targets, plus their dependencies, or when destroying, their dependants).
import type { Config } from '../config/types.js';
import type { State } from '../model/state.js';
import { addressMatches, parseAddress, parsePattern, type Address, type AddressPattern } from '../model/address.js';
import { suggest } from '../../lang/didyoumean.js';

export interface Selection {
  addresses: string[]; // every address of the configuration and the state
  replace: Address[];
  selected: Set<string> | null; // null: no --target, every VM is in scope
  matches: (patterns: readonly AddressPattern[], address: string) => boolean;
  problems: { summary: string; detail: string; address?: string }[]; // bad or unknown addresses
}

const uniq = <T>(xs: T[]): T[] => [...new Set(xs)];

export function selectTargets(config: Config, state: State | null, options: { targets: string[]; replace: string[]; destroy: boolean }): Selection {
  const problems: Selection['problems'] = [];
  const targetPatterns: AddressPattern[] = [];
  for (const t of options.targets) {
    const a = parsePattern(t);
    if (!a) problems.push({ summary: 'Invalid target address', detail: `--target ${t}: not a resource address (expected for example vm.web or vm.web[0])` });
    else targetPatterns.push(a);
  }
  const replace: Address[] = [];
  for (const t of options.replace) {
    const a = parseAddress(t);
    if (!a) problems.push({ summary: 'Invalid replace address', detail: `--replace ${t}: not a resource address (expected for example vm.web[0])` });
    else replace.push(a);
  }
  const addresses = uniq([...config.vms.map((v) => v.address), ...(state?.resources ?? []).map((r) => r.address)]);
  const parsed = new Map<string, Address | null>(); // parsed when first matched: a plan with no --target matches none
  const matches = (patterns: readonly AddressPattern[], address: string): boolean => {
    if (patterns.length === 0) return false;
    let a = parsed.get(address);
    if (a === undefined) parsed.set(address, (a = parseAddress(address)));
    return a !== null && patterns.some((p) => addressMatches(p, a!));
  };
  const out: Selection = { addresses, replace, selected: null, matches, problems };
  if (problems.length > 0) return out;
  // An address that names nothing is a typo, not a request for "No changes".
  const unknownAddress = (flag: string, given: string, p: AddressPattern): void => {
    if (addresses.some((a) => matches([p], a))) return;
    const close = suggest(given, addresses);
    problems.push({
      summary: `No such resource for ${flag}`,
      detail: `${flag} ${given}: no VM with this address is in the configuration or the state.${close ? ` Did you mean ${close}?` : ''}`,
      address: given,
    });
  };
  targetPatterns.forEach((p, i) => unknownAddress('--target', options.targets[i], p));
  replace.forEach((p, i) => unknownAddress('--replace', options.replace[i], p));
  if (problems.length > 0 || targetPatterns.length === 0) return out;
  const vms = new Map(config.vms.map((v) => [v.address, v]));
  const selected = new Set(addresses.filter((a) => matches(targetPatterns, a)));
  const dependants = new Map<string, string[]>();
  for (const v of config.vms) {
    for (const d of v.depends_on) {
      const list = dependants.get(d);
      if (list) list.push(v.address);
      else dependants.set(d, [v.address]);
    }
  }
  const queue = [...selected];
  while (queue.length > 0) {
    const a = queue.pop()!;
    const next = options.destroy ? (dependants.get(a) ?? []) : (vms.get(a)?.depends_on ?? []);
    for (const n of next) if (!selected.has(n)) (selected.add(n), queue.push(n));
  }
  out.selected = selected;
  return out;
}

// The hosts a plan needs to read: with --target, only those of the VMs in scope (where the
// configuration puts them and where the state recorded them); null: every host.
export function hostsToRead(config: Config, state: State | null, selection: Selection): Set<string> | null {
  const { selected } = selection;
  if (selected === null || selection.problems.length > 0) return null;
  const hosts = new Set<string>();
  for (const v of config.vms) if (selected.has(v.address)) hosts.add(v.host);
  for (const r of state?.resources ?? []) if (selected.has(r.address)) hosts.add(r.host);
  return hosts;
}
