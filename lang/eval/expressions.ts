// Evaluates expressions of the syntax tree into values, with Terraform's semantics.
// Errors become diagnostics; an expression that fails evaluates to an unknown value so
// that one mistake does not cascade into more.
import { type Diagnostic, errorAt } from '../diagnostics.js';
import type {
  AnonSymbolExpr,
  Expression,
  ForExpr,
  FunctionCallExpr,
  Range,
  ScopeTraversalExpr,
  SplatExpr,
  TemplatePart,
  Traverser,
} from '../syntax/ast.js';
import { didYouMean } from '../didyoumean.js';
import { convert, unifyAll } from './convert.js';
import { getAttr, index } from './traversal.js';
import { callFunction, FUNCTIONS, functionNames } from '../functions/index.js';
import { MAX_STRING, type FnContext } from '../functions/spec.js';
import {
  BOOL,
  DYNAMIC,
  NUMBER,
  STRING,
  type Type,
  type Value,
  assertNever,
  bool,
  isUnknownValue,
  isWhollyKnown,
  list,
  num,
  object,
  str,
  tuple,
  typeName,
  unknownOf,
  valueEquals,
  entries,
  elements,
} from './value.js';

// Resolves a reference rooted at a name the evaluator does not bind itself (var, local, vm…).
// Returns the value and how many traversal steps after the root it consumed, or pushes
// a diagnostic and returns null.
export type RootResolver = (expr: ScopeTraversalExpr, diags: Diagnostic[]) => { value: Value; consumed: number } | null;

export interface EvalOptions {
  resolve: RootResolver;
  functions: boolean; // false where only constants are allowed (variable files)
  fn: FnContext;
}

// Terraform computes in arbitrary precision, so 0.1 + 0.2 is 0.3; fractions drop binary noise.
const arith = (n: number): Value => num(Number.isInteger(n) || !Number.isFinite(n) ? n : Number.parseFloat(n.toPrecision(15)));

// A template's text as it is built; `stopped` once it grew past the string limit.
interface TemplateOut {
  text: string;
  unknown: boolean;
  stopped: boolean;
}

export class Evaluator {
  readonly diagnostics: Diagnostic[] = [];
  private locals: Map<string, Value>[] = [];
  private splatItems: Value[] = [];

  constructor(private readonly opts: EvalOptions) {}

  // Evaluates with extra names bound (template variables, for-expression iterators).
  withLocals<T>(bindings: Map<string, Value>, f: () => T): T {
    this.locals.push(bindings);
    try {
      return f();
    } finally {
      this.locals.pop();
    }
  }

  eval(e: Expression): Value {
    switch (e.kind) {
      case 'LiteralValue':
        if (e.value === null) return { type: DYNAMIC, raw: null };
        if (typeof e.value === 'string') return str(e.value);
        if (typeof e.value === 'number') return num(e.value);
        return bool(e.value);
      case 'TemplateExpr':
        return this.template(e.parts);
      case 'TemplateWrapExpr':
        return this.eval(e.wrapped);
      case 'ParenthesesExpr':
        return this.eval(e.expr);
      case 'ScopeTraversalExpr':
        return this.traversal(e);
      case 'RelativeTraversalExpr':
        return this.traverse(this.eval(e.source), e.traversal);
      case 'FunctionCallExpr':
        return this.call(e);
      case 'ConditionalExpr':
        return this.conditional(e.condition, e.trueResult, e.falseResult);
      case 'BinaryOpExpr':
        return this.binary(e.op, e.lhs, e.rhs, e.range);
      case 'UnaryOpExpr': {
        const v = this.eval(e.operand);
        const want = e.op === '!' ? BOOL : NUMBER;
        const c = this.operand(v, want, e.operand.range, 'operand', e.range);
        if (c === null) return unknownOf(want);
        if (isUnknownValue(c)) return unknownOf(want);
        return e.op === '!' ? bool(!c.raw) : num(-(c.raw as number));
      }
      case 'TupleConsExpr':
        return tuple(e.exprs.map((x) => this.eval(x)));
      case 'ObjectConsExpr':
        return this.objectCons(e);
      case 'ObjectConsKeyExpr':
        return this.eval(e.wrapped);
      case 'ForExpr':
        return this.forExpr(e);
      case 'IndexExpr':
        return index(this.eval(e.collection), this.eval(e.key), e.key.range, e.range, this.diagnostics);
      case 'SplatExpr':
        return this.splat(e);
      case 'AnonSymbolExpr':
        return this.anon(e);
      case 'TemplateJoinExpr': {
        const t = this.eval(e.tuple);
        if (isUnknownValue(t)) return unknownOf(STRING);
        let out = '';
        for (const part of elements(t)) {
          const s = this.stringPart(part, e.range);
          if (s === null) return unknownOf(STRING);
          out += s;
        }
        return str(out);
      }
      default:
        return assertNever(e);
    }
  }

