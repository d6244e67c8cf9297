// Evaluates every *.xf.hcl of a directory into a Config: declarations, variables, then
// locals, hosts, VMs and outputs in dependency order.
import { type Diagnostic, errorAt } from '../../lang/diagnostics.js';
import type { Range } from '../../lang/syntax/ast.js';
import { MAX_DEPTH } from '../../lang/syntax/parser.js';
import { Evaluator, type RootResolver } from '../../lang/eval/expressions.js';
import { findReferences } from '../../lang/eval/references.js';
import type { FnContext } from '../../lang/functions/spec.js';
import { renderTemplateFile } from '../../lang/eval/template.js';
import { DYNAMIC, toJs, unknownOf, valueDepth, type Value } from '../../lang/eval/value.js';
import { declare, type Declarations } from './declarations.js';
import { evaluationOrder, splitId } from './dependency-order.js';
import { evaluateOutputs } from './outputs.js';
import { newScope } from './scope.js';
import { Sensitivity, sensitivePaths } from './sensitive.js';
import { decodeHost } from './schema.js';
import { failedVariables } from './decode.js';
import { type Config, type HostConfig, type LoadOptions, type LoadResult, type OutputConfig, UNKNOWN, type VmConfig } from './types.js';
import { evaluateModuleCall, type ModuleContext, readModuleFiles, refuseRootOnly } from './modules.js';
import { resolveVariables } from './variables.js';
import { type ConfigConditions, planConditions } from './conditions.js';
import { checkLateValidations } from './late-validations.js';
import { checkRequiredVersion } from './required-version.js';
import { dependencies, evaluateVm, warnDuplicateNames } from './vm-instances.js';
import { evaluateRefactorBlocks } from './refactor-blocks.js';

export function loadConfig(opts: LoadOptions): LoadResult {
  const files: Record<string, string> = {};
  const diags: Diagnostic[] = [];
  const done = (config: Config | null): LoadResult => ({
    config: diags.some((d) => d.severity === 'error') ? null : config,
    diagnostics: byPosition(diags),
    files,
  });

  const bodies = readModuleFiles(opts, opts.dir, '', files, diags);
  if (!bodies || diags.some((d) => d.severity === 'error')) return done(null);

  const fn: FnContext = {
    dir: opts.dir,
    source: opts.source,
    renderTemplate: (text, filename, vars) => renderTemplateFile(text, filename, vars, fn),
  };
  const decls = declare(bodies, diags, fn);
  if (opts.version && !checkRequiredVersion(decls.settings, opts.version, diags, fn)) return done(null);
  const vars = resolveVariables(decls.variables, opts.dir, opts, files, fn);
  diags.push(...vars.diagnostics);
  const root = evaluate(decls, vars.values, opts, fn, diags, { path: [], dir: opts.dir, rel: '', files, chain: [], inherited: [], sensitiveInputs: new Set() });
  const variables: Config['variables'] = {};
  for (const [name, decl] of decls.variables) {
    const v = vars.values.get(name);
    if (v) variables[name] = { value: toJs(v, UNKNOWN), sensitive: decl.sensitive };
  }
  return done({ dir: opts.dir, hosts: root.hosts, vms: root.vms, outputs: root.outputs, variables, conditions: root.conditions, ...root.refactor });
}

// What one module (the root, or an instance of a module call) evaluates to.
export interface ModuleResult {
  hosts: HostConfig[];
  vms: VmConfig[];
  outputs: OutputConfig[];
  outputValues: Map<string, Value>;
  conditions: ConfigConditions;
  refactor: Pick<Config, 'moved' | 'imports' | 'removed'>;
}

