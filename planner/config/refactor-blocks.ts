// The `moved`, `import` and `removed` blocks (Terraform 1.9 / OpenTofu 1.10, for xenform's
// `vm` blocks and modules): decoded into addresses, and checked against each other and the
// declared VMs, every error at the block's file:line:column.
import type { Diagnostic } from '../../lang/diagnostics.js';
import type { Block, Expression, Range } from '../../lang/syntax/ast.js';
import { type BodySchema, blockHeader, checkBody, rangeText } from '../../lang/body.js';
import type { Evaluator, RootResolver } from '../../lang/eval/expressions.js';
import { str } from '../../lang/eval/value.js';
import { type AddressPattern, addressMatches, formatAddress, type ModuleStep, parseAddress, parsePattern } from '../model/address.js';
import { evaluateInstances } from './vm-instances.js';
import type { InstanceScope } from './scope.js';
import type { ImportConfig, MovedConfig, RemovedConfig } from './types.js';

export const REFACTOR_BLOCKS: NonNullable<BodySchema['blocks']> = {
  moved: { labels: [], multiple: true },
  import: { labels: [], multiple: true },
  removed: { labels: [], multiple: true },
};

const MOVED: BodySchema = { attributes: ['from', 'to'] };
const IMPORT: BodySchema = { attributes: ['to', 'id', 'for_each'] };
const REMOVED: BodySchema = { attributes: ['from'], blocks: { lifecycle: { labels: [] } } };
const REMOVED_LIFECYCLE: BodySchema = { attributes: ['destroy'] };

export interface RefactorBlocks {
  moved: Block[];
  imports: Block[];
  removed: Block[];
}

export interface RefactorContext {
  resolver: (instance?: InstanceScope) => RootResolver;
  newEvaluator: (r: RootResolver) => Evaluator;
  declared: readonly string[]; // the addresses of every VM instance the configuration declares
  diags: Diagnostic[];
  // The module instance the blocks are written in (OpenTofu's rule: a block in a module is
  // relative to each instance of it); empty in the root module.
  within: readonly ModuleStep[];
}

const isModule = (p: AddressPattern): boolean => !('type' in p);
const hasKey = (p: AddressPattern): boolean => ('type' in p ? p.key !== null : p.module[p.module.length - 1].key !== null);

const STATIC_ONLY =
  'A single static reference is required: only attribute access and indexing with constant keys, like vm.web[0] or module.app["a"]. No calculations, function calls, template expressions, etc. are allowed here.';

// `vm.a[0]`, `module.m["k"].vm.b`: the address an expression names. Index keys may be
// expressions (each.key) only where `ev` is given (an import's `to`).
function addressText(e: Expression, ev: Evaluator | null): string | null {
  if (e.kind === 'ScopeTraversalExpr') {
    let text = e.root;
    for (const t of e.traversal) {
      if (t.kind === 'GetAttr') text += `.${t.name}`;
      else if (t.kind === 'Index' && (typeof t.key.value === 'number' || typeof t.key.value === 'string')) text += `[${JSON.stringify(t.key.value)}]`;
      else return null;
    }
    return text;
  }
  if (e.kind === 'IndexExpr' && ev) {
    const base = addressText(e.collection, ev);
    if (base === null) return null;
    const k = ev.eval(e.key);
    if (typeof k.raw !== 'string' && !(typeof k.raw === 'number' && Number.isInteger(k.raw) && k.raw >= 0)) return null;
    return `${base}[${JSON.stringify(k.raw)}]`;
  }
  return null;
}

function addressArg(b: Block, name: string, ev: Evaluator | null, diags: Diagnostic[], within: readonly ModuleStep[]): { pattern: AddressPattern; range: Range } | null {
  const attr = checkAttrs(b, name, diags);
  if (!attr) return null;
  const text = addressText(attr.expr, ev);
  const written = text === null ? null : parsePattern(text);
  const pattern = written && within.length ? { ...written, module: [...within, ...(written.module ?? [])] } : written;
  if (!pattern) {
    diags.push({ severity: 'error', summary: 'Invalid address', detail: `The "${name}" argument of a ${b.type} block must name a vm or a module. ${STATIC_ONLY}`, subject: attr.expr.range });
    return null;
  }
  if ('type' in pattern && pattern.type !== 'vm') {
    diags.push({ severity: 'error', summary: 'Invalid address', detail: `${b.type} blocks take vm and module addresses; "${formatAddress(pattern)}" is a ${pattern.type}.`, subject: attr.expr.range });
    return null;
  }
  return { pattern, range: attr.expr.range };
}

