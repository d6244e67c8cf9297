// Values that derive from sensitive variables, masked wherever the plan is shown or published
// (text, Markdown, JSON, progress lines). The saved plan keeps them: apply needs them.
import type { Step } from '../model/ops.js';
import type { AttributeChange, Drift, Plan, ResourceChange } from './types.js';
import type { Config } from '../config/types.js';

export const SENSITIVE_VALUE = '(sensitive value)';

// Whether `path` ("other_config.owner") lies under one of `paths` ("other_config").
export function isSensitivePath(paths: readonly string[] | undefined, path: string): boolean {
  return (paths ?? []).some((p) => path === p || path.startsWith(`${p}.`));
}

// A copy of `value` (attributes, or a part of them) with the sensitive paths masked.
export function maskAttributes<T>(value: T, paths: readonly string[] | undefined): T {
  if (!paths || paths.length === 0 || value === null || typeof value !== 'object') return value;
  const out = structuredClone(value) as Record<string, unknown>;
  for (const p of paths) {
    const [head, tail] = p.split('.', 2);
    if (!Object.hasOwn(out, head)) continue;
    if (tail === undefined) out[head] = SENSITIVE_VALUE;
    else if (typeof out[head] === 'object' && out[head] !== null && Object.hasOwn(out[head] as object, tail)) (out[head] as Record<string, unknown>)[tail] = SENSITIVE_VALUE;
  }
  return out as T;
}

const maskChange = (c: AttributeChange): AttributeChange =>
  c.sensitive ? { ...c, before: c.before === null ? null : SENSITIVE_VALUE, after: c.after === null ? null : SENSITIVE_VALUE } : c;

const maskDrift = (d: Drift): Drift => (d.sensitive ? { ...d, before: SENSITIVE_VALUE, after: SENSITIVE_VALUE } : d);

export function maskStep(s: Step): Step {
  const paths = s.sensitive_paths;
  if (!paths || paths.length === 0) return s;
  switch (s.op) {
    case 'create':
      return { ...s, args: { ...s.args, attributes: maskAttributes(s.args.attributes, paths) } };
    case 'set':
      return { ...s, args: { changes: s.args.changes.map((c) => (isSensitivePath(paths, c.path) ? { ...c, value: SENSITIVE_VALUE } : c)) } };
    case 'add_disk':
    case 'remove_disk':
      return isSensitivePath(paths, 'disks') ? { ...s, args: { disk: maskAttributes(s.args.disk, ['size', 'sr', 'device']) } } : s;
    case 'change_disk':
      return isSensitivePath(paths, 'disks') ? { ...s, args: { disk: maskAttributes(s.args.disk, ['size', 'sr', 'device']), from: maskAttributes(s.args.from, ['size', 'sr', 'device']) } } : s;
    case 'add_network':
    case 'remove_network':
      return isSensitivePath(paths, 'networks') ? { ...s, args: { network: maskAttributes(s.args.network, ['network', 'mac']) } } : s;
    case 'destroy':
      return isSensitivePath(paths, 'disks') ? { ...s, args: { disks: s.args.disks.map((d) => maskAttributes(d, ['size', 'sr', 'device'])) } } : s;
    default:
      return s;
  }
}

function maskResource(rc: ResourceChange): ResourceChange {
  const paths = rc.sensitive_paths;
  if (!paths || paths.length === 0) return rc;
  return { ...rc, before: maskAttributes(rc.before, paths), after: maskAttributes(rc.after, paths), changes: rc.changes.map(maskChange) };
}

// The plan as it may be published: every value that derives from a sensitive variable masked.
export function maskPlan(plan: Plan): Plan {
  return {
    ...plan,
    resource_changes: plan.resource_changes.map(maskResource),
    drift: plan.drift.map(maskDrift),
    steps: plan.steps.map(maskStep),
    ...(plan.output_changes ? { output_changes: plan.output_changes.map((o) => (o.sensitive ? { ...o, before: o.before === null ? null : SENSITIVE_VALUE, after: o.after === null ? null : SENSITIVE_VALUE } : o)) } : {}),
  };
}

// The values a log must never show: those of sensitive variables and of the attributes that
// derive from them (strings of three characters or more; a shorter one would mask half a log).
export function secretValues(config: Pick<Config, 'variables' | 'vms'>): string[] {
  const out = new Set<string>();
  const leaves = (v: unknown): void => {
    if (typeof v === 'string') {
      if (v.length >= 3) out.add(v);
    } else if (Array.isArray(v)) v.forEach(leaves);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(leaves);
  };
  for (const v of Object.values(config.variables)) if (v.sensitive) leaves(v.value);
  for (const vm of config.vms) {
    for (const p of vm.sensitive_paths ?? []) {
      const [head, tail] = p.split('.', 2);
      const top = (vm.attributes as unknown as Record<string, unknown>)[head];
      leaves(tail === undefined ? top : (top as Record<string, unknown> | undefined)?.[tail]);
    }
  }
  return [...out];
}
