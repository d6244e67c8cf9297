// Evaluates every *.xf.hcl of a directory into a Config: declarations, variables, then
// locals, hosts, VMs and outputs in dependency order.
import path from 'node:path';
import { formatAddress, type InstanceKey } from '../model/address.js';
import type { Diagnostic } from '../../lang/diagnostics.js';
import type { Attribute, Block, Body, Expression, Range } from '../../lang/syntax/ast.js';
import { suggest } from '../../lang/didyoumean.js';
import { parse } from '../../lang/syntax/parser.js';
import { type BodySchema, blockHeader, checkBody, rangeText } from '../../lang/body.js';
import { convert } from '../../lang/eval/convert.js';
import { Evaluator, type RootResolver } from '../../lang/eval/expressions.js';
import type { FnContext } from '../../lang/functions/spec.js';
import { findReferences, type Reference } from '../../lang/eval/references.js';
import { Sensitivity, sensitivePaths } from './sensitive.js';
import { checkVmBlock, decodeHost, hostNameOf, type VmBlock, decodeVm } from './schema.js';
import { renderTemplateFile } from '../../lang/eval/template.js';
import { decodeText } from '../../lang/source.js';
import {
  type Config,
  type HostConfig,
  type LoadOptions,
  type LoadResult,
  type OutputConfig,
  UNKNOWN,
  type VmConfig,
  isUnknown,
} from './types.js';
import { declareVariable, resolveVariables, type VariableDecl } from './variables.js';
import {
  BOOL,
  DYNAMIC,
  NUMBER,
  STRING,
  type Value,
  bool,
  fromJs,
  isUnknownValue,
  isWhollyKnown,
  list,
  map,
  num,
  object,
  str,
  tuple,
  typeName,
  toJs,
  unknownOf,
} from '../../lang/eval/value.js';

const TOP_SCHEMA: BodySchema = {
  attributes: [],
  blocks: {
    variable: { labels: ['name'], multiple: true },
    locals: { labels: [], multiple: true },
    output: { labels: ['name'], multiple: true },
    host: { labels: ['name'], multiple: true },
    vm: { labels: ['name'], multiple: true },
  },
};
const OUTPUT_SCHEMA: BodySchema = { attributes: ['value', 'description', 'sensitive', 'depends_on'] };
const NAME = /^[\p{L}_][\p{L}\p{N}_-]*$/u;

interface Declarations {
  variables: Map<string, VariableDecl>;
  locals: Map<string, Attribute>;
  outputs: Map<string, Block>;
  hosts: Map<string, Block>;
  vms: Map<string, VmBlock>;
}

// One evaluated vm block: its instances by key, for references and depends_on.
interface VmResult {
  mode: 'single' | 'count' | 'each';
  keys: InstanceKey[];
  instances: (VmConfig | null)[];
  value?: Value;
}

export function loadConfig(opts: LoadOptions): LoadResult {
  const files: Record<string, string> = {};
  const diags: Diagnostic[] = [];
  const done = (config: Config | null): LoadResult => ({
    config: diags.some((d) => d.severity === 'error') ? null : config,
    diagnostics: byPosition(diags),
    files,
  });

  const listing = opts.source.readDir(opts.dir);
  if (!('names' in listing)) {
    diags.push({
      severity: 'error',
      summary: 'Cannot read the configuration directory',
      detail: `${opts.dir}: ${listing.failure === 'missing' ? 'no such directory' : listing.message}.`,
    });
    return done(null);
  }
  const names = listing.names.filter((f) => f.endsWith('.xf.hcl')).sort();
  if (names.length === 0) {
    diags.push({
      severity: 'error',
      summary: 'No configuration files',
      detail: `The directory ${opts.dir} contains no *.xf.hcl files. Change to a directory that holds a xenform configuration, or use --chdir.`,
    });
    return done(null);
  }
  const bodies: Body[] = [];
  for (const name of names) {
    const read = opts.source.readFile(path.join(opts.dir, name));
    if (!('bytes' in read)) {
      diags.push({ severity: 'error', summary: 'Cannot read a configuration file', detail: `${name}: ${read.message}.` });
      continue;
    }
    const text = decodeText(read.bytes);
    files[name] = text;
    const r = parse(text, name);
    diags.push(...r.diagnostics);
    bodies.push(r.file.body);
  }
  if (diags.some((d) => d.severity === 'error')) return done(null);

  const fn: FnContext = {
    dir: opts.dir,
    source: opts.source,
    renderTemplate: (text, filename, vars) => renderTemplateFile(text, filename, vars, fn),
  };
  const decls = declare(bodies, diags, fn);
  const vars = resolveVariables(decls.variables, opts.dir, opts, files, fn);
  diags.push(...vars.diagnostics);
  return done(evaluate(decls, vars.values, opts, fn, diags));
}

