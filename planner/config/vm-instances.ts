// The instances of a vm block (one, count or for_each), the VMs each depends on, and
// the warning for two VMs of the same name on one host.
import type { Diagnostic } from '../../lang/diagnostics.js';
import type { Block, Range } from '../../lang/syntax/ast.js';
import { suggest } from '../../lang/didyoumean.js';
import { blockHeader } from '../../lang/body.js';
import { convert } from '../../lang/eval/convert.js';
import type { Evaluator, RootResolver } from '../../lang/eval/expressions.js';
import type { Reference } from '../../lang/eval/references.js';
import { NUMBER, STRING, type Value, isWhollyKnown, str, typeName } from '../../lang/eval/value.js';
import { formatAddress, type InstanceKey, type ModuleStep } from '../model/address.js';
import type { BodyContent } from '../../lang/body.js';
import type { Declarations } from './declarations.js';
import { decodeVm, type VmBlock } from './schema.js';
import type { InstanceScope, VmResult } from './scope.js';
import { type HostConfig, type VmConfig, isUnknown } from './types.js';

// The most instances one vm block may have: far beyond any pool, and few enough that a
// mistyped count is refused before the planner builds them all.
export const MAX_INSTANCES = 100_000;

// The instance keys of a block with count or for_each (a vm or a module call), with each.value
// per key; null after an error.
export interface Instances {
  mode: VmResult['mode'];
  keys: InstanceKey[];
  eachValues: Value[];
}

export function evaluateVm(
  vm: VmBlock,
  name: string,
  makeResolver: (i?: InstanceScope) => RootResolver,
  newEvaluator: (r: RootResolver) => Evaluator,
  hosts: Map<string, HostConfig>,
  hostNames: Set<string>,
  diags: Diagnostic[],
  module: readonly ModuleStep[] = [],
): VmResult {
  const failed: VmResult = { mode: 'single', keys: [null], instances: [null] };
  const found = evaluateInstances(vm.top, `vm "${name}"`, () => newEvaluator(makeResolver()), diags);
  if (!found) return failed;
  const { mode, keys, eachValues } = found;
  const instances: (VmConfig | null)[] = [];
  const declaredHosts = hostNames;
  keys.forEach((key, i) => {
    const resolver =
      mode === 'count' ? makeResolver({ count: key as number }) : mode === 'each' ? makeResolver({ each: { key: str(key as string), value: eachValues[i] } }) : makeResolver();
    const ev = newEvaluator(resolver);
    const address = formatAddress({ module, type: 'vm', name, key });
    const defaultName = key === null ? name : `${name}-${key}`;
    const config = decodeVm(vm, ev, { address, defaultName, hosts, declaredHosts });
    diags.push(...dedupe(ev.diagnostics, diags));
    instances.push(config);
  });
  return { mode, keys, instances };
}

export function evaluateInstances(top: BodyContent, what: string, newEvaluator: () => Evaluator, diags: Diagnostic[]): Instances | null {
  const countAttr = top.attrs.get('count');
  const eachAttr = top.attrs.get('for_each');
  const invalid = (summary: string, detail: string, subject: Range): null => {
    diags.push({ severity: 'error', summary, detail, subject });
    return null;
  };
  const failed = null;
  let mode: VmResult['mode'] = 'single';
  let keys: InstanceKey[] = [null];
  let eachValues: Value[] = [];
  if (countAttr && eachAttr) {
    return invalid(
      'Invalid combination of "count" and "for_each"',
      'The "count" and "for_each" arguments are mutually exclusive: use only one of them.',
      eachAttr.nameRange,
    );
  }
  if (countAttr) {
    const ev = newEvaluator();
    const v = ev.eval(countAttr.expr);
    diags.push(...ev.diagnostics);
    if (ev.diagnostics.length) return failed;
    const r = (detail: string) => invalid('Invalid count argument', detail, countAttr.expr.range);
    if (!isWhollyKnown(v)) return r('The "count" value depends on values known only after apply, such as the uuid of a VM yet to be created, so xenform cannot tell how many instances to plan.');
    if (v.raw === null) return r('The given "count" argument value is null. An integer is required.');
    const c = convert(v, NUMBER);
    if (!c.ok) return r(`The given "count" argument value is unsuitable: ${c.error}.`);
    const n = c.value.raw as number;
    if (!Number.isInteger(n) || n < 0) return r(`The given "count" argument value is unsuitable: it must be a whole number greater than or equal to zero; got ${n}.`);
    if (n > MAX_INSTANCES) return invalid('Too many instances', tooMany(what, n), countAttr.expr.range);
    mode = 'count';
    keys = Array.from({ length: n }, (_, i) => i);
  } else if (eachAttr) {
    const ev = newEvaluator();
    const v = ev.eval(eachAttr.expr);
    diags.push(...ev.diagnostics);
    if (ev.diagnostics.length) return failed;
    const r = (detail: string) => invalid('Invalid for_each argument', detail, eachAttr.expr.range);
    if (!isWhollyKnown(v)) return r('The "for_each" value depends on values known only after apply, such as the uuid of a VM yet to be created, so xenform cannot tell which instances to plan.');
    if (v.raw === null) return r('The given "for_each" argument value is null. A map, or set of strings, is allowed.');
    const k = v.type.kind;
    if (k === 'map' || k === 'object') {
      const m = v.raw as Map<string, Value>;
      keys = [...m.keys()];
      eachValues = [...m.values()];
    } else if (k === 'set') {
      const elems = v.raw as Value[];
      const c = convert(v, { kind: 'set', elem: STRING });
      if (!c.ok || elems.some((e) => e.raw === null)) return r('The given "for_each" argument value is unsuitable: a set must contain only non-null strings.');
      const strs = c.value.raw as Value[];
      keys = strs.map((e) => e.raw as string);
      eachValues = strs;
    } else {
      return r(
        `The given "for_each" argument value is unsuitable: the "for_each" argument must be a map, or set of strings, and you have provided a value of type ${typeName(v.type)}. Use toset(...) to convert a list of strings.`,
      );
    }
    mode = 'each';
    if (keys.length > MAX_INSTANCES) return invalid('Too many instances', tooMany(what, keys.length), eachAttr.expr.range);
  }
  return { mode, keys, eachValues };
}

