// Typed reading of evaluated arguments: strings, numbers, enumerations, sizes, durations,
// with errors that point at the argument's expression.
import type { Attribute, Expression, Range } from '../../lang/syntax/ast.js';
import { findReferences } from '../../lang/eval/references.js';
import { suggest } from '../../lang/didyoumean.js';
import { convert } from '../../lang/eval/convert.js';
import type { Evaluator } from '../../lang/eval/expressions.js';
import { UNKNOWN, type Unknown } from './types.js';
import { evalAttribute } from './dynamic-blocks.js';
import { SIZE_FORMS, formatSize, parseDuration, parseSize } from './units.js';
import { BOOL, NUMBER, STRING, type Type, type Value, isUnknownValue, isWhollyKnown, listOf, mapOf, setOwn, toJs } from '../../lang/eval/value.js';

// The variables of an evaluation whose values failed (validation, type): already reported, so
// what derives from them is not reported again as "known only after apply".
export const failedVariables = new WeakMap<Evaluator, ReadonlySet<string>>();

export class Decoder {
  constructor(
    readonly ev: Evaluator,
    readonly ranges: Record<string, Range>, // path -> where it was set
  ) {}

  error(summary: string, detail: string, subject: Range): undefined {
    this.ev.diagnostics.push({ severity: 'error', summary, detail, subject });
    return undefined;
  }

  private knownOnlyAfterApply(path: string, r: Range, expr?: Expression): undefined {
    const failed = failedVariables.get(this.ev);
    if (expr && failed && findReferences(expr).some((ref) => ref.root === 'var' && failed.has(ref.name))) return undefined;
    return this.error(
      `Invalid value for "${path}"`,
      `The value of "${path}" depends on values known only after apply, such as the uuid of a VM yet to be created; it must be known when planning.`,
      r,
    );
  }

  // Evaluates and converts; undefined when absent, null, or wrong (after reporting).
  value(attr: Attribute | undefined, want: Type, path: string, allowUnknown = false): Value | undefined {
    if (!attr) return undefined;
    this.ranges[path] = attr.expr.range;
    const before = this.ev.diagnostics.length;
    const v = evalAttribute(this.ev, attr);
    if (this.ev.diagnostics.length > before) return undefined;
    if (v.raw === null) return undefined;
    const c = convert(v, want);
    if (!c.ok) return this.error('Incorrect attribute value type', `Inappropriate value for attribute "${path}": ${c.error}.`, attr.expr.range);
    if (!allowUnknown && !isWhollyKnown(c.value)) return this.knownOnlyAfterApply(path, attr.expr.range, attr.expr);
    return c.value;
  }

  // A free-form string, which may be known only after apply.
  text(attr: Attribute | undefined, path: string): string | Unknown | undefined {
    const v = this.value(attr, STRING, path, true);
    if (!v) return undefined;
    return isUnknownValue(v) ? UNKNOWN : (v.raw as string);
  }

  knownText(attr: Attribute | undefined, path: string): string | undefined {
    const v = this.value(attr, STRING, path);
    return v ? (v.raw as string) : undefined;
  }

  oneOf<T extends string>(attr: Attribute | undefined, path: string, allowed: readonly T[]): T | undefined {
    const s = this.knownText(attr, path);
    if (s === undefined) return undefined;
    if ((allowed as readonly string[]).includes(s)) return s as T;
    const close = suggest(s, allowed);
    return this.error(
      'Invalid value',
      `"${path}" must be one of ${allowed.map((a) => `"${a}"`).join(', ')}; got "${s}".${close ? ` Did you mean "${close}"?` : ''}`,
      attr!.expr.range,
    );
  }

  number(attr: Attribute | undefined, path: string, min: number): number | undefined {
    const v = this.value(attr, NUMBER, path);
    if (!v) return undefined;
    const n = v.raw as number;
    if (!Number.isInteger(n) || n < min) {
      return this.error('Invalid value', `"${path}" must be a whole number of at least ${min}; got ${n}.`, attr!.expr.range);
    }
    return n;
  }

  bool(attr: Attribute | undefined, path: string): boolean | undefined {
    const v = this.value(attr, BOOL, path);
    return v ? (v.raw as boolean) : undefined;
  }

  size(attr: Attribute | undefined, path: string, min = 0): number | undefined {
    if (!attr) return undefined;
    this.ranges[path] = attr.expr.range;
    const before = this.ev.diagnostics.length;
    const v = evalAttribute(this.ev, attr);
    if (this.ev.diagnostics.length > before || v.raw === null) return undefined;
    if (isUnknownValue(v)) return this.knownOnlyAfterApply(path, attr.expr.range, attr.expr);
    if (v.type.kind !== 'string' && v.type.kind !== 'number') {
      return this.error('Invalid size', `Invalid value for "${path}": use ${SIZE_FORMS}.`, attr.expr.range);
    }
    const r = parseSize(v.raw as string | number);
    if ('error' in r) return this.error('Invalid size', `Invalid value for "${path}": ${r.error}`, attr.expr.range);
    if (r.bytes < min) return this.error('Invalid size', `Invalid value for "${path}": ${JSON.stringify(v.raw)} is below the smallest allowed, ${formatSize(min)}.`, attr.expr.range);
    return r.bytes;
  }

  duration(attr: Attribute | undefined, path: string): number | undefined {
    const s = this.knownText(attr, path);
    if (s === undefined) return undefined;
    const r = parseDuration(s);
    if ('error' in r) return this.error('Invalid duration', `Invalid value for "${path}": ${r.error}`, attr!.expr.range);
    return r.ms;
  }

  // Elements may be known only after apply (they then hold UNKNOWN).
  stringList(attr: Attribute | undefined, path: string): string[] | undefined {
    const v = this.value(attr, listOf(STRING), path, true);
    if (!v) return undefined;
    if (isUnknownValue(v)) return this.knownOnlyAfterApply(path, attr!.expr.range, attr!.expr);
    const out: string[] = [];
    for (const e of v.raw as Value[]) {
      if (e.raw === null) return this.error('Invalid value', `"${path}" must not contain null elements.`, attr!.expr.range);
      out.push(toJs(e, UNKNOWN) as string);
    }
    return out;
  }

  stringMap(attr: Attribute | undefined, path: string): Record<string, string> | undefined {
    const v = this.value(attr, mapOf(STRING), path, true);
    if (!v) return undefined;
    if (isUnknownValue(v)) return this.knownOnlyAfterApply(path, attr!.expr.range, attr!.expr);
    const out: Record<string, string> = {};
    for (const [k, e] of v.raw as Map<string, Value>) {
      if (e.raw === null) return this.error('Invalid value', `"${path}" must not contain null values (key "${k}").`, attr!.expr.range);
      setOwn(out, k, toJs(e, UNKNOWN));
    }
    return out;
  }
}