function declare(bodies: Body[], diags: Diagnostic[], fn: FnContext): Declarations {
  const d: Declarations = { variables: new Map(), locals: new Map(), outputs: new Map(), hosts: new Map(), vms: new Map() };
  const firstSeen = new Map<string, Range>();
  const unique = (kind: string, b: Block): boolean => {
    const name = b.labels[0];
    if (!NAME.test(name)) {
      diags.push({
        severity: 'error',
        summary: `Invalid ${kind} name`,
        detail: 'A name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes.',
        subject: b.labelRanges[0],
      });
      return false;
    }
    const key = `${kind}.${name}`;
    const prev = firstSeen.get(key);
    if (prev) {
      diags.push({
        severity: 'error',
        summary: `Duplicate ${kind} declaration`,
        detail: `A ${kind} named "${name}" was already declared at ${rangeText(prev)}. Names must be unique per block type.`,
        subject: b.labelRanges[0],
      });
      return false;
    }
    firstSeen.set(key, b.labelRanges[0]);
    return true;
  };
  for (const body of bodies) {
    const top = checkBody(body, TOP_SCHEMA, diags, 'at the top level of a configuration file');
    for (const b of top.blocks.get('variable') ?? []) if (unique('variable', b)) d.variables.set(b.labels[0], declareVariable(b, diags, fn));
    for (const b of top.blocks.get('host') ?? []) if (unique('host', b)) d.hosts.set(b.labels[0], b);
    for (const b of top.blocks.get('vm') ?? []) if (unique('vm', b)) d.vms.set(b.labels[0], checkVmBlock(b, diags));
    for (const b of top.blocks.get('output') ?? []) if (unique('output', b)) d.outputs.set(b.labels[0], b);
    for (const b of top.blocks.get('locals') ?? []) {
      for (const item of b.body.items) {
        if (item.kind === 'Block') {
          diags.push({ severity: 'error', summary: 'Unexpected block', detail: 'Blocks are not allowed in a locals block; use name = value.', subject: item.typeRange });
          continue;
        }
        const prev = d.locals.get(item.name);
        if (prev) {
          diags.push({
            severity: 'error',
            summary: 'Duplicate local value definition',
            detail: `A local value named "${item.name}" was already defined at ${rangeText(prev.nameRange)}. Local value names must be unique within a configuration.`,
            subject: item.nameRange,
          });
          continue;
        }
        d.locals.set(item.name, item);
      }
    }
  }
  return d;
}

function bodyExpressions(body: Body, out: Expression[] = []): Expression[] {
  for (const item of body.items) {
    if (item.kind === 'Attribute') out.push(item.expr);
    else bodyExpressions(item.body, out);
  }
  return out;
}

interface Node {
  id: string; // "local.a", "host.lab", "vm.web", "output.ip"
  deps: Map<string, Range>; // node id -> the first reference to it
  range: Range;
}

