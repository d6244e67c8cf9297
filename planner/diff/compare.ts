// Desired attributes against actual ones -> the changed attributes, each with its effect,
// and the order in which a `set` step must apply them.
import type { DiskAttributes, NetworkAttributes, VmAttributes } from '../model/vm.js';
import { type SetChange } from '../model/ops.js';
import { type AttributeRule, attributeOf, bootFieldsChanged, chainMembers, isIgnored, MEMORY_FIELDS } from '../model/attributes.js';
import type { AttributeChange } from '../plan/types.js';

export type Comparable = Omit<VmAttributes, 'power_state'>;

const SCALARS = ['name', 'description'] as const;

// A change of `path`, with the effect and reason its catalog entry gives (or `rule`).
export function change(path: string, before: unknown, after: unknown, rule: AttributeRule = attributeOf(path)): AttributeChange {
  return { path, before, after, effect: rule.effect, reason: rule.reason, sensitive: false };
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean => {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
};

// The granularity (bytes) in which an SR, named by its name-label, gives a new disk its size;
// undefined when the host does not say.
export type AllocationUnits = (sr: string) => number | undefined;

// The storage backend rounds a new disk's size up to its SR's allocation unit, so the host's
// disk is the desired one when it is at least as large and less than one unit larger.
function sameSize(desired: number, observed: number, unit: number | undefined): boolean {
  if (unit === undefined || unit <= 0) return desired === observed;
  return observed >= desired && observed - desired < unit;
}

const sameDisk = (desired: DiskAttributes, actual: DiskAttributes, units: AllocationUnits): boolean =>
  desired.sr === actual.sr && desired.bootable === actual.bootable && sameSize(desired.size, actual.size, units(actual.sr)) && !desired.keep_on_destroy === !actual.keep_on_destroy;
const exactUnits: AllocationUnits = () => undefined;
const sameNetwork = (a: NetworkAttributes, b: NetworkAttributes): boolean =>
  a.network === b.network && (a.mac === undefined || b.mac === undefined || a.mac.toLowerCase() === b.mac.toLowerCase());

// `template` is compared only when both sides know it (an imported VM has template "").
// `units` gives the allocation unit of the SRs `actual` is on (sizes compare exactly without it).
export function diffAttributes(desired: Comparable, actual: Comparable, ignore: readonly string[], units: AllocationUnits = exactUnits): AttributeChange[] {
  const out: AttributeChange[] = [];
  if (desired === actual) return out;
  const push = (c: AttributeChange): void => {
    if (!isIgnored(c.path, ignore)) out.push(c);
  };
  if (desired.template !== '' && actual.template !== '' && desired.template !== actual.template) {
    push(change('template', actual.template, desired.template));
  }
  for (const k of SCALARS) if (desired[k] !== actual[k]) push(change(k, actual[k], desired[k]));
  if (!sameSet(desired.tags, actual.tags)) push(change('tags', actual.tags, desired.tags));
  const keys = new Set([...Object.keys(actual.other_config), ...Object.keys(desired.other_config)]);
  for (const k of [...keys].sort()) {
    const before = actual.other_config[k] ?? null;
    const after = desired.other_config[k] ?? null;
    if (before !== after) push(change(`other_config.${k}`, before, after));
  }
  for (const k of MEMORY_FIELDS) {
    if (desired.memory[k] !== actual.memory[k]) push(change(`memory.${k}`, actual.memory[k], desired.memory[k]));
  }
  if (desired.vcpus_max !== actual.vcpus_max) push(change('vcpus_max', actual.vcpus_max, desired.vcpus_max));
  if (desired.vcpus !== actual.vcpus) push(change('vcpus', actual.vcpus, desired.vcpus));
  for (const k of bootFieldsChanged(desired.boot, actual.boot)) push(change(`boot.${k}`, actual.boot[k] ?? false, desired.boot[k] ?? false));
  const actualDisks = new Map(actual.disks.map((d) => [d.name, d]));
  const desiredDisks = new Map(desired.disks.map((d) => [d.name, d]));
  for (const d of actual.disks) if (!desiredDisks.has(d.name)) push(change(`disks.${d.name}`, d, null));
  for (const d of desired.disks) {
    const a = actualDisks.get(d.name);
    if (!a) push(change(`disks.${d.name}`, null, d));
    else if (!sameDisk(d, a, units) && !isIgnored(`disks.${d.name}`, ignore)) {
      const path = `disks.${d.name}`;
      out.push(change(path, a, d, attributeOf(path).whenChanged));
    }
  }
  const actualNets = new Map(actual.networks.map((n) => [n.name, n]));
  const desiredNets = new Map(desired.networks.map((n) => [n.name, n]));
  for (const n of actual.networks) {
    const d = desiredNets.get(n.name);
    if (!d || !sameNetwork(d, n)) push(change(`networks.${n.name}`, n, d ?? null));
  }
  for (const n of desired.networks) if (!actualNets.has(n.name)) push(change(`networks.${n.name}`, null, n));
  if (desired.vtpm !== undefined && desired.vtpm !== (actual.vtpm ?? false)) push(change('vtpm', actual.vtpm ?? false, desired.vtpm));
  if (desired.cdrom !== undefined && desired.cdrom.iso !== actual.cdrom?.iso) push(change('cdrom', actual.cdrom ?? null, desired.cdrom));
  return out;
}

// A chain's invariant (static_min <= dynamic_min <= dynamic_max <= static_max, vcpus <=
// vcpus_max) must hold after every single assignment: lower values bottom-up first, then raise
// them top-down (so to grow, static_max goes before dynamic_max; to shrink, the opposite).
function chainOrder(chain: readonly string[], byPath: ReadonlyMap<string, AttributeChange>): string[] {
  const moved = (c: AttributeChange | undefined): number => (c ? (c.after as number) - (c.before as number) : 0);
  const lowered = chain.filter((p) => moved(byPath.get(p)) < 0);
  const raised = chain.filter((p) => moved(byPath.get(p)) > 0).reverse();
  return [...lowered, ...raised];
}

// The `set` assignments for the attribute changes that are set (not devices, not replacement),
// in an order the toolstack accepts: by the catalog's set rank, chains in invariant order.
export function setChanges(changes: readonly AttributeChange[]): SetChange[] {
  if (changes.length === 0) return [];
  const settable = changes.filter((c) => attributeOf(c.path).setRank !== null && c.effect !== 'forces_replace');
  const byPath = new Map(settable.map((c) => [c.path, c]));
  const rank = new Map<string, number>();
  [...chainOrder(chainMembers('memory'), byPath), ...chainOrder(chainMembers('vcpus'), byPath)].forEach((p, i) => rank.set(p, i));
  const ordered = [...settable].sort(
    (a, b) => attributeOf(a.path).setRank! - attributeOf(b.path).setRank! || (rank.get(a.path) ?? 0) - (rank.get(b.path) ?? 0),
  );
  return ordered.map((c) => (c.effect === 'live' && attributeOf(c.path).effect !== 'live' ? { path: c.path, value: c.after, live: true } : { path: c.path, value: c.after }));
}
