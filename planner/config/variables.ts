// Input variables: their declarations, and their values from XF_VAR_* environment
// variables, *.auto.xfvars.hcl files, --var-file and --var, in Terraform's precedence.
import path from 'node:path';
import type { Diagnostic } from '../../lang/diagnostics.js';
import type { Block, Expression, Range } from '../../lang/syntax/ast.js';
import { parse } from '../../lang/syntax/parser.js';
import { suggest } from '../../lang/didyoumean.js';
import { type BodySchema, blockHeader, checkBody, rangeText } from '../../lang/body.js';
import { convert } from '../../lang/eval/convert.js';
import { Evaluator, type RootResolver } from '../../lang/eval/expressions.js';
import type { FnContext } from '../../lang/functions/spec.js';
import { typeFromExpr } from '../../lang/eval/typeexpr.js';
import { decodeText } from '../../lang/source.js';
import { BOOL, DYNAMIC, STRING, type Type, type Value, isPrimitive, isUnknownValue, str } from '../../lang/eval/value.js';

export interface VariableDecl {
  name: string;
  block: Block;
  type: Type;
  literalValues: boolean; // --var/XF_VAR_ text is taken as a string, not parsed as HCL
  default?: Value;
  sensitive: boolean;
  nullable: boolean;
  validations: { condition: Expression; errorMessage?: Expression; block: Block }[];
  broken: boolean; // the declaration has errors of its own: its value is not looked for
}

const VARIABLE_SCHEMA: BodySchema = {
  attributes: ['type', 'default', 'description', 'sensitive', 'nullable'],
  blocks: { validation: { labels: [], multiple: true } },
};
const VALIDATION_SCHEMA: BodySchema = { attributes: ['condition', 'error_message'] };

const constantsOnly: RootResolver = (e, diags) => {
  diags.push({ severity: 'error', summary: 'Variables not allowed', detail: 'Variables may not be used here.', subject: e.range });
  return null;
};

export function constantEvaluator(fn: FnContext, functions: boolean): Evaluator {
  return new Evaluator({ resolve: constantsOnly, functions, fn });
}

export function declareVariable(block: Block, diags: Diagnostic[], fn: FnContext): VariableDecl {
  const before = diags.length;
  const { attrs, blocks } = checkBody(block.body, VARIABLE_SCHEMA, diags, 'in a variable block');
  const ev = constantEvaluator(fn, false);
  const decl: VariableDecl = {
    name: block.labels[0],
    block,
    type: DYNAMIC,
    literalValues: true,
    sensitive: false,
    nullable: true,
    validations: [],
    broken: false,
  };
  const typeAttr = attrs.get('type');
  if (typeAttr) {
    const t = typeFromExpr(typeAttr.expr, (e) => ev.eval(e));
    diags.push(...t.diagnostics);
    decl.type = t.type;
    decl.literalValues = isPrimitive(t.type);
  }
  for (const flag of ['sensitive', 'nullable'] as const) {
    const a = attrs.get(flag);
    if (!a) continue;
    const v = convert(ev.eval(a.expr), BOOL);
    if (!v.ok || v.value.raw === null) {
      diags.push({ severity: 'error', summary: 'Incorrect attribute value type', detail: `Inappropriate value for attribute "${flag}": a bool is required.`, subject: a.expr.range });
    } else decl[flag] = v.value.raw as boolean;
  }
  const dflt = attrs.get('default');
  if (dflt) {
    const v = ev.eval(dflt.expr);
    const c = convert(v, decl.type);
    if (!c.ok) {
      diags.push({
        severity: 'error',
        summary: 'Invalid default value for variable',
        detail: `This default value is not compatible with the variable's type constraint: ${c.error}.`,
        subject: dflt.expr.range,
      });
    } else decl.default = c.value;
  }
  diags.push(...ev.diagnostics);
  for (const vb of blocks.get('validation') ?? []) {
    const c = checkBody(vb.body, VALIDATION_SCHEMA, diags, 'in a validation block');
    const cond = c.attrs.get('condition');
    if (!cond) {
      diags.push({ severity: 'error', summary: 'Missing required argument', detail: 'The argument "condition" is required, but no definition was found.', subject: blockHeader(vb) });
      continue;
    }
    decl.validations.push({ condition: cond.expr, errorMessage: c.attrs.get('error_message')?.expr, block: vb });
  }
  decl.broken = diags.length > before;
  return decl;
}

type Source = 'env' | 'auto' | 'file' | 'cli' | 'module';