// Nodes in an order where every node comes after what it references; nodes in a cycle
// are reported once per cycle and left out.
function order(nodes: Map<string, Node>, diags: Diagnostic[]): { sorted: Node[]; broken: Set<string> } {
  const state = new Map<string, 1 | 2>();
  const sorted: Node[] = [];
  const broken = new Set<string>();
  const reported = new Set<string>();
  for (const start of nodes.values()) {
    if (state.has(start.id)) continue;
    const stack: { node: Node; deps: string[]; i: number }[] = [{ node: start, deps: [...start.deps.keys()], i: 0 }];
    state.set(start.id, 1);
    while (stack.length) {
      const top = stack[stack.length - 1];
      if (top.i === top.deps.length) {
        stack.pop();
        state.set(top.node.id, 2);
        sorted.push(top.node);
        continue;
      }
      const depId = top.deps[top.i++];
      const dep = nodes.get(depId);
      if (!dep) continue;
      const s = state.get(depId);
      if (s === 2) continue;
      if (s === 1) {
        const at = stack.findIndex((f) => f.node.id === depId);
        const cycle = stack.slice(at).map((f) => f.node.id);
        for (const id of cycle) broken.add(id);
        const key = [...cycle].sort().join(' ');
        if (reported.has(key)) continue;
        reported.add(key);
        const path = [...cycle, depId].join(' -> ');
        diags.push(
          cycle.length === 1
            ? {
                severity: 'error',
                summary: 'Self-referential block',
                detail: `Configuration for ${depId} may not refer to itself.`,
                subject: top.node.deps.get(depId),
              }
            : {
                severity: 'error',
                summary: 'Cycle in references',
                detail: `These values refer to each other in a cycle: ${path}. Remove one of these references to break the cycle.`,
                subject: nodes.get(cycle[0])!.deps.get(cycle[1]),
              },
        );
        continue;
      }
      state.set(depId, 1);
      stack.push({ node: dep, deps: [...dep.deps.keys()], i: 0 });
    }
  }
  return { sorted, broken };
}

