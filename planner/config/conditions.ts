// Custom conditions (Terraform's): `precondition` and `postcondition` blocks in a vm's
// lifecycle block, and top-level `check` blocks with `assert` blocks. Preconditions fail the plan;
// postconditions are checked after apply against the VM as the host reports it (`self`);
// check assertions only warn, at plan and after apply.
import type { Diagnostic } from '../../lang/diagnostics.js';
import type { Block, Expression } from '../../lang/syntax/ast.js';
import { type BodySchema, blockHeader, checkBody, rangeText } from '../../lang/body.js';
import { convert } from '../../lang/eval/convert.js';
import type { Evaluator, RootResolver } from '../../lang/eval/expressions.js';
import { BOOL, STRING, type Value, isWhollyKnown, list, object, str } from '../../lang/eval/value.js';
import type { VmConfig } from './types.js';
import type { VmBlock } from './schema.js';

export const CONDITION_BLOCKS: NonNullable<BodySchema['blocks']> = {
  precondition: { labels: [], multiple: true },
  postcondition: { labels: [], multiple: true },
};
export const CHECK_BLOCK = { labels: ['name'], multiple: true };
const RULE_SCHEMA: BodySchema = { attributes: ['condition', 'error_message'] };
const CHECK_SCHEMA: BodySchema = { attributes: [], blocks: { assert: { labels: [], multiple: true } } };

export interface Rule {
  condition: Expression;
  errorMessage?: Expression; // required in conditions and checks, optional in validations
}

// The evaluation scope of each VM instance (count., each.), kept for its conditions.
export const instanceResolvers = new WeakMap<VmConfig, RootResolver>();

// What the configuration's conditions need after planning: the postconditions of each VM
// and the check blocks, each with the scope it is evaluated in.
export interface ConfigConditions {
  // Preconditions that depend on values known only after apply: checked by apply before the
  // VM's first step, by VM address.
  deferred: Map<string, { rules: Rule[]; resolve: RootResolver }>;
  postconditions: Map<string, { rules: Rule[]; resolve: RootResolver }>; // by VM address
  checks: { name: string; rules: Rule[]; resolve: RootResolver }[];
  newEvaluator: (r: RootResolver) => Evaluator;
}

// `condition` and `error_message`, both required, of each block.
export function decodeRules(blocks: readonly Block[], diags: Diagnostic[]): Rule[] {
  const out: Rule[] = [];
  for (const b of blocks) {
    const c = checkBody(b.body, RULE_SCHEMA, diags, `in a ${b.type} block`);
    const condition = c.attrs.get('condition');
    const errorMessage = c.attrs.get('error_message');
    for (const [name, a] of [['condition', condition], ['error_message', errorMessage]] as const) {
      if (!a) diags.push({ severity: 'error', summary: 'Missing required argument', detail: `The argument "${name}" is required, but no definition was found.`, subject: blockHeader(b) });
    }
    if (condition && errorMessage) out.push({ condition: condition.expr, errorMessage: errorMessage.expr });
  }
  return out;
}

export function decodeCheck(b: Block, diags: Diagnostic[]): Rule[] {
  const c = checkBody(b.body, CHECK_SCHEMA, diags, 'in a check block');
  const asserts = c.blocks.get('assert') ?? [];
  if (asserts.length === 0) {
    diags.push({ severity: 'error', summary: 'Missing assert block', detail: `The check block "${b.labels[0]}" needs at least one assert block.`, subject: blockHeader(b) });
  }
  return decodeRules(asserts, diags);
}

export type RuleOutcome = { kind: 'pass' } | { kind: 'unknown' } | { kind: 'fail'; message: string } | { kind: 'invalid' };

// Evaluates one rule; evaluation errors go to `diags`.
export function evaluateRule(rule: Rule, ev: Evaluator, diags: Diagnostic[], fallback = 'The condition is false.'): RuleOutcome {
  const before = ev.diagnostics.length;
  const v = ev.eval(rule.condition);
  if (ev.diagnostics.length > before) {
    diags.push(...ev.diagnostics.slice(before));
    return { kind: 'invalid' };
  }
  if (!isWhollyKnown(v)) return { kind: 'unknown' };
  const b = convert(v, BOOL);
  if (!b.ok || b.value.raw === null) {
    diags.push({ severity: 'error', summary: 'Invalid condition result', detail: 'The condition must return true or false.', subject: rule.condition.range });
    return { kind: 'invalid' };
  }
  if (b.value.raw === true) return { kind: 'pass' };
  const text = rule.errorMessage ? convert(ev.eval(rule.errorMessage), STRING) : null;
  const message = text?.ok && typeof text.value.raw === 'string' ? text.value.raw : fallback;
  return { kind: 'fail', message };
}

export const checkedAt = (rule: Rule): string => rangeText(rule.condition.range);

// A resolver that adds `self`, the VM as the host reports it, to an instance's scope.
export function withSelf(resolve: RootResolver, self: Value): RootResolver {
  return (e, d) => (e.root === 'self' ? { value: self, consumed: 0 } : resolve(e, d));
}

// What `self` is in a postcondition: the VM after apply, as the host reports it.
export interface ObservedSelf {
  address: string;
  uuid: string;
  name: string;
  power_state: string;
  ip_addresses: string[]; // empty when the guest reports none
}

export function selfValue(o: ObservedSelf): Value {
  return object({
    address: str(o.address),
    uuid: str(o.uuid),
    name: str(o.name),
    power_state: str(o.power_state),
    ip_addresses: list(o.ip_addresses.map(str), STRING),
  });
}