interface GivenValue {
  source: Source;
  text?: string; // from --var or the environment: parsed according to the variable's type
  value?: Value; // from a file
  range?: Range;
  where: string; // for messages
}

export interface VariableInputs {
  vars?: Record<string, string>;
  varFiles?: string[];
  env?: Record<string, string | undefined>;
  // A module's inputs: the arguments of the module call, the only source of its values.
  moduleCall?: { range: Range; args: Map<string, { value: Value; range: Range }> };
}

export interface VariableResult {
  values: Map<string, Value>;
  diagnostics: Diagnostic[];
}

// Reads every source of values and returns, per name, the one that wins (the last given).
function collectGiven(
  dir: string,
  inputs: VariableInputs,
  files: Record<string, string>,
  fn: FnContext,
  diags: Diagnostic[],
): Map<string, GivenValue> {
  const given = new Map<string, GivenValue>();
  if (inputs.moduleCall) {
    const where = `the module call at ${rangeText(inputs.moduleCall.range)}`;
    for (const [k, a] of inputs.moduleCall.args) given.set(k, { source: 'module', value: a.value, range: a.range, where });
    return given;
  }
  for (const [k, v] of Object.entries(inputs.env ?? process.env)) {
    if (k.startsWith('XF_VAR_') && v !== undefined && k.length > 7) {
      given.set(k.slice(7), { source: 'env', text: v, where: `the environment variable ${k}` });
    }
  }
  const readFile = (file: string, source: Source) => {
    const read = fn.source.readFile(path.resolve(dir, file));
    if (!('bytes' in read)) {
      diags.push({ severity: 'error', summary: 'Failed to read variables file', detail: `Given variables file ${file} does not exist.` });
      return;
    }
    const text = decodeText(read.bytes);
    files[file] = text;
    const parsed = parse(text, file);
    diags.push(...parsed.diagnostics);
    if (parsed.diagnostics.some((d) => d.severity === 'error')) return;
    const ev = constantEvaluator(fn, false);
    for (const item of parsed.file.body.items) {
      if (item.kind === 'Block') {
        diags.push({ severity: 'error', summary: 'Unexpected block', detail: 'Blocks are not allowed in a variables file; use name = value.', subject: item.typeRange });
        continue;
      }
      const v = ev.eval(item.expr);
      given.set(item.name, { source, value: v, range: item.expr.range, where: `file "${file}"` });
    }
    diags.push(...ev.diagnostics);
  };
  const listing = fn.source.readDir(dir);
  const auto = 'names' in listing ? listing.names.filter((f) => f.endsWith('.auto.xfvars.hcl')).sort() : [];
  for (const f of auto) readFile(f, 'auto');
  for (const f of inputs.varFiles ?? []) readFile(f, 'file');
  for (const [k, v] of Object.entries(inputs.vars ?? {})) given.set(k, { source: 'cli', text: v, where: 'the command line' });
  return given;
}

function parseText(g: GivenValue, name: string, decl: VariableDecl, fn: FnContext, diags: Diagnostic[]): Value | null {
  if (decl.literalValues) return str(g.text!);
  const filename = `<value for var.${name}>`;
  const parsed = parse(`value = ${g.text}\n`, filename);
  const items = parsed.file.body.items;
  if (parsed.diagnostics.some((d) => d.severity === 'error') || items.length !== 1 || items[0].kind !== 'Attribute') {
    diags.push({
      severity: 'error',
      summary: 'Invalid value for input variable',
      detail: `The value for var.${name} given by ${g.where} is not a valid expression: ${JSON.stringify(g.text)}. Values for variables of type ${decl.type.kind} are written in HCL, like ["a", "b"] or {a = 1}.`,
    });
    return null;
  }
  const ev = constantEvaluator(fn, false);
  const v = ev.eval(items[0].expr);
  if (ev.diagnostics.length) {
    diags.push(...ev.diagnostics.map((d) => ({ ...d, subject: undefined, detail: `${d.detail} (in the value for var.${name} given by ${g.where})` })));
    return null;
  }
  return v;
}

