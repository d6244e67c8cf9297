// `dynamic "disk" { for_each = ..., iterator = d, labels = [...], content { ... } }`: nested
// blocks generated from a collection, as hashicorp/hcl ext/dynblock defines them. The block is
// checked once (checkDynamicBlock); each VM instance expands it with its own values
// (expandDynamic), and the generated blocks are decoded with the iterator bound.
import type { Diagnostic } from '../../lang/diagnostics.js';
import type { Attribute, Block, Range } from '../../lang/syntax/ast.js';
import { type BodyContent, type BodySchema, blockHeader, checkBody, rangeText } from '../../lang/body.js';
import { suggest } from '../../lang/didyoumean.js';
import { convert } from '../../lang/eval/convert.js';
import type { Evaluator } from '../../lang/eval/expressions.js';
import type { VmBlock } from './schema.js';
import { STRING, type Value, elements, entries, isWhollyKnown, num, object, str, typeName } from '../../lang/eval/value.js';

// One nested block of a body, written out or generated.
export interface NestedBlock {
  block: Block;
  content: BodyContent;
}

// The iterator a generated block's arguments are evaluated with (`d.key`, `d.value`).
const iteratorOf = new WeakMap<Attribute, Map<string, Value>>();

// Evaluates an argument, with the iterator bound when a dynamic block generated it.
export function evalAttribute(ev: Evaluator, attr: Attribute): Value {
  const bindings = iteratorOf.get(attr);
  return bindings ? ev.withLocals(bindings, () => ev.eval(attr.expr)) : ev.eval(attr.expr);
}

export interface DynamicBlock {
  block: Block; // the `dynamic "disk" { ... }` block
  type: string; // the type of the blocks it generates
  forEach: Attribute;
  iterator: string;
  labels?: Attribute;
  labelCount: number;
  content: NestedBlock;
}

const DYNAMIC_SCHEMA: BodySchema = { attributes: ['for_each', 'iterator', 'labels'], blocks: { content: { labels: [], multiple: true } } };

// Meta-arguments cannot be generated (Terraform refuses `dynamic "lifecycle"` too).
const NOT_DYNAMIC = new Set(['lifecycle']);

// Checks a `dynamic` block against the nested block types its parent allows; null after an error.
export function checkDynamicBlock(block: Block, allowed: Record<string, { labels: string[]; schema: BodySchema }>, diags: Diagnostic[]): DynamicBlock | null {
  const type = block.labels[0];
  const error = (summary: string, detail: string, subject: Range): null => {
    diags.push({ severity: 'error', summary, detail, subject });
    return null;
  };
  if (NOT_DYNAMIC.has(type)) {
    return error('Invalid dynamic block type', `A ${type} block holds meta-arguments and cannot be generated with a dynamic block; write it out.`, block.labelRanges[0]);
  }
  const target = Object.hasOwn(allowed, type) ? allowed[type] : undefined;
  if (!target) {
    const s = suggest(type, Object.keys(allowed));
    return error('Unsupported block type', `A dynamic block cannot generate blocks of type "${type}" here.${s ? ` Did you mean "${s}"?` : ''}`, block.labelRanges[0]);
  }
  const before = diags.length;
  const body = checkBody(block.body, DYNAMIC_SCHEMA, diags, 'in a dynamic block');
  const forEach = body.attrs.get('for_each');
  if (!forEach) error('Missing required argument', 'The argument "for_each" is required in a dynamic block, but no definition was found.', blockHeader(block));
  const contents = body.blocks.get('content') ?? [];
  if (contents.length === 0) {
    error('Missing dynamic content block', 'A dynamic block must have a nested block of type "content" to describe the body of each generated block.', blockHeader(block));
  } else if (contents.length > 1) {
    error('Extraneous dynamic content block', 'Only one nested content block is allowed for each dynamic block.', contents[1].typeRange);
  }
  let iterator = type;
  const it = body.attrs.get('iterator');
  if (it) {
    const e = it.expr;
    if (e.kind !== 'ScopeTraversalExpr' || e.traversal.length > 0) error('Invalid dynamic iterator name', 'Dynamic iterator must be a single variable name, like iterator = d.', e.range);
    else iterator = e.root;
  }
  const labels = body.attrs.get('labels');
  if (target.labels.length > 0 && !labels) {
    error('Insufficient dynamic block labels', `Blocks of type "${type}" require ${target.labels.length} label(s) (${target.labels.join(', ')}): set labels = [...] in the dynamic block.`, blockHeader(block));
  } else if (target.labels.length === 0 && labels) {
    error('Extraneous dynamic block label', `Blocks of type "${type}" require 0 label(s).`, labels.expr.range);
  }
  if (diags.length > before || !forEach || contents.length !== 1) return null;
  const content = checkBody(contents[0].body, target.schema, diags, `in a ${type} block`);
  if (diags.length > before) return null;
  return { block, type, forEach, iterator, labels, labelCount: target.labels.length, content: { block: contents[0], content } };
}