function evaluate(decls: Declarations, varValues: Map<string, Value>, opts: LoadOptions, fn: FnContext, diags: Diagnostic[]): Config {
  const nodes = new Map<string, Node>();
  const addNode = (id: string, refs: Reference[], range: Range, extra: [string, Range][] = []) => {
    const deps = new Map<string, Range>();
    for (const r of refs) {
      if (r.root !== 'local' && r.root !== 'vm' && r.root !== 'host') continue;
      const target = `${r.root}.${r.name}`;
      if (!deps.has(target)) deps.set(target, r.range);
    }
    for (const [t, r] of extra) if (!deps.has(t)) deps.set(t, r);
    nodes.set(id, { id, deps, range });
  };
  const refsOf = (exprs: Expression[], out: Reference[] = []) => {
    for (const e of exprs) findReferences(e, out);
    return out;
  };
  // references from everything but depends_on: the VMs a vm block uses values of
  const vmValueRefs = new Map<string, Reference[]>();
  for (const [name, attr] of decls.locals) addNode(`local.${name}`, refsOf([attr.expr]), attr.range);
  for (const [name, b] of decls.hosts) addNode(`host.${name}`, refsOf(bodyExpressions(b.body)), b.range);
  for (const [name, vm] of decls.vms) {
    // `host = "lab"` names a host without a reference; it still has to be decoded first
    const hostAttr = vm.top.attrs.get('host');
    const extra: [string, Range][] = [];
    const e = hostAttr?.expr;
    if (e && e.kind === 'TemplateExpr' && e.parts.length === 1 && e.parts[0].kind === 'TemplateLiteral') {
      extra.push([`host.${e.parts[0].value}`, e.range]);
    } else if (e && e.kind === 'LiteralValue' && typeof e.value === 'string') extra.push([`host.${e.value}`, e.range]);
    const refs: Reference[] = [];
    for (const item of vm.block.body.items) {
      if (item.kind === 'Attribute') {
        if (item.name !== 'depends_on') findReferences(item.expr, refs);
      } else refsOf(bodyExpressions(item.body), refs);
    }
    vmValueRefs.set(name, refs);
    const dependsOn = vm.top.attrs.get('depends_on');
    addNode(`vm.${name}`, dependsOn ? findReferences(dependsOn.expr, [...refs]) : refs, vm.block.range, extra);
  }
  const { sorted, broken } = order(nodes, diags);

  const locals = new Map<string, Value>();
  const hosts = new Map<string, HostConfig>();
  const vms = new Map<string, VmResult>();
  const hostNames = new Set(decls.hosts.keys());
  const hostValues = new Map<string, Value>();

  const vmValue = (name: string): Value => {
    const r = vms.get(name);
    if (!r) return unknownOf(DYNAMIC);
    if (r.value) return r.value;
    if (r.instances.some((i) => i === null)) return (r.value = unknownOf(DYNAMIC));
    const objs = r.instances.map((i) => instanceValue(i!, opts));
    if (r.mode === 'single') r.value = objs[0];
    else if (r.mode === 'count') r.value = tuple(objs);
    else r.value = object(new Map(r.keys.map((k, i) => [k as string, objs[i]])));
    return r.value;
  };

  const makeResolver = (instance?: { count?: number; each?: { key: Value; value: Value } }): RootResolver => {
    return (e, d) => {
      const first = e.traversal[0];
      const attr =
        first?.kind === 'GetAttr' ? first.name : first?.kind === 'Index' && first.key.kind === 'LiteralValue' && typeof first.key.value === 'string' ? first.key.value : undefined;
      const fail = (summary: string, detail: string): null => {
        d.push({ severity: 'error', summary, detail, subject: e.range });
        return null;
      };
      const need = (what: string) => fail('Invalid reference', `The "${e.root}" object cannot be accessed directly. Instead, access one of its attributes, like ${e.root}.${what}.`);
      switch (e.root) {
        case 'var':
          if (attr === undefined) return need('NAME');
          if (!decls.variables.has(attr)) {
            const s = suggest(attr, decls.variables.keys());
            return fail(
              'Reference to undeclared input variable',
              `An input variable with the name "${attr}" has not been declared.${s ? ` Did you mean "${s}"?` : ` This variable can be declared with a variable "${attr}" {} block.`}`,
            );
          }
          return { value: varValues.get(attr) ?? unknownOf(DYNAMIC), consumed: 1 };
        case 'local':
          if (attr === undefined) return need('NAME');
          if (!decls.locals.has(attr)) {
            const s = suggest(attr, decls.locals.keys());
            return fail('Reference to undeclared local value', `A local value with the name "${attr}" has not been declared.${s ? ` Did you mean "${s}"?` : ''}`);
          }
          return { value: locals.get(attr) ?? unknownOf(DYNAMIC), consumed: 1 };
        case 'vm':
          if (attr === undefined) return need('NAME');
          if (!decls.vms.has(attr)) {
            const s = suggest(attr, decls.vms.keys());
            return fail('Reference to undeclared resource', `A vm named "${attr}" has not been declared.${s ? ` Did you mean "${s}"?` : ''}`);
          }
          return { value: vmValue(attr), consumed: 1 };
        case 'host': {
          if (attr === undefined) return need('NAME');
          if (!hostNames.has(attr)) {
            const s = suggest(attr, hostNames);
            return fail('Reference to undeclared host', `A host named "${attr}" has not been declared.${s ? ` Did you mean "${s}"?` : ''}`);
          }
          const h = hosts.get(attr);
          if (!h) return { value: unknownOf(DYNAMIC), consumed: 1 };
          let hv = hostValues.get(attr);
          if (!hv) hostValues.set(attr, (hv = hostValue(h)));
          return { value: hv, consumed: 1 };
        }
        case 'count':
          if (instance?.count === undefined) {
            return fail(
              'Reference to "count" in non-counted context',
              'The "count" object can only be used in a vm block, and only when the "count" argument is set.',
            );
          }
          if (attr !== 'index') return fail('Invalid "count" attribute', `The "count" object does not have an attribute named "${attr ?? ''}". The only supported attribute is count.index, which is the index of each instance of a vm block that has the "count" argument set.`);
          return { value: num(instance.count), consumed: 1 };
        case 'each':
          if (!instance?.each) {
            return fail('Reference to "each" in context without for_each', 'The "each" object can be used only in a vm block, and only when the "for_each" argument is set.');
          }
          if (attr === 'key') return { value: instance.each.key, consumed: 1 };
          if (attr === 'value') return { value: instance.each.value, consumed: 1 };
          return fail('Invalid "each" attribute', `The "each" object does not have an attribute named "${attr ?? ''}". The supported attributes are each.key and each.value, the current key and value pair of the "for_each" attribute set.`);
        case 'path':
          if (attr === 'module' || attr === 'root') return { value: str('.'), consumed: 1 };
          if (attr === 'cwd') return { value: str(opts.dir), consumed: 1 };
          return fail('Invalid "path" attribute', `The "path" object does not have an attribute named "${attr ?? ''}". The supported attributes are path.module, path.root and path.cwd.`);
        default: {
          const s = suggest(e.root, ['var', 'local', 'vm', 'host', 'count', 'each', 'path']);
          return fail(
            'Unknown reference',
            `There is nothing named "${e.root}" to refer to.${s ? ` Did you mean "${s}"?` : ''} References start with var., local., vm., host., count., each. or path.`,
          );
        }
      }
    };
  };
  const topResolver = makeResolver();
  const sensitivity = new Sensitivity(new Set([...decls.variables].filter(([, d]) => d.sensitive).map(([n]) => n)));
  const newEvaluator = (resolve: RootResolver) => new Evaluator({ resolve, functions: true, fn });

  for (const node of sorted) {
    const [kind, name] = splitId(node.id);
    if (broken.has(node.id)) {
      if (kind === 'vm') vms.set(name, { mode: 'single', keys: [null], instances: [null] });
      continue;
    }
    if (kind === 'local') {
      const ev = newEvaluator(topResolver);
      const expr = decls.locals.get(name)!.expr;
      const v = ev.eval(expr);
      diags.push(...ev.diagnostics);
      locals.set(name, v);
      if (sensitivity.derives(expr)) sensitivity.markLocal(name);
    } else if (kind === 'host') {
      const ev = newEvaluator(topResolver);
      const h = decodeHost(decls.hosts.get(name)!, ev);
      diags.push(...ev.diagnostics);
      if (h) hosts.set(name, h);
    } else if (kind === 'vm') {
      const vm = decls.vms.get(name)!;
      const eachAttr = vm.top.attrs.get('for_each');
      if (eachAttr && sensitivity.derives(eachAttr.expr)) {
        diags.push({
          severity: 'error',
          summary: 'Invalid for_each argument',
          detail: 'Sensitive values, or values derived from sensitive values, cannot be used as for_each arguments: they would be exposed as instance keys.',
          subject: eachAttr.expr.range,
        });
        vms.set(name, { mode: 'single', keys: [null], instances: [null] });
        continue;
      }
      const result = evaluateVm(vm, name, makeResolver, newEvaluator, hosts, hostNames, diags);
      const paths = sensitivePaths(vm, sensitivity);
      if (paths.length) {
        sensitivity.markVm(name);
        for (const inst of result.instances) if (inst) inst.sensitive_paths = paths;
      }
      vms.set(name, result);
    }
  }

  const vmConfigs: VmConfig[] = [];
  for (const [name, vm] of decls.vms) {
    const r = vms.get(name);
    if (!r) continue;
    const deps = dependencies(vm, name, vmValueRefs.get(name)!, decls, vms, diags);
    for (const inst of r.instances) {
      if (!inst) continue;
      inst.depends_on = deps.filter((a) => a !== inst.address);
      vmConfigs.push(inst);
    }
  }
  warnDuplicateNames(vmConfigs, diags);

  const outputs: OutputConfig[] = [];
  for (const [name, b] of decls.outputs) {
    const { attrs } = checkBody(b.body, OUTPUT_SCHEMA, diags, 'in an output block');
    const valueAttr = attrs.get('value');
    if (!valueAttr) {
      diags.push({ severity: 'error', summary: 'Missing required argument', detail: 'The argument "value" is required, but no definition was found.', subject: blockHeader(b) });
      continue;
    }
    const ev = newEvaluator(topResolver);
    const v = ev.eval(valueAttr.expr);
    let sensitive = false;
    const s = attrs.get('sensitive');
    if (s) {
      const c = convert(ev.eval(s.expr), BOOL);
      if (c.ok && typeof c.value.raw === 'boolean') sensitive = c.value.raw;
      else ev.diagnostics.push({ severity: 'error', summary: 'Incorrect attribute value type', detail: 'Inappropriate value for attribute "sensitive": a bool is required.', subject: s.expr.range });
    }
    const description = attrs.get('description');
    if (description) ev.eval(description.expr);
    if (!sensitive && ev.diagnostics.length === 0 && sensitivity.derives(valueAttr.expr)) {
      ev.diagnostics.push({
        severity: 'error',
        summary: 'Output refers to sensitive values',
        detail:
          'To reduce the risk of accidentally exporting sensitive data, an output whose value derives from a sensitive variable must be marked as sensitive, to confirm your intent. If you do intend to export this data, add sensitive = true to the output block.',
        subject: valueAttr.expr.range,
      });
    }
    diags.push(...ev.diagnostics);
    outputs.push({ name, value: toJs(v, UNKNOWN), sensitive, range: b.range });
  }

  const variables: Config['variables'] = {};
  for (const [name, decl] of decls.variables) {
    const v = varValues.get(name);
    if (v) variables[name] = { value: toJs(v, UNKNOWN), sensitive: decl.sensitive };
  }
  return {
    dir: opts.dir,
    hosts: [...decls.hosts.keys()].filter((n) => hosts.has(n)).map((n) => hosts.get(n)!),
    vms: vmConfigs,
    outputs,
    variables,
  };
}

