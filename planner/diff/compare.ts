// Desired attributes against actual ones -> the changed attributes, each with its effect,
// and the order in which a `set` step must apply them.
import { bootFieldsChanged, type DiskAttributes, type NetworkAttributes, type VmAttributes } from '../model/vm.js';
import { type SetChange } from '../model/ops.js';
import type { AttributeChange } from '../plan/types.js';
import { changedDiskRule, isIgnored, ruleFor } from './effects.js';

export type Comparable = Omit<VmAttributes, 'power_state'>;

const SCALARS = ['name', 'description'] as const;
const MEMORY = ['static_min', 'dynamic_min', 'dynamic_max', 'static_max'] as const;

function change(path: string, before: unknown, after: unknown): AttributeChange {
  const rule = ruleFor(path);
  return { path, before, after, effect: rule.effect, reason: rule.reason };
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean => {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
};

const sameDisk = (a: DiskAttributes, b: DiskAttributes): boolean => a.size === b.size && a.sr === b.sr && a.bootable === b.bootable;
const sameNetwork = (a: NetworkAttributes, b: NetworkAttributes): boolean =>
  a.network === b.network && (a.mac === undefined || b.mac === undefined || a.mac.toLowerCase() === b.mac.toLowerCase());

// `template` is compared only when both sides know it (an imported VM has template "").
export function diffAttributes(desired: Comparable, actual: Comparable, ignore: readonly string[]): AttributeChange[] {
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
  for (const k of MEMORY) {
    if (desired.memory[k] !== actual.memory[k]) push(change(`memory.${k}`, actual.memory[k], desired.memory[k]));
  }
  if (desired.vcpus_max !== actual.vcpus_max) push(change('vcpus_max', actual.vcpus_max, desired.vcpus_max));
  if (desired.vcpus !== actual.vcpus) push(change('vcpus', actual.vcpus, desired.vcpus));
  for (const k of bootFieldsChanged(desired.boot, actual.boot)) push(change(`boot.${k}`, actual.boot[k], desired.boot[k]));
  const actualDisks = new Map(actual.disks.map((d) => [d.name, d]));
  const desiredDisks = new Map(desired.disks.map((d) => [d.name, d]));
  for (const d of actual.disks) if (!desiredDisks.has(d.name)) push(change(`disks.${d.name}`, d, null));
  for (const d of desired.disks) {
    const a = actualDisks.get(d.name);
    if (!a) push(change(`disks.${d.name}`, null, d));
    else if (!sameDisk(d, a) && !isIgnored(`disks.${d.name}`, ignore)) {
      const rule = changedDiskRule();
      out.push({ path: `disks.${d.name}`, before: a, after: d, effect: rule.effect, reason: rule.reason });
    }
  }
  const actualNets = new Map(actual.networks.map((n) => [n.name, n]));
  const desiredNets = new Map(desired.networks.map((n) => [n.name, n]));
  for (const n of actual.networks) {
    const d = desiredNets.get(n.name);
    if (!d || !sameNetwork(d, n)) push(change(`networks.${n.name}`, n, d ?? null));
  }
  for (const n of desired.networks) if (!actualNets.has(n.name)) push(change(`networks.${n.name}`, null, n));
  return out;
}

// Memory must satisfy static_min <= dynamic_min <= dynamic_max <= static_max after every single
// assignment, and vcpus <= vcpus_max likewise: lower values bottom-up first, then raise them
// top-down (so to grow, static_max goes before dynamic_max; to shrink, the opposite).
function chainOrder<T extends string>(chain: readonly T[], before: Record<T, number>, after: Record<T, number>): T[] {
  const lowered = chain.filter((k) => after[k] < before[k]);
  const raised = chain.filter((k) => after[k] > before[k]).reverse();
  return [...lowered, ...raised];
}

const PRIORITY = (path: string): number => {
  if (path === 'boot.mode') return 3;
  if (path.startsWith('memory.') || path === 'vcpus' || path === 'vcpus_max') return 2;
  if (path.startsWith('boot.')) return 4;
  return 1;
};

// The `set` assignments for the attribute changes that are set (not devices, not replacement),
// in an order the toolstack accepts.
export function setChanges(changes: readonly AttributeChange[]): SetChange[] {
  if (changes.length === 0) return [];
  const settable = changes.filter((c) => !c.path.startsWith('disks.') && !c.path.startsWith('networks.') && c.effect !== 'forces_replace');
  const byPath = new Map(settable.map((c) => [c.path, c]));
  const ordered: AttributeChange[] = [];
  const memBefore = {} as Record<(typeof MEMORY)[number], number>;
  const memAfter = {} as Record<(typeof MEMORY)[number], number>;
  for (const k of MEMORY) {
    const c = byPath.get(`memory.${k}`);
    memBefore[k] = c ? (c.before as number) : 0;
    memAfter[k] = c ? (c.after as number) : 0;
  }
  const memOrder = chainOrder(MEMORY, memBefore, memAfter).map((k) => `memory.${k}`);
  const cpuChain = ['vcpus', 'vcpus_max'] as const;
  const cpuBefore = { vcpus: 0, vcpus_max: 0 };
  const cpuAfter = { vcpus: 0, vcpus_max: 0 };
  for (const k of cpuChain) {
    const c = byPath.get(k);
    if (c) {
      cpuBefore[k] = c.before as number;
      cpuAfter[k] = c.after as number;
    }
  }
  const cpuOrder = chainOrder(cpuChain, cpuBefore, cpuAfter);
  const rank = new Map<string, number>();
  [...memOrder, ...cpuOrder].forEach((p, i) => rank.set(p, i));
  ordered.push(...settable);
  ordered.sort((a, b) => PRIORITY(a.path) - PRIORITY(b.path) || (rank.get(a.path) ?? 0) - (rank.get(b.path) ?? 0));
  return ordered.map((c) => ({ path: c.path, value: c.after }));
}