function checkAttrs(b: Block, name: string, diags: Diagnostic[]) {
  const attr = b.body.items.find((i) => i.kind === 'Attribute' && i.name === name);
  if (attr && attr.kind === 'Attribute') return attr;
  diags.push({ severity: 'error', summary: 'Missing required argument', detail: `The argument "${name}" is required in a ${b.type} block.`, subject: blockHeader(b) });
  return null;
}

// Where `pattern` is still declared: the first declared VM it matches.
function stillDeclared(pattern: AddressPattern, declared: readonly string[]): string | undefined {
  return declared.find((d) => {
    const a = parseAddress(d);
    return a !== null && addressMatches(pattern, a);
  });
}

export function decodeMoved(blocks: readonly Block[], ctx: RefactorContext): MovedConfig[] {
  const { diags, declared } = ctx;
  const out: MovedConfig[] = [];
  for (const b of blocks) {
    checkBody(b.body, MOVED, diags, 'in a moved block');
    const from = addressArg(b, 'from', null, diags, ctx.within);
    const to = addressArg(b, 'to', null, diags, ctx.within);
    if (!from || !to) continue;
    const range = blockHeader(b);
    const f = formatAddress(from.pattern);
    const t = formatAddress(to.pattern);
    const fail = (summary: string, detail: string, subject = range): void => void diags.push({ severity: 'error', summary, detail, subject });
    if (isModule(from.pattern) !== isModule(to.pattern)) {
      fail('Invalid moved block', `A module can move only to another module, and a vm only to another vm: ${f} cannot move to ${t}.`);
      continue;
    }
    if (f === t) {
      fail('Redundant move statement', `This statement declares a move from ${f} to the same address, which is the same as not declaring this move at all.`);
      continue;
    }
    // Both without a key: every instance moves; else one instance (`vm.a` is the keyless one).
    const whole = isModule(from.pattern) || (!hasKey(from.pattern) && !hasKey(to.pattern));
    const inConfig = whole ? stillDeclared(from.pattern, declared) : declared.find((d) => d === f);
    if (inConfig !== undefined) {
      fail('Moved object still exists', `This statement declares a move from ${f}, but ${inConfig} is still declared in the configuration. Change the configuration so that it is declared as ${t} instead.`);
      continue;
    }
    const sameFrom = out.find((m) => m.from === f && m.to !== t);
    if (sameFrom) {
      fail('Ambiguous move statements', `A statement at ${rangeText(sameFrom.range)} declared that ${f} moved to ${sameFrom.to}, but this statement instead declares that it moved to ${t}. Each VM can move to only one destination.`);
      continue;
    }
    const sameTo = out.find((m) => m.to === t && m.from !== f);
    if (sameTo) {
      fail('Ambiguous move statements', `A statement at ${rangeText(sameTo.range)} declared that ${sameTo.from} moved to ${t}, but this statement instead declares that ${f} moved there. Each VM can have moved from only one source.`);
      continue;
    }
    if (out.some((m) => m.from === f && m.to === t)) continue;
    out.push({ from: f, to: t, range });
  }
  // A chain (a -> b, b -> c) moves a to c, as in Terraform; a cycle has no end.
  for (const m of out) {
    const seen = [m];
    let next = out.find((n) => n.from === m.to);
    while (next && !seen.includes(next)) {
      seen.push(next);
      next = out.find((n) => n.from === next!.to);
    }
    if (next === m) {
      const list = seen.map((s) => `${rangeText(s.range)}: ${s.from} -> ${s.to}`).join('; ');
      diags.push({ severity: 'error', summary: 'Cyclic dependency in move statements', detail: `These chained move statements form a cycle, so there is no final address to move the VMs to: ${list}. A chain of moves must end with an address that no other moved block moves from.`, subject: m.range });
      return [];
    }
  }
  return out;
}

