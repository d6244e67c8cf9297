// The instances of a vm block (one, count or for_each), the VMs each depends on, and
// the warning for two VMs of the same name on one host.
import type { Diagnostic } from '../../lang/diagnostics.js';
import type { Block, Range } from '../../lang/syntax/ast.js';
import { suggest } from '../../lang/didyoumean.js';
import { blockHeader } from '../../lang/body.js';
import { convert } from '../../lang/eval/convert.js';
import type { Evaluator, RootResolver } from '../../lang/eval/expressions.js';
import type { Reference } from '../../lang/eval/references.js';
import { NUMBER, type Value, isWhollyKnown, str } from '../../lang/eval/value.js';
import { forEachInstances } from './for-each.js';
import { formatAddress, type InstanceKey } from '../model/address.js';
import type { Declarations } from './declarations.js';
import { decodeVm, type VmBlock } from './schema.js';
import type { InstanceScope, VmResult } from './scope.js';
import { type HostConfig, type VmConfig, isUnknown } from './types.js';

// The most instances one vm block may have: far beyond any pool, and few enough that a
// mistyped count is refused before the planner builds them all.
export const MAX_INSTANCES = 100_000;

export function evaluateVm(
  vm: VmBlock,
  name: string,
  makeResolver: (i?: InstanceScope) => RootResolver,
  newEvaluator: (r: RootResolver) => Evaluator,
  hosts: Map<string, HostConfig>,
  hostNames: Set<string>,
  diags: Diagnostic[],
): VmResult {
  const failed: VmResult = { mode: 'single', keys: [null], instances: [null] };
  const countAttr = vm.top.attrs.get('count');
  const eachAttr = vm.top.attrs.get('for_each');
  const invalid = (summary: string, detail: string, subject: Range): VmResult => {
    diags.push({ severity: 'error', summary, detail, subject });
    return failed;
  };
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
    const ev = newEvaluator(makeResolver());
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
    if (n > MAX_INSTANCES) return invalid('Too many instances', tooMany(name, n), countAttr.expr.range);
    mode = 'count';
    keys = Array.from({ length: n }, (_, i) => i);
  } else if (eachAttr) {
    const ev = newEvaluator(makeResolver());
    const v = ev.eval(eachAttr.expr);
    diags.push(...ev.diagnostics);
    if (ev.diagnostics.length) return failed;
    const each = forEachInstances(v);
    if ('error' in each) return invalid('Invalid for_each argument', each.error, eachAttr.expr.range);
    keys = each.keys;
    eachValues = each.values;
    mode = 'each';
    if (keys.length > MAX_INSTANCES) return invalid('Too many instances', tooMany(name, keys.length), eachAttr.expr.range);
  }
  const instances: (VmConfig | null)[] = [];
  const declaredHosts = hostNames;
  keys.forEach((key, i) => {
    const resolver =
      mode === 'count' ? makeResolver({ count: key as number }) : mode === 'each' ? makeResolver({ each: { key: str(key as string), value: eachValues[i] } }) : makeResolver();
    const ev = newEvaluator(resolver);
    const address = formatAddress({ type: 'vm', name, key });
    const defaultName = key === null ? name : `${name}-${key}`;
    const config = decodeVm(vm, ev, { address, defaultName, hosts, declaredHosts });
    diags.push(...dedupe(ev.diagnostics, diags));
    instances.push(config);
  });
  return { mode, keys, instances };
}

// The same mistake in every instance of a counted block is reported once.
function dedupe(fresh: Diagnostic[], existing: Diagnostic[]): Diagnostic[] {
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

// VM addresses a vm block depends on: its depends_on list and the VMs it references.
export function dependencies(vm: VmBlock, self: string, valueRefs: Reference[], decls: Declarations, vms: Map<string, VmResult>, diags: Diagnostic[]): string[] {
  const out = new Set<string>();
  const add = (name: string, key: InstanceKey | undefined) => {
    const r = vms.get(name);
    if (!r) return;
    const matching = key === undefined ? r.keys : r.keys.filter((k) => k === key);
    for (const k of matching.length ? matching : r.keys) out.add(formatAddress({ type: 'vm', name, key: k }));
  };
  const dependsOn = vm.top.attrs.get('depends_on');
  if (dependsOn) {
    const e = dependsOn.expr;
    const items = e.kind === 'TupleConsExpr' ? e.exprs : null;
    if (!items) {
      diags.push({ severity: 'error', summary: 'Invalid depends_on', detail: 'depends_on must be a list of vm references, like [vm.db, vm.web[0]].', subject: e.range });
    } else {
      for (const item of items) {
        const ok = item.kind === 'ScopeTraversalExpr' && item.root === 'vm' && item.traversal[0]?.kind === 'GetAttr';
        if (!ok) {
          diags.push({ severity: 'error', summary: 'Invalid depends_on reference', detail: 'depends_on may only name vm blocks, like vm.db or vm.web[0].', subject: item.range });
          continue;
        }
        const name = (item.traversal[0] as { name: string }).name;
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

const tooMany = (name: string, n: number) =>
  `vm "${name}" would have ${n} instances; a vm block may have at most ${MAX_INSTANCES}. Split it, or check the count.`;