// The blocks one dynamic block generates for one instance, in the order of its collection.
export function expandDynamic(d: DynamicBlock, ev: Evaluator): NestedBlock[] {
  const diags = ev.diagnostics;
  const error = (summary: string, detail: string, subject: Range): NestedBlock[] => {
    diags.push({ severity: 'error', summary, detail, subject });
    return [];
  };
  const before = diags.length;
  const each = ev.eval(d.forEach.expr);
  if (diags.length > before) return [];
  const at = d.forEach.expr.range;
  if (!isWhollyKnown(each)) {
    return error(
      'Invalid dynamic for_each value',
      `The for_each value of this dynamic "${d.type}" block depends on values known only after apply, such as the uuid of a VM yet to be created, so xenform cannot tell which ${d.type} blocks to plan.`,
      at,
    );
  }
  if (each.raw === null) return error('Invalid dynamic for_each value', 'Cannot use a null value in for_each.', at);
  let items: [Value, Value][];
  const k = each.type.kind;
  if (k === 'list' || k === 'tuple') items = elements(each).map((v, i) => [num(i), v]);
  else if (k === 'set') items = elements(each).map((v) => [v, v]);
  else if (k === 'map' || k === 'object') items = [...entries(each)].map(([key, v]) => [str(key), v]);
  else return error('Invalid dynamic for_each value', `Cannot use a ${typeName(each.type)} value in for_each. An iterable collection is required.`, at);

  const out: NestedBlock[] = [];
  for (const [key, value] of items) {
    const bindings = new Map([[d.iterator, object({ key, value })]]);
    const labels: string[] = [];
    if (d.labels) {
      const attr = d.labels;
      const v = ev.withLocals(bindings, () => ev.eval(attr.expr));
      if (diags.length > before) return [];
      const kind = v.type.kind;
      if (!isWhollyKnown(v) || v.raw === null || (kind !== 'list' && kind !== 'tuple')) {
        return error('Invalid dynamic block labels', 'labels must be a list of strings known when planning, like labels = [d.key].', attr.expr.range);
      }
      const given = elements(v);
      if (given.length !== d.labelCount) {
        const summary = given.length > d.labelCount ? 'Extraneous dynamic block label' : 'Insufficient dynamic block labels';
        return error(summary, `Blocks of type "${d.type}" require ${d.labelCount} label(s).`, attr.expr.range);
      }
      for (const l of given) {
        const c = convert(l, STRING);
        if (l.raw === null) return error('Invalid dynamic block label', 'Cannot use a null value as a dynamic block label.', attr.expr.range);
        if (!c.ok) return error('Invalid dynamic block label', `Cannot use this value as a dynamic block label: ${c.error}.`, attr.expr.range);
        labels.push(c.value.raw as string);
      }
    }
    const labelRanges = labels.map(() => d.labels!.expr.range);
    const block: Block = { ...d.content.block, type: d.type, labels, labelRanges, typeRange: d.block.labelRanges[0] };
    const attrs = new Map<string, Attribute>();
    for (const [name, attr] of d.content.content.attrs) {
      const bound = { ...attr };
      iteratorOf.set(bound, bindings);
      attrs.set(name, bound);
    }
    out.push({ block, content: { attrs, blocks: d.content.content.blocks } });
  }
  return out;
}

// The nested blocks of one instance of a vm block: those written out and those its dynamic
// blocks generate, in source order (a dynamic block's blocks stand where it stands).
export function expandVmBlock(vm: VmBlock, ev: Evaluator): VmBlock {
  if (vm.dynamics.length === 0) return vm;
  const diags = ev.diagnostics;
  const generated = new Map<string, NestedBlock[]>();
  for (const d of vm.dynamics) generated.set(d.type, [...(generated.get(d.type) ?? []), ...expandDynamic(d, ev)]);
  const byPosition = (a: NestedBlock, b: NestedBlock) => a.block.range.start.byte - b.block.range.start.byte;
  const many = (type: 'disk' | 'network', written: NestedBlock[]): NestedBlock[] => {
    const all = [...written, ...(generated.get(type) ?? [])].sort(byPosition);
    const seen = new Map<string, NestedBlock>();
    return all.filter((part) => {
      const label = part.block.labels[0];
      const prev = seen.get(label);
      if (!prev) {
        seen.set(label, part);
        return true;
      }
      diags.push({
        severity: 'error',
        summary: `Duplicate ${type} block`,
        detail: `A ${type} named "${label}" was already defined at ${rangeText(prev.block.labelRanges[0] ?? prev.block.typeRange)}; the labels of generated blocks must be unique.`,
        subject: part.block.labelRanges[0],
      });
      return false;
    });
  };
  const one = (type: 'boot' | 'memory' | 'shutdown', written: NestedBlock | undefined): NestedBlock | undefined => {
    const parts = [...(written ? [written] : []), ...(generated.get(type) ?? [])];
    if (parts.length > 1) {
      diags.push({
        severity: 'error',
        summary: `Duplicate ${type} block`,
        detail: `Only one ${type} block is allowed; ${written ? 'one is written out and' : 'this'} dynamic block generates ${written ? 'more' : parts.length}.`,
        subject: parts[1].block.typeRange,
      });
    }
    return parts[0];
  };
  const out: VmBlock = {
    ...vm,
    boot: one('boot', vm.boot),
    memory: one('memory', vm.memory),
    shutdown: one('shutdown', vm.shutdown),
    disks: many('disk', vm.disks),
    networks: many('network', vm.networks),
  };
  if (!vm.memory) checkMemoryForm(vm.top, out.memory, diags); // a written one was checked already
  return out;
}

// Memory is set as an argument or as a block, not both.
export function checkMemoryForm(top: BodyContent, memory: NestedBlock | undefined, diags: Diagnostic[]): void {
  const memAttr = top.attrs.get('memory');
  if (!memAttr || !memory) return;
  diags.push({
    severity: 'error',
    summary: 'Conflicting memory settings',
    detail: `"memory" is set both as an argument (at ${rangeText(memAttr.nameRange)}) and as a block; use one: memory = "2GiB", or memory { static_min … }.`,
    subject: memory.block.typeRange,
  });
}