export function resolveVariables(
  decls: Map<string, VariableDecl>,
  dir: string,
  inputs: VariableInputs,
  files: Record<string, string>,
  fn: FnContext,
): VariableResult {
  const diagnostics: Diagnostic[] = [];
  const given = collectGiven(dir, inputs, files, fn, diagnostics);
  const values = new Map<string, Value>();
  for (const [name, g] of given) {
    if (decls.has(name) || g.source === 'env') continue;
    const s = suggest(name, decls.keys());
    const hint = s ? ` Did you mean "${s}"?` : '';
    if (g.source === 'cli') {
      diagnostics.push({
        severity: 'error',
        summary: 'Value for undeclared variable',
        detail: `A variable named "${name}" was assigned on the command line, but the configuration does not declare a variable of that name.${hint} To use this value, add a "variable" block to the configuration.`,
      });
    } else {
      diagnostics.push({
        severity: 'warning',
        summary: 'Value for undeclared variable',
        detail: `The configuration does not declare a variable named "${name}" but a value was found in ${g.where}.${hint} If you meant to use this value, add a "variable" block to the configuration.`,
        ...(g.range ? { subject: g.range } : {}),
      });
    }
  }
  for (const [name, decl] of decls) {
    if (decl.broken) continue;
    const g = given.get(name);
    const declaredAt = rangeText(decl.block.labelRanges[0] ?? decl.block.typeRange);
    let v: Value | null;
    if (g === undefined) {
      if (decl.default === undefined) {
        diagnostics.push({
          severity: 'error',
          summary: 'No value for required variable',
          detail: inputs.moduleCall
            ? `The input variable "${name}" is not set, and has no default value. The module call at ${rangeText(inputs.moduleCall.range)} must set ${name} = ….`
            : `The input variable "${name}" is not set, and has no default value. Use a --var or --var-file command line argument, a *.auto.xfvars.hcl file or the XF_VAR_${name} environment variable to provide a value for this variable.`,
          subject: inputs.moduleCall?.range ?? blockHeader(decl.block),
        });
        continue;
      }
      v = decl.default;
    } else {
      v = g.text !== undefined ? parseText(g, name, decl, fn, diagnostics) : g.value!;
      if (v === null) continue;
      const c = convert(v, decl.type);
      if (!c.ok) {
        diagnostics.push({
          severity: 'error',
          summary: 'Invalid value for input variable',
          detail: `The value for var.${name} given by ${g.where} is not suitable for the variable declared at ${declaredAt}: ${c.error}.`,
          ...(g.range ? { subject: g.range } : {}),
        });
        continue;
      }
      v = c.value;
    }
    if (v.raw === null && !decl.nullable) {
      if (decl.default !== undefined && decl.default.raw !== null) v = decl.default;
      else {
        diagnostics.push({
          severity: 'error',
          summary: 'Required variable not set',
          detail: `Unsuitable value for var.${name}: required variable may not be set to null.`,
          subject: g?.range ?? blockHeader(decl.block),
        });
        continue;
      }
    }
    if (checkValidations(decl, v, g?.range, fn, diagnostics)) values.set(name, v);
  }
  return { values, diagnostics };
}

function checkValidations(decl: VariableDecl, v: Value, valueRange: Range | undefined, fn: FnContext, diags: Diagnostic[]): boolean {
  let ok = true;
  const self = new Map([[decl.name, v]]);
  const resolve: RootResolver = (e, d) => {
    const first = e.traversal[0];
    if (e.root === 'var' && first?.kind === 'GetAttr' && self.has(first.name)) return { value: self.get(first.name)!, consumed: 1 };
    d.push({
      severity: 'error',
      summary: 'Invalid reference in variable validation',
      detail: `The condition for variable "${decl.name}" can only refer to the variable itself, using var.${decl.name}.`,
      subject: e.range,
    });
    return null;
  };
  for (const val of decl.validations) {
    const ev = new Evaluator({ resolve, functions: true, fn });
    const c = ev.eval(val.condition);
    if (ev.diagnostics.length) {
      diags.push(...ev.diagnostics);
      ok = false;
      continue;
    }
    if (isUnknownValue(c)) continue;
    const b = convert(c, BOOL);
    if (!b.ok || b.value.raw === null) {
      diags.push({ severity: 'error', summary: 'Invalid validation result', detail: 'The validation condition must return true or false.', subject: val.condition.range });
      ok = false;
      continue;
    }
    if (b.value.raw === true) continue;
    let message = `The value of var.${decl.name} is not valid.`;
    if (val.errorMessage) {
      const m = convert(ev.eval(val.errorMessage), STRING);
      if (m.ok && typeof m.value.raw === 'string') message = m.value.raw;
    }
    diags.push({
      severity: 'error',
      summary: 'Invalid value for variable',
      detail: `${message}\n\nThis was checked by the validation rule at ${rangeText(val.condition.range)}.`,
      subject: valueRange ?? val.condition.range,
    });
    ok = false;
  }
  return ok;
}
