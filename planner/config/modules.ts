// Local modules: `module "web" { source = "./modules/web" ... }`, as Terraform 1.9 and
// OpenTofu 1.10 define them (internal/configs module calls) for xenform's blocks. A call's
// arguments are the module's input variables; its outputs are `module.web.NAME`; count and
// for_each make instances `module.web[0]`, and every VM inside is addressed under them. Only
// directories are sources: registry and git sources are refused.
import path from 'node:path';
import type { Diagnostic } from '../../lang/diagnostics.js';
import type { Attribute, Block, Body, Expression, Range } from '../../lang/syntax/ast.js';
import { parse } from '../../lang/syntax/parser.js';
import { blockHeader, rangeText } from '../../lang/body.js';
import { suggest } from '../../lang/didyoumean.js';
import type { Evaluator, RootResolver } from '../../lang/eval/expressions.js';
import { findReferences, type Reference } from '../../lang/eval/references.js';
import type { FnContext } from '../../lang/functions/spec.js';
import { decodeText } from '../../lang/source.js';
import { DYNAMIC, type Value, object, str, tuple, unknownOf } from '../../lang/eval/value.js';
import type { ModuleStep } from '../model/address.js';
import { declare, type Declarations } from './declarations.js';
import type { InstanceScope, VmResult } from './scope.js';
import type { Sensitivity } from './sensitive.js';
import type { HostConfig, LoadOptions, VmConfig } from './types.js';
import { resolveVariables } from './variables.js';
import { dedupe, dependencies, evaluateInstances } from './vm-instances.js';
import type { ModuleResult } from './load.js';

// Where a module is evaluated: its place in the module tree and on disk, and what it inherits.
export interface ModuleContext {
  path: ModuleStep[]; // empty for the root module
  dir: string;
  rel: string; // the directory relative to the root module's, "" for the root (path.module)
  files: Record<string, string>; // every file read, by name relative to the root directory
  chain: string[]; // the directories of the calls above, to refuse a module that calls itself
  inherited: string[]; // VM addresses every VM inside depends on (the call's references, depends_on)
  sensitiveInputs: ReadonlySet<string>; // variables given values derived from sensitive ones
  rootHosts?: { hosts: Map<string, HostConfig>; names: Set<string> };
}

// What the caller's evaluation provides to evaluate one of its module calls.
export interface CallEnv {
  decls: Declarations;
  vms: Map<string, VmResult>;
  moduleVms: ReadonlyMap<string, readonly string[]>;
  sensitivity: Sensitivity;
  makeResolver: (i?: InstanceScope) => RootResolver;
  newEvaluator: (r: RootResolver) => Evaluator;
  ctx: ModuleContext;
  opts: LoadOptions;
  fn: FnContext;
  hosts: Map<string, HostConfig>;
  hostNames: Set<string>;
  evaluate: (decls: Declarations, vars: Map<string, Value>, opts: LoadOptions, fn: FnContext, diags: Diagnostic[], ctx: ModuleContext) => ModuleResult;
}

const META = new Set(['source', 'count', 'for_each', 'depends_on']);
const NOT_SUPPORTED: Record<string, string> = {
  version: 'a version applies to registry modules; xenform loads modules only from local directories',
  providers: 'xenform has no providers to pass: a module\'s VMs name their host through a variable (host = var.host)',
};
// Far deeper than any repository nests its modules; stops a runaway chain of calls early.
export const MAX_MODULE_DEPTH = 16;