// The same mistake in every instance of a counted block is reported once.
export function dedupe(fresh: Diagnostic[], existing: Diagnostic[]): Diagnostic[] {
  if (fresh.length === 0) return fresh;
  const key = (d: Diagnostic) => `${d.summary}|${d.detail}|${d.subject ? `${d.subject.filename}:${d.subject.start.byte}` : ''}`;
  const seen = new Set(existing.slice(-50).map(key));
  return fresh.filter((d) => {
    const k = key(d);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

// VM addresses a vm block depends on: its depends_on list, the VMs it references, and every VM
// of the module calls it references (`moduleVms`, by call name).
export function dependencies(
  vm: Pick<VmBlock, 'top'>, // a vm block, or a module call's arguments
  self: string,
  valueRefs: Reference[],
  decls: Declarations,
  vms: Map<string, VmResult>,
  diags: Diagnostic[],
  module: readonly ModuleStep[] = [],
  moduleVms: ReadonlyMap<string, readonly string[]> = new Map(),
): string[] {
  const out = new Set<string>();
  const add = (name: string, key: InstanceKey | undefined) => {
    const r = vms.get(name);
    if (!r) return;
    const matching = key === undefined ? r.keys : r.keys.filter((k) => k === key);
    for (const k of matching.length ? matching : r.keys) out.add(formatAddress({ module, type: 'vm', name, key: k }));
  };
  for (const r of valueRefs) if (r.root === 'module') for (const a of moduleVms.get(r.name) ?? []) out.add(a);
  const dependsOn = vm.top.attrs.get('depends_on');
  if (dependsOn) {
    const e = dependsOn.expr;
    const items = e.kind === 'TupleConsExpr' ? e.exprs : null;
    if (!items) {
      diags.push({ severity: 'error', summary: 'Invalid depends_on', detail: 'depends_on must be a list of vm references, like [vm.db, vm.web[0]].', subject: e.range });
    } else {
      for (const item of items) {
        const ok = item.kind === 'ScopeTraversalExpr' && (item.root === 'vm' || item.root === 'module') && item.traversal[0]?.kind === 'GetAttr';
        if (!ok) {
          diags.push({ severity: 'error', summary: 'Invalid depends_on reference', detail: 'depends_on may only name vm blocks and module calls, like vm.db, vm.web[0] or module.web.', subject: item.range });
          continue;
        }
        const name = (item.traversal[0] as { name: string }).name;
        if (item.root === 'module') {
          if (!decls.modules.has(name)) {
            diags.push({ severity: 'error', summary: 'Reference to undeclared module', detail: `No module call named "${name}" is declared.`, subject: item.range });
          } else for (const a of moduleVms.get(name) ?? []) out.add(a);
          continue;
        }
        if (!decls.vms.has(name)) {
          const s = suggest(name, decls.vms.keys());
          diags.push({ severity: 'error', summary: 'Reference to undeclared resource', detail: `A vm named "${name}" has not been declared.${s ? ` Did you mean "${s}"?` : ''}`, subject: item.range });
          continue;
        }
        const idx = item.traversal[1];
        add(name, idx?.kind === 'Index' && idx.key.kind === 'LiteralValue' && idx.key.value !== null && typeof idx.key.value !== 'boolean' ? idx.key.value : undefined);
      }
    }
  }
  for (const r of valueRefs) {
    if (r.root !== 'vm' || r.name === '' || r.name === self || !decls.vms.has(r.name)) continue;
    add(r.name, r.key === null || typeof r.key === 'boolean' ? undefined : r.key);
  }
  return [...out];
}

export function warnDuplicateNames(vmConfigs: VmConfig[], diags: Diagnostic[]): void {
  const seen = new Map<string, VmConfig>();
  for (const vm of vmConfigs) {
    const name = vm.attributes.name;
    if (isUnknown(name)) continue;
    const key = `${vm.host}\u0000${name}`;
    const prev = seen.get(key);
    if (!prev) {
      seen.set(key, vm);
      continue;
    }
    diags.push({
      severity: 'warning',
      summary: 'Duplicate VM name',
      detail: `${prev.address} and ${vm.address} both have the name "${name}" on host "${vm.host}". The host allows it, but the two VMs can then be told apart only by uuid.`,
      subject: vm.attributeRanges.name ?? blockHeader({ ...({} as Block), range: vm.range, openBraceRange: vm.range } as Block),
    });
  }
}

const tooMany = (what: string, n: number) =>
  `${what} would have ${n} instances; a ${what.split(' ')[0]} block may have at most ${MAX_INSTANCES}. Split it, or check the count.`;