  private anon(_e: AnonSymbolExpr): Value {
    return this.splatItems.length ? this.splatItems[this.splatItems.length - 1] : unknownOf(DYNAMIC);
  }

  private lookupLocal(name: string): Value | undefined {
    for (let i = this.locals.length - 1; i >= 0; i--) {
      const v = this.locals[i].get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  private traversal(e: ScopeTraversalExpr): Value {
    const bound = this.lookupLocal(e.root);
    if (bound !== undefined) return this.traverse(bound, e.traversal);
    const r = this.opts.resolve(e, this.diagnostics);
    if (r === null) return unknownOf(DYNAMIC);
    return this.traverse(r.value, e.traversal.slice(r.consumed));
  }

  traverse(v: Value, steps: Traverser[]): Value {
    let cur = v;
    for (const step of steps) {
      if (step.kind === 'GetAttr') cur = getAttr(cur, step.name, step.range, this.diagnostics);
      else if (step.kind === 'Index') cur = index(cur, this.eval(step.key), step.key.range, step.range, this.diagnostics);
      // a legacy splat step inside a splat's each: the element itself
    }
    return cur;
  }

  private call(e: FunctionCallExpr): Value {
    if (!this.opts.functions) {
      this.diagnostics.push(errorAt('Function calls not allowed', 'Functions may not be called here.', e.range));
      return unknownOf(DYNAMIC);
    }
    if (e.name === 'try' || e.name === 'can') return this.tryCan(e);
    const spec = Object.hasOwn(FUNCTIONS, e.name) ? FUNCTIONS[e.name] : undefined;
    if (!spec) {
      const ns = e.name.includes('::') ? '' : didYouMean(e.name, functionNames());
      this.diagnostics.push(errorAt('Call to unknown function', `There is no function named "${e.name}".${ns}`, e.nameRange, e.range));
      for (const a of e.args) this.eval(a);
      return unknownOf(DYNAMIC);
    }
    let args = e.args.map((a) => this.eval(a));
    let argRanges = e.args.map((a) => a.range);
    if (e.expandFinal && args.length > 0) {
      const last = args[args.length - 1];
      const lastRange = argRanges[argRanges.length - 1];
      if (isUnknownValue(last)) return unknownOf(spec.returns ?? DYNAMIC);
      const k = last.type.kind;
      if (last.raw === null || (k !== 'list' && k !== 'tuple' && k !== 'set')) {
        this.diagnostics.push(errorAt('Invalid expanding argument value', 'The expanding argument (indicated by ...) must be of a tuple, list, or set type.', lastRange, e.range));
        return unknownOf(DYNAMIC);
      }
      const spread = elements(last);
      args = [...args.slice(0, -1), ...spread];
      argRanges = [...argRanges.slice(0, -1), ...spread.map(() => lastRange)];
    }
    const r = callFunction(spec, args, { name: e.name, range: e.range, argRanges, closeRange: e.closeParenRange }, this.opts.fn);
    for (const d of r.diagnostics) this.diagnostics.push(d);
    return r.value;
  }

  // try() returns the first argument that evaluates without errors; can() says whether one does.
  private tryCan(e: FunctionCallExpr): Value {
    if (e.name === 'can' && e.args.length !== 1) {
      this.diagnostics.push(errorAt('Invalid function arguments', 'Function "can" expects exactly one argument.', e.range));
      return unknownOf(BOOL);
    }
    if (e.args.length === 0) {
      this.diagnostics.push(errorAt('Invalid function arguments', 'Function "try" requires at least one argument.', e.range));
      return unknownOf(DYNAMIC);
    }
    for (const a of e.args) {
      const saved = this.diagnostics.length;
      const v = this.eval(a);
      const failed = this.diagnostics.slice(saved).some((d) => d.severity === 'error');
      this.diagnostics.length = saved;
      if (!failed && !isWhollyKnown(v)) return unknownOf(e.name === 'can' ? BOOL : DYNAMIC);
      if (e.name === 'can') return bool(!failed);
      if (!failed) return v;
    }
    this.diagnostics.push(
      errorAt('Error in function call', 'Call to function "try" failed: no expression succeeded.', e.range),
    );
    return unknownOf(DYNAMIC);
  }

  private condition(v: Value, range: Range): boolean | null | undefined {
    if (isUnknownValue(v)) return undefined;
    if (v.raw === null) {
      this.diagnostics.push(errorAt('Null condition', 'The condition value is null. Conditions must either be true or false.', range));
      return null;
    }
    const c = convert(v, BOOL);
    if (!c.ok) {
      this.diagnostics.push(errorAt('Incorrect condition type', 'The condition expression must be of type bool.', range));
      return null;
    }
    return c.value.raw as boolean;
  }

  private conditional(cond: Expression, t: Expression, f: Expression): Value {
    const c = this.condition(this.eval(cond), cond.range);
    if (c === null) return unknownOf(DYNAMIC);
    if (c === undefined) {
      const u = unifyAll([this.eval(t), this.eval(f)]);
      return unknownOf(u ? u.type : DYNAMIC);
    }
    return this.eval(c ? t : f);
  }

  // Converts an operand; pushes "Invalid operand" and returns null when it does not fit.
  private operand(v: Value, want: Type, range: Range, side: string, context: Range): Value | null {
    if (isUnknownValue(v)) return v;
    if (v.raw === null) {
      this.diagnostics.push(errorAt('Invalid operand', `Unsuitable value for ${side}: a ${want.kind} is required, not null.`, range, context));
      return null;
    }
    const r = convert(v, want);
    if (!r.ok) {
      this.diagnostics.push(errorAt('Invalid operand', `Unsuitable value for ${side}: ${r.error}.`, range, context));
      return null;
    }
    return r.value;
  }

  private binary(op: string, lhsExpr: Expression, rhsExpr: Expression, range: Range): Value {
    const lhs = this.eval(lhsExpr);
    const rhs = this.eval(rhsExpr);
    if (op === '==' || op === '!=') {
      const eq = valueEquals(lhs, rhs);
      if (eq === null) return unknownOf(BOOL);
      return bool(op === '==' ? eq : !eq);
    }
    const logical = op === '&&' || op === '||';
    const want = logical ? BOOL : NUMBER;
    const a = this.operand(lhs, want, lhsExpr.range, 'left operand', range);
    const b = this.operand(rhs, want, rhsExpr.range, 'right operand', range);
    const resultType = logical || op === '<' || op === '<=' || op === '>' || op === '>=' ? BOOL : NUMBER;
    if (a === null || b === null) return unknownOf(resultType);
    if (logical) {
      if (op === '&&' && (a.raw === false || b.raw === false)) return bool(false);
      if (op === '||' && (a.raw === true || b.raw === true)) return bool(true);
    }
    if (isUnknownValue(a) || isUnknownValue(b)) return unknownOf(resultType);
    const x = a.raw as number;
    const y = b.raw as number;
    switch (op) {
      case '&&':
        return bool((a.raw as boolean) && (b.raw as boolean));
      case '||':
        return bool((a.raw as boolean) || (b.raw as boolean));
      case '<':
        return bool(x < y);
      case '<=':
        return bool(x <= y);
      case '>':
        return bool(x > y);
      case '>=':
        return bool(x >= y);
      case '+':
        return arith(x + y);
      case '-':
        return arith(x - y);
      case '*':
        return arith(x * y);
      case '/':
      case '%':
        if (y === 0) {
          this.diagnostics.push(errorAt('Operation failed', "Error during operation: can't divide by zero.", range));
          return unknownOf(NUMBER);
        }
        return arith(op === '/' ? x / y : x % y);
      default:
        return unknownOf(DYNAMIC);
    }
  }

  private objectCons(e: Extract<Expression, { kind: 'ObjectConsExpr' }>): Value {
    const out = new Map<string, Value>();
    const where = new Map<string, Range>();
    let unknown = false;
    for (const item of e.items) {
      let keyName: string | null = null;
      const k = item.key;
      if (k.kind === 'ObjectConsKeyExpr' && !k.forceNonLiteral && k.wrapped.kind === 'ScopeTraversalExpr' && k.wrapped.traversal.length === 0) {
        keyName = k.wrapped.root;
      } else {
        const kv = this.eval(k);
        if (isUnknownValue(kv)) unknown = true;
        else if (kv.raw === null) {
          this.diagnostics.push(errorAt('Null value as key', "Can't use a null value as a key.", k.range));
        } else {
          const s = convert(kv, STRING);
          if (!s.ok) this.diagnostics.push(errorAt('Incorrect key type', `Can't use this value as a key: ${s.error}.`, k.range));
          else keyName = s.value.raw as string;
        }
      }
      const v = this.eval(item.value);
      if (keyName === null) continue;
      if (where.has(keyName)) {
        const first = where.get(keyName)!;
        this.diagnostics.push(
          errorAt('Duplicate object attribute', `An attribute named "${keyName}" was already defined at ${first.filename}:${first.start.line},${first.start.column}.`, k.range),
        );
        continue;
      }
      where.set(keyName, k.range);
      out.set(keyName, v);
    }
    if (unknown) return unknownOf(DYNAMIC);
    return object(out);
  }

  // The elements a for-expression or %{for} iterates: [key, value] pairs.
  private iterate(coll: Value, range: Range): [Value, Value][] | null | undefined {
    if (isUnknownValue(coll)) return undefined;
    if (coll.raw === null) {
      this.diagnostics.push(errorAt('Iteration over null value', 'A null value cannot be used as the collection in a \'for\' expression.', range));
      return null;
    }
    switch (coll.type.kind) {
      case 'list':
      case 'tuple':
        return elements(coll).map((v, i) => [num(i), v]);
      case 'set':
        return elements(coll).map((v) => [v, v]);
      case 'map':
      case 'object':
        return [...entries(coll)].map(([k, v]) => [str(k), v]);
      default:
        this.diagnostics.push(
          errorAt('Iteration over non-iterable value', `A value of type ${typeName(coll.type)} cannot be used as the collection in a 'for' expression.`, range),
        );
        return null;
    }
  }

  private forExpr(e: ForExpr): Value {
    const pairs = this.iterate(this.eval(e.collExpr), e.collExpr.range);
    if (pairs === null) return unknownOf(DYNAMIC);
    if (pairs === undefined) return unknownOf(DYNAMIC);
    const values: Value[] = [];
    const keyed = new Map<string, Value[] | Value>();
    let unknown = false;
    for (const [k, v] of pairs) {
      const bindings = new Map<string, Value>([[e.valueVar, v]]);
      if (e.keyVar) bindings.set(e.keyVar, k);
      const done = this.withLocals(bindings, () => {
        if (e.condExpr) {
          const c = this.condition(this.eval(e.condExpr), e.condExpr.range);
          if (c === null) return 'error';
          if (c === undefined) {
            unknown = true;
            return 'skip';
          }
          if (!c) return 'skip';
        }
        if (!e.keyExpr) {
          values.push(this.eval(e.valExpr));
          return 'ok';
        }
        const kv = this.eval(e.keyExpr);
        const val = this.eval(e.valExpr);
        if (isUnknownValue(kv)) {
          unknown = true;
          return 'ok';
        }
        const ks = kv.raw === null ? null : convert(kv, STRING);
        if (ks === null || !ks.ok) {
          this.diagnostics.push(errorAt('Invalid object key', 'Key expression in \'for\' expression must be a string.', e.keyExpr.range));
          return 'error';
        }
        const key = ks.value.raw as string;
        if (e.group) {
          const g = (keyed.get(key) as Value[] | undefined) ?? [];
          g.push(val);
          keyed.set(key, g);
        } else if (keyed.has(key)) {
          this.diagnostics.push(
            errorAt(
              'Duplicate object key',
              `Two different items produced the key "${key}" in this 'for' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key.`,
              e.keyExpr.range,
              e.range,
            ),
          );
          return 'error';
        } else keyed.set(key, val);
        return 'ok';
      });
      if (done === 'error') return unknownOf(DYNAMIC);
    }
    if (unknown) return unknownOf(DYNAMIC);
    if (!e.keyExpr) return tuple(values);
    const m = new Map<string, Value>();
    for (const [k, v] of keyed) m.set(k, e.group ? tuple(v as Value[]) : (v as Value));
    return object(m);
  }

  private splat(e: SplatExpr): Value {
    const src = this.eval(e.source);
    if (isUnknownValue(src)) return unknownOf(DYNAMIC);
    if (src.raw === null) return tuple([]);
    const k = src.type.kind;
    const items = k === 'list' || k === 'tuple' || k === 'set' ? elements(src) : [src];
    const out: Value[] = [];
    for (const item of items) {
      this.splatItems.push(item);
      try {
        out.push(this.eval(e.each));
      } finally {
        this.splatItems.pop();
      }
    }
    if (k === 'list' || k === 'set') {
      const u = unifyAll(out);
      return u ? list(u.values, u.type) : tuple(out);
    }
    if (k !== 'tuple') return out.length ? tuple(out) : tuple([]);
    return tuple(out);
  }

  private stringPart(v: Value, range: Range): string | null {
    if (isUnknownValue(v)) return null;
    if (v.raw === null) {
      this.diagnostics.push(
        errorAt('Invalid template interpolation value', 'The expression result is null. Cannot include a null value in a string template.', range),
      );
      return null;
    }
    const s = convert(v, STRING);
    if (!s.ok) {
      this.diagnostics.push(
        errorAt('Invalid template interpolation value', `Cannot include the given value in a string template: ${s.error}.`, range),
      );
      return null;
    }
    return s.value.raw as string;
  }

  private template(parts: TemplatePart[]): Value {
    const out: TemplateOut = { text: '', unknown: false, stopped: false };
    this.templateParts(parts, out);
    return out.unknown ? unknownOf(STRING) : str(out.text);
  }

  // Appends to a template's text, or reports (once) that it grew past the string limit.
  private templateAppend(out: TemplateOut, s: string, range: Range): void {
    if (out.text.length + s.length <= MAX_STRING) {
      out.text += s;
      return;
    }
    this.diagnostics.push(errorAt('String too long', `This template would produce a string longer than ${MAX_STRING / 1024 / 1024} MiB.`, range));
    out.unknown = true;
    out.stopped = true;
  }

  private templateParts(parts: TemplatePart[], out: TemplateOut): void {
    for (let i = 0; i < parts.length && !out.stopped; i++) {
      const p = parts[i];
      switch (p.kind) {
        case 'TemplateLiteral': {
          let text = p.value;
          const prev = parts[i - 1];
          const next = parts[i + 1];
          if (prev && prev.kind === 'TemplateInterp' && prev.stripRight) text = text.replace(/^\s+/, '');
          if (next && next.kind === 'TemplateInterp' && next.stripLeft) text = text.replace(/\s+$/, '');
          this.templateAppend(out, text, p.range);
          break;
        }
        case 'TemplateInterp': {
          const s = this.stringPart(this.eval(p.expr), p.expr.range);
          if (s === null) out.unknown = true;
          else this.templateAppend(out, s, p.expr.range);
          break;
        }
        case 'TemplateIf': {
          const c = this.condition(this.eval(p.cond), p.cond.range);
          if (c === undefined || c === null) {
            out.unknown = true;
            break;
          }
          if (c) this.templateParts(p.then, out);
          else if (p.else) this.templateParts(p.else, out);
          break;
        }
        case 'TemplateFor': {
          const pairs = this.iterate(this.eval(p.collection), p.collection.range);
          if (!pairs) {
            out.unknown = true;
            break;
          }
          for (const [k, v] of pairs) {
            if (out.stopped) break;
            const bindings = new Map<string, Value>([[p.valueVar, v]]);
            if (p.keyVar) bindings.set(p.keyVar, k);
            this.withLocals(bindings, () => this.templateParts(p.body, out));
          }
          break;
        }
        default:
          assertNever(p);
      }
    }
  }
}