export function decodeRemoved(blocks: readonly Block[], ctx: RefactorContext): RemovedConfig[] {
  const { diags, declared } = ctx;
  const out: RemovedConfig[] = [];
  for (const b of blocks) {
    const body = checkBody(b.body, REMOVED, diags, 'in a removed block');
    const from = addressArg(b, 'from', null, diags, ctx.within);
    if (!from) continue;
    const f = formatAddress(from.pattern);
    if (hasKey(from.pattern)) {
      diags.push({ severity: 'error', summary: 'Resource instance keys not allowed', detail: `A removed block names a whole vm or module, not one instance: use ${f.replace(/\[[^\]]*\]$/, '')}.`, subject: from.range });
      continue;
    }
    const still = stillDeclared(from.pattern, declared);
    if (still !== undefined) {
      diags.push({ severity: 'error', summary: 'Removed object still exists', detail: `This removed block refers to ${f}, but ${still} is still declared in the configuration. Remove its block, or this removed block.`, subject: blockHeader(b) });
      continue;
    }
    let destroy = true;
    const lc = body.blocks.get('lifecycle')?.[0];
    if (lc) {
      const lcBody = checkBody(lc.body, REMOVED_LIFECYCLE, diags, 'in a removed block\'s lifecycle block');
      const attr = lcBody.attrs.get('destroy');
      if (attr) {
        const ev = ctx.newEvaluator(ctx.resolver());
        const v = ev.eval(attr.expr);
        diags.push(...ev.diagnostics);
        if (typeof v.raw !== 'boolean') {
          diags.push({ severity: 'error', summary: 'Invalid destroy argument', detail: 'lifecycle.destroy must be true or false, known before the plan.', subject: attr.expr.range });
          continue;
        }
        destroy = v.raw;
      }
    }
    const prev = out.find((r) => r.from === f);
    if (prev) {
      diags.push({ severity: 'error', summary: 'Duplicate removed block', detail: `${f} was already named by the removed block at ${rangeText(prev.range)}.`, subject: blockHeader(b) });
      continue;
    }
    out.push({ from: f, destroy, range: blockHeader(b) });
  }
  return out;
}

export function decodeImports(blocks: readonly Block[], ctx: RefactorContext): ImportConfig[] {
  const { diags } = ctx;
  const out: ImportConfig[] = [];
  for (const b of blocks) {
    const body = checkBody(b.body, IMPORT, diags, 'in an import block');
    const range = blockHeader(b);
    let scopes: (InstanceScope | undefined)[] = [undefined];
    if (body.attrs.has('for_each')) {
      const found = evaluateInstances(body, 'import', () => ctx.newEvaluator(ctx.resolver()), diags);
      if (!found) continue;
      scopes = found.keys.map((k, i) => ({ each: { key: str(k as string), value: found.eachValues[i] } }));
    }
    for (const scope of scopes) {
      const ev = ctx.newEvaluator(ctx.resolver(scope));
      const to = addressArg(b, 'to', ev, diags, ctx.within);
      const idAttr = checkAttrs(b, 'id', diags);
      const id = idAttr ? ev.eval(idAttr.expr) : null;
      diags.push(...ev.diagnostics);
      if (!to || !idAttr || !id) break;
      if (!('type' in to.pattern)) {
        diags.push({ severity: 'error', summary: 'Invalid import address', detail: 'An import block imports one VM: "to" must name a vm instance, not a module.', subject: to.range });
        break;
      }
      if (typeof id.raw !== 'string' || id.raw === '') {
        diags.push({ severity: 'error', summary: 'Invalid import id', detail: 'The "id" of an import block is the VM\'s uuid, a string known before the plan.', subject: idAttr.expr.range });
        break;
      }
      const address = formatAddress(to.pattern);
      const prev = out.find((i) => i.to === address);
      if (prev) {
        diags.push({ severity: 'error', summary: 'Duplicate import configuration', detail: `${address} is already imported by the import block at ${rangeText(prev.range)}; a VM can be imported to an address only once.`, subject: range });
        continue;
      }
      const twin = out.find((i) => i.id === id.raw);
      if (twin) {
        diags.push({ severity: 'error', summary: 'Duplicate import id', detail: `VM ${id.raw} is imported to both ${twin.to} (at ${rangeText(twin.range)}) and ${address}: a VM can be managed under one address only.`, subject: range });
        continue;
      }
      out.push({ to: address, id: id.raw, range });
    }
  }
  return out;
}

export function evaluateRefactorBlocks(blocks: RefactorBlocks, ctx: RefactorContext): { moved: MovedConfig[]; imports: ImportConfig[]; removed: RemovedConfig[] } {
  return { moved: decodeMoved(blocks.moved, ctx), imports: decodeImports(blocks.imports, ctx), removed: decodeRemoved(blocks.removed, ctx) };
}