// The failure of a precondition or postcondition: an error at the condition.
export function conditionFailed(kind: 'precondition' | 'postcondition', address: string, rule: Rule, message: string): Diagnostic {
  return {
    severity: 'error',
    summary: kind === 'precondition' ? 'Resource precondition failed' : 'Resource postcondition failed',
    detail: `${address}: ${message}\n\nThis was checked by the condition at ${checkedAt(rule)}.`,
    subject: rule.condition.range,
  };
}

export function checkFailed(name: string, rule: Rule, message: string): Diagnostic {
  return {
    severity: 'warning',
    summary: 'Check block assertion failed',
    detail: `check.${name}: ${message}\n\nThis was checked by the assertion at ${checkedAt(rule)}.`,
    subject: rule.condition.range,
  };
}

// Preconditions of every VM instance (failing the plan), and the check blocks (warnings), as
// planned; what apply needs later is returned.
export function planConditions(
  vmBlocks: ReadonlyMap<string, VmBlock>,
  instances: (name: string) => readonly (VmConfig | null)[],
  checkBlocks: ReadonlyMap<string, Block>,
  topResolver: RootResolver,
  newEvaluator: (r: RootResolver) => Evaluator,
  diags: Diagnostic[],
): ConfigConditions {
  const out: ConfigConditions = { deferred: new Map(), postconditions: new Map(), checks: [], newEvaluator };
  for (const [name, vm] of vmBlocks) {
    const blocks = vm.lifecycle?.content.blocks;
    if (!blocks) continue;
    const pre = decodeRules(blocks.get('precondition') ?? [], diags);
    const post = decodeRules(blocks.get('postcondition') ?? [], diags);
    for (const inst of instances(name)) {
      if (!inst) continue;
      const resolve = instanceResolvers.get(inst) ?? topResolver;
      for (const rule of pre) {
        const r = evaluateRule(rule, newEvaluator(withoutSelf(resolve)), diags);
        if (r.kind === 'fail') diags.push(conditionFailed('precondition', inst.address, rule, r.message));
        if (r.kind === 'unknown') out.deferred.set(inst.address, { rules: [...(out.deferred.get(inst.address)?.rules ?? []), rule], resolve });
      }
      if (post.length > 0) out.postconditions.set(inst.address, { rules: post, resolve });
    }
  }
  for (const [name, b] of checkBlocks) {
    const rules = decodeCheck(b, diags);
    out.checks.push({ name, rules, resolve: topResolver });
    diags.push(...runCheck(out.checks[out.checks.length - 1], newEvaluator));
  }
  return out;
}

// The warnings of one check block; assertions whose values are not known yet are skipped.
export function runCheck(check: ConfigConditions['checks'][number], newEvaluator: (r: RootResolver) => Evaluator): Diagnostic[] {
  const diags: Diagnostic[] = [];
  for (const rule of check.rules) {
    const r = evaluateRule(rule, newEvaluator(check.resolve), diags);
    if (r.kind === 'fail') diags.push(checkFailed(check.name, rule, r.message));
  }
  // A check never stops a plan or an apply: its evaluation errors are warnings too.
  return diags.map((d) => ({ ...d, severity: 'warning' as const }));
}

function withoutSelf(resolve: RootResolver): RootResolver {
  return (e, d) => {
    if (e.root !== 'self') return resolve(e, d);
    d.push({ severity: 'error', summary: 'Invalid "self" reference', detail: 'The "self" object can be used only in a postcondition, which is checked after apply; a precondition is checked before the VM is changed.', subject: e.range });
    return null;
  };
}

// After apply: the postconditions of one VM, with `self` as the host now reports it.
export function checkPostconditions(c: ConfigConditions, self: ObservedSelf): Diagnostic[] {
  const post = c.postconditions.get(self.address);
  if (!post) return [];
  const diags: Diagnostic[] = [];
  const resolve = withSelf(post.resolve, selfValue(self));
  for (const rule of post.rules) {
    const r = evaluateRule(rule, c.newEvaluator(resolve), diags);
    if (r.kind === 'fail') diags.push(conditionFailed('postcondition', self.address, rule, r.message));
    else if (r.kind === 'unknown') diags.push({ severity: 'error', summary: 'Postcondition not known', detail: `${self.address}: the condition at ${checkedAt(rule)} is still not known after apply.`, subject: rule.condition.range });
  }
  return diags;
}

// After apply: every check block again, as warnings.
export const checkAll = (c: ConfigConditions): Diagnostic[] => c.checks.flatMap((check) => runCheck(check, c.newEvaluator));

// At apply, before the VM's first step: the preconditions that were not known when planning.
export function checkDeferredPreconditions(c: ConfigConditions, address: string): Diagnostic[] {
  const pre = c.deferred.get(address);
  if (!pre) return [];
  const diags: Diagnostic[] = [];
  for (const rule of pre.rules) {
    const r = evaluateRule(rule, c.newEvaluator(withoutSelf(pre.resolve)), diags);
    if (r.kind === 'fail') diags.push(conditionFailed('precondition', address, rule, r.message));
    else if (r.kind === 'unknown') diags.push({ severity: 'error', summary: 'Precondition not known', detail: `${address}: the condition at ${checkedAt(rule)} is still not known when its first step runs.`, subject: rule.condition.range });
  }
  return diags;
}