export function evaluate(decls: Declarations, varValues: Map<string, Value>, opts: LoadOptions, fn: FnContext, diags: Diagnostic[], ctx: ModuleContext): ModuleResult {
  const { sorted, broken, vmValueRefs } = evaluationOrder(decls, diags);
  const calls = new Map<string, Value>();
  const moduleVms = new Map<string, string[]>();
  const { locals, hosts: ownHosts, vms, hostNames: ownHostNames, resolver: makeResolver } = newScope(decls, varValues, opts, { pathModule: ctx.rel || '.', calls });
  // a module's VMs run on the root's hosts, passed in as values (host = var.host)
  const hosts = ctx.rootHosts?.hosts ?? ownHosts;
  const hostNames = ctx.rootHosts?.names ?? ownHostNames;
  if (ctx.path.length > 0) refuseRootOnly(decls, diags);
  const topResolver = makeResolver();
  const sensitivity = new Sensitivity(new Set([...decls.variables].filter(([n, d]) => d.sensitive || ctx.sensitiveInputs.has(n)).map(([n]) => n)));
  const failed = new Set([...decls.variables.keys()].filter((n) => !varValues.has(n)));
  const newEvaluator = (resolve: RootResolver): Evaluator => {
    const ev = new Evaluator({ resolve, functions: true, fn });
    failedVariables.set(ev, failed);
    return ev;
  };

  const tooDeep = new Set<string>(); // locals nested too deeply, and those built on them
  const calledVms: VmConfig[] = []; // the VMs of this module's module calls
  const called: ModuleResult[] = []; // each instance of this module's module calls
  for (const node of sorted) {
    const [kind, name] = splitId(node.id);
    if (broken.has(node.id)) {
      if (kind === 'vm') vms.set(name, { mode: 'single', keys: [null], instances: [null] });
      continue;
    }
    if (kind === 'module') {
      const eachAttr = decls.modules.get(name)!.body.items.find((i) => i.kind === 'Attribute' && i.name === 'for_each');
      if (eachAttr && eachAttr.kind === 'Attribute' && sensitivity.derives(eachAttr.expr)) {
        diags.push(sensitiveForEach(eachAttr.expr.range));
        calls.set(name, unknownOf(DYNAMIC));
        moduleVms.set(name, []);
        continue;
      }
      const call = evaluateModuleCall(name, decls.modules.get(name)!, { decls, vms, moduleVms, sensitivity, makeResolver, newEvaluator, ctx, opts, fn, hosts, hostNames, evaluate }, diags);
      calls.set(name, call.value);
      if (call.sensitive) sensitivity.markModule(name);
      moduleVms.set(name, call.vms.map((v) => v.address));
      calledVms.push(...call.vms);
      called.push(...call.results);
      continue;
    }
    if (kind === 'local') {
      const ev = newEvaluator(topResolver);
      const expr = decls.locals.get(name)!.expr;
      let v = ev.eval(expr);
      diags.push(...ev.diagnostics);
      if (findReferences(expr).some((r) => r.root === 'local' && tooDeep.has(r.name))) {
        tooDeep.add(name);
        v = unknownOf(DYNAMIC);
      } else if (valueDepth(v, MAX_DEPTH) > MAX_DEPTH) {
        tooDeep.add(name);
        diags.push(errorAt('Value nested too deeply', `local.${name} would nest more than ${MAX_DEPTH} levels deep (through the locals it refers to); values may nest at most ${MAX_DEPTH} levels.`, expr.range));
        v = unknownOf(DYNAMIC);
      }
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
        diags.push(sensitiveForEach(eachAttr.expr.range));
        vms.set(name, { mode: 'single', keys: [null], instances: [null] });
        continue;
      }
      const result = evaluateVm(vm, name, makeResolver, newEvaluator, hosts, hostNames, diags, ctx.path);
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
    const deps = [...dependencies(vm, name, vmValueRefs.get(name)!, decls, vms, diags, ctx.path, moduleVms), ...ctx.inherited];
    for (const inst of r.instances) {
      if (!inst) continue;
      inst.depends_on = [...new Set(deps)].filter((a) => a !== inst.address);
      vmConfigs.push(inst);
    }
  }
  vmConfigs.push(...calledVms);
  if (ctx.path.length === 0) warnDuplicateNames(vmConfigs, diags);
  checkLateValidations(decls.variables, varValues, topResolver, newEvaluator, diags);
  const conditions = withCalled(
    planConditions(decls.vms, (n) => vms.get(n)?.instances ?? [], decls.checks, topResolver, newEvaluator, diags),
    called.map((c) => c.conditions),
  );

  // moved, import and removed blocks, relative to this module instance
  const own = evaluateRefactorBlocks(decls.refactor, { resolver: makeResolver, newEvaluator, declared: vmConfigs.map((v) => v.address), diags, within: ctx.path });
  const refactor = {
    moved: [...own.moved, ...called.flatMap((c) => c.refactor.moved ?? [])],
    imports: [...own.imports, ...called.flatMap((c) => c.refactor.imports ?? [])],
    removed: [...own.removed, ...called.flatMap((c) => c.refactor.removed ?? [])],
  };
  const outputValues = new Map<string, Value>();
  const outputs = evaluateOutputs(decls.outputs, () => newEvaluator(topResolver), sensitivity, diags, outputValues);
  return {
    hosts: [...decls.hosts.keys()].filter((n) => hosts.has(n)).map((n) => hosts.get(n)!),
    vms: vmConfigs,
    outputs,
    outputValues,
    conditions,
    refactor,
  };
}

const sensitiveForEach = (subject: Range): Diagnostic => ({
  severity: 'error',
  summary: 'Invalid for_each argument',
  detail: 'Sensitive values, or values derived from sensitive values, cannot be used as for_each arguments: they would be exposed as instance keys.',
  subject,
});

// A module's conditions and those of the module instances it calls (their VMs' addresses and
// check names carry the module path, so they never collide).
function withCalled(own: ConfigConditions, called: readonly ConfigConditions[]): ConfigConditions {
  for (const c of called) {
    for (const [address, rules] of c.deferred) own.deferred.set(address, rules);
    for (const [address, rules] of c.postconditions) own.postconditions.set(address, rules);
    own.checks.push(...c.checks);
  }
  return own;
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