// The parsed *.xf.hcl files of a module's directory (the root's, or a module call's), named
// relative to the root directory; null when the directory cannot be read.
export function readModuleFiles(opts: LoadOptions, dir: string, rel: string, files: Record<string, string>, diags: Diagnostic[], call?: Range): Body[] | null {
  const listing = opts.source.readDir(dir);
  const at = call ? { subject: call } : {};
  if (!('names' in listing)) {
    diags.push({
      severity: 'error',
      summary: call ? 'Cannot read the module directory' : 'Cannot read the configuration directory',
      detail: `${call ? rel : dir}: ${listing.failure === 'missing' ? 'no such directory' : listing.message}.`,
      ...at,
    });
    return null;
  }
  const names = listing.names.filter((f) => f.endsWith('.xf.hcl')).sort();
  if (names.length === 0) {
    diags.push({
      severity: 'error',
      summary: 'No configuration files',
      detail: call
        ? `The module directory ${rel} contains no *.xf.hcl files.`
        : `The directory ${dir} contains no *.xf.hcl files. Change to a directory that holds a xenform configuration, or use --chdir.`,
      ...at,
    });
    return null;
  }
  const bodies: Body[] = [];
  for (const base of names) {
    const name = rel === '' ? base : `${rel}/${base}`;
    const read = opts.source.readFile(path.join(dir, base));
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
  return bodies;
}

// Blocks that belong to the root module only.
export function refuseRootOnly(decls: Declarations, diags: Diagnostic[]): void {
  for (const b of decls.hosts.values()) {
    diags.push({
      severity: 'error',
      summary: 'Host block in a module',
      detail: 'host blocks belong in the root module. Pass the host in as a variable: host = host.lab in the module call, and host = var.host in the module\'s vm blocks.',
      subject: b.typeRange,
    });
  }
  for (const b of decls.settings) {
    diags.push({ severity: 'error', summary: 'Settings block in a module', detail: 'The xenform block belongs in the root module.', subject: b.typeRange });
  }
}

// A source written as a plain string: "./modules/web".
function literalString(e: Expression): string | undefined {
  if (e.kind === 'LiteralValue' && typeof e.value === 'string') return e.value;
  if (e.kind === 'TemplateExpr' && e.parts.length === 1 && e.parts[0].kind === 'TemplateLiteral') return e.parts[0].value;
  if (e.kind === 'TemplateExpr' && e.parts.length === 0) return '';
  return undefined;
}

// The call's value (`module.NAME`), its VMs, and whether any of its outputs is sensitive.
export function evaluateModuleCall(name: string, block: Block, env: CallEnv, diags: Diagnostic[]): { value: Value; vms: VmConfig[]; sensitive: boolean; results: ModuleResult[] } {
  const failed = { value: unknownOf(DYNAMIC), vms: [], sensitive: false, results: [] };
  const before = diags.length;
  const error = (summary: string, detail: string, subject: Range) => diags.push({ severity: 'error', summary, detail, subject });
  const attrs = new Map<string, Attribute>();
  for (const item of block.body.items) {
    if (item.kind === 'Block') {
      error('Unsupported block type', `Blocks of type "${item.type}" are not expected in a module block; set the module's input variables as arguments.`, item.typeRange);
    } else if (Object.hasOwn(NOT_SUPPORTED, item.name)) {
      error('Unsupported argument', `"${item.name}" is not supported in a module block: ${NOT_SUPPORTED[item.name]}.`, item.nameRange);
    } else if (attrs.has(item.name)) {
      error('Attribute redefined', `The argument "${item.name}" was already set at ${rangeText(attrs.get(item.name)!.nameRange)}. Each argument may be set only once.`, item.nameRange);
    } else attrs.set(item.name, item);
  }
  const sourceAttr = attrs.get('source');
  if (!sourceAttr) {
    error('Missing required argument', 'The argument "source" is required in a module block (a local directory, like source = "./modules/web").', blockHeader(block));
    return failed;
  }
  const source = literalString(sourceAttr.expr);
  const where = rangeText(sourceAttr.expr.range);
  if (source === undefined) {
    error('Invalid module source', 'The module source must be a literal string, like source = "./modules/web"; it cannot refer to variables or other values.', sourceAttr.expr.range);
    return failed;
  }
  if (!source.startsWith('./') && !source.startsWith('../')) {
    error(
      'Unsupported module source',
      `Module "${name}" has source "${source}" (at ${where}), which is not a local path. xenform loads modules only from local directories, written as a path starting with ./ or ../; registry and git sources are not supported: download the module into the repository and point source at its directory.`,
      sourceAttr.expr.range,
    );
    return failed;
  }
  const dir = path.resolve(env.ctx.dir, source);
  const rel = path.relative(env.opts.dir, dir).split(path.sep).join('/') || '.';
  if ([...env.ctx.chain, env.ctx.dir].includes(dir)) {
    error('Module calls itself', `Module "${name}" loads ${rel}, which is already being loaded by a call above it; a module cannot contain itself.`, sourceAttr.expr.range);
    return failed;
  }
  if (env.ctx.path.length >= MAX_MODULE_DEPTH) {
    error('Modules nested too deeply', `Module "${name}" would be nested ${env.ctx.path.length + 1} levels deep; modules may nest at most ${MAX_MODULE_DEPTH} levels.`, sourceAttr.expr.range);
    return failed;
  }
  const bodies = readModuleFiles(env.opts, dir, rel, env.ctx.files, diags, sourceAttr.expr.range);
  if (!bodies || diags.slice(before).some((d) => d.severity === 'error')) return failed;
  const childDecls = declare(bodies, diags, env.fn);
  for (const [k, a] of attrs) {
    if (META.has(k) || childDecls.variables.has(k)) continue;
    const s = suggest(k, childDecls.variables.keys());
    error('Unsupported argument', `An argument named "${k}" is not expected here: the module at ${rel} declares no variable "${k}".${s ? ` Did you mean "${s}"?` : ''}`, a.nameRange);
  }
  if (diags.slice(before).some((d) => d.severity === 'error')) return failed;

  const top = { attrs, blocks: new Map<string, Block[]>() };
  const found = evaluateInstances(top, `module "${name}"`, () => env.newEvaluator(env.makeResolver()), diags);
  if (!found) return failed;
  const refs: Reference[] = [];
  for (const [k, a] of attrs) if (k !== 'depends_on') findReferences(a.expr, refs);
  const inherited = [...env.ctx.inherited, ...dependencies({ top }, '', refs, env.decls, env.vms, diags, env.ctx.path, env.moduleVms)];
  const sensitiveInputs = new Set([...attrs].filter(([k, a]) => !META.has(k) && env.sensitivity.derives(a.expr)).map(([k]) => k));

  const vms: VmConfig[] = [];
  const results: ModuleResult[] = [];
  const values: Value[] = [];
  let sensitive = false;
  found.keys.forEach((key, i) => {
    const scope: InstanceScope | undefined =
      found.mode === 'count' ? { count: key as number } : found.mode === 'each' ? { each: { key: str(key as string), value: found.eachValues[i] } } : undefined;
    const ev = env.newEvaluator(env.makeResolver(scope));
    const args = new Map<string, { value: Value; range: Range }>();
    for (const [k, a] of attrs) if (!META.has(k)) args.set(k, { value: ev.eval(a.expr), range: a.expr.range });
    const inner: Diagnostic[] = [...ev.diagnostics];
    const vars = resolveVariables(childDecls.variables, dir, { moduleCall: { range: blockHeader(block), args } }, env.ctx.files, env.fn);
    inner.push(...vars.diagnostics);
    const result = env.evaluate(childDecls, vars.values, env.opts, env.fn, inner, {
      path: [...env.ctx.path, { name, key }],
      dir,
      rel,
      files: env.ctx.files,
      chain: [...env.ctx.chain, env.ctx.dir],
      inherited,
      sensitiveInputs,
      rootHosts: env.ctx.rootHosts ?? { hosts: env.hosts, names: env.hostNames },
    });
    diags.push(...dedupe(inner, diags));
    vms.push(...result.vms);
    results.push(result);
    sensitive ||= result.outputs.some((o) => o.sensitive);
    values.push(object(result.outputValues));
  });
  const value = found.mode === 'single' ? values[0] : found.mode === 'count' ? tuple(values) : object(new Map(found.keys.map((k, i) => [k as string, values[i]])));
  return { value, vms, sensitive, results };
}