// Diagnostics in the order of the files and their text; those without a place first.
function byPosition(diags: Diagnostic[]): Diagnostic[] {
  const at = (d: Diagnostic) => d.subject;
  return diags
    .map((d, i) => ({ d, i }))
    .sort((x, y) => {
      const a = at(x.d);
      const b = at(y.d);
      if (!a || !b) return (a ? 1 : 0) - (b ? 1 : 0) || x.i - y.i;
      if (a.filename !== b.filename) return a.filename < b.filename ? -1 : 1;
      return a.start.byte - b.start.byte || x.i - y.i;
    })
    .map((x) => x.d);
}

const splitId = (id: string): [string, string] => {
  const dot = id.indexOf('.');
  return [id.slice(0, dot), id.slice(dot + 1)];
};

function evaluateVm(
  vm: VmBlock,
  name: string,
  makeResolver: (i?: { count?: number; each?: { key: Value; value: Value } }) => RootResolver,
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
    mode = 'count';
    keys = Array.from({ length: n }, (_, i) => i);
  } else if (eachAttr) {
    const ev = newEvaluator(makeResolver());
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
function dependencies(vm: VmBlock, self: string, valueRefs: Reference[], decls: Declarations, vms: Map<string, VmResult>, diags: Diagnostic[]): string[] {
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

function warnDuplicateNames(vmConfigs: VmConfig[], diags: Diagnostic[]): void {
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

const jsString = (s: unknown): Value => (isUnknown(s) ? unknownOf(STRING) : str(s as string));

// What `vm.NAME` gives an expression: the VM's attributes, its uuid when known.
function instanceValue(vm: VmConfig, opts: LoadOptions): Value {
  const a = vm.attributes;
  const uuid = opts.known?.[vm.address]?.uuid;
  return object({
    address: str(vm.address),
    uuid: uuid ? str(uuid) : unknownOf(STRING),
    host: str(vm.host),
    name: jsString(a.name),
    description: jsString(a.description),
    template: jsString(a.template),
    power_state: str(a.power_state),
    vcpus: num(a.vcpus),
    vcpus_max: num(a.vcpus_max),
    memory: object({
      static_min: num(a.memory.static_min),
      dynamic_min: num(a.memory.dynamic_min),
      dynamic_max: num(a.memory.dynamic_max),
      static_max: num(a.memory.static_max),
    }),
    tags: list(a.tags.map(jsString), STRING),
    other_config: map(new Map(Object.entries(a.other_config).map(([k, v]) => [k, jsString(v)])), STRING),
    group: vm.group === undefined ? { type: STRING, raw: null } : str(vm.group),
  });
}

function hostValue(h: HostConfig): Value {
  return object({
    name: str(h.name),
    toolstack: str(h.toolstack),
    simulator: bool(h.simulator),
    address: h.address === undefined ? { type: STRING, raw: null } : str(h.address),
    user: str(h.user ?? 'root'),
    port: num(h.port ?? 22),
  });
}

export { hostNameOf, fromJs, isUnknownValue };
