// Our syntax tree in the shape that hcl2-parser (HashiCorp's parser through hcl2json)
// returns, so the two can be compared: blocks as nested objects of arrays keyed by type
// then labels, literal values evaluated, other expressions as "${source text}", templates
// as their source with interpolations kept. A file that hcl2json cannot convert (a
// labelled and an unlabelled block of one type, `!1`, a null in a template…) throws, as
// hcl2json does.
import type { Block, Body, Expression, File, TemplatePart } from '../../lang/syntax/ast.js';

export type Shape = null | boolean | number | string | Shape[] | { [key: string]: Shape };
type Obj = { [key: string]: Shape };

export class ConversionError extends Error {}

export function toOracleShape(file: File): Obj {
  return new Converter(file).body(file.body);
}

class Converter {
  private readonly bytes: Buffer;
  constructor(file: File) {
    this.bytes = Buffer.from(file.bytes, 'utf8');
  }

  body(body: Body): Obj {
    const out: Obj = {};
    for (const item of body.items) if (item.kind === 'Block') this.block(item, out);
    for (const item of body.items) if (item.kind === 'Attribute') out[item.name] = this.expression(item.expr);
    return out;
  }

  private block(block: Block, into: Obj): void {
    let out = into;
    let key = block.type;
    for (const label of block.labels) {
      if (Object.prototype.hasOwnProperty.call(out, key)) {
        const next = out[key];
        if (Array.isArray(next) || typeof next !== 'object' || next === null) throw new ConversionError(`block ${block.type} mixes labelled and unlabelled forms`);
        out = next;
      } else {
        const next: Obj = {};
        out[key] = next;
        out = next;
      }
      key = label;
    }
    const value = this.body(block.body);
    if (Object.prototype.hasOwnProperty.call(out, key)) {
      const current = out[key];
      if (!Array.isArray(current)) throw new ConversionError(`block ${block.type} mixes labelled and unlabelled forms`);
      current.push(value);
    } else {
      out[key] = [value];
    }
  }

  // The source text of a range, with hcl2json's habit of taking a ")" that follows it.
  private source(e: { range: { start: { byte: number }; end: { byte: number } } }): string {
    let end = e.range.end.byte;
    if (end < this.bytes.length && this.bytes[end] === 0x29) end++;
    return this.bytes.subarray(e.range.start.byte, end).toString('utf8');
  }

  private wrap(e: Expression): string {
    return '${' + this.source(e) + '}';
  }

  expression(e: Expression): Shape {
    switch (e.kind) {
      case 'LiteralValue':
        return e.value;
      case 'UnaryOpExpr': {
        if (e.operand.kind !== 'LiteralValue') return this.wrap(e);
        const v = e.operand.value;
        if (e.op === '-') {
          if (typeof v !== 'number') throw new ConversionError('"-" of a value that is not a number');
          return -v;
        }
        if (typeof v !== 'boolean') throw new ConversionError('"!" of a value that is not a bool');
        return !v;
      }
      case 'TemplateExpr':
        return this.templateParts(e.parts);
      case 'TemplateWrapExpr':
        return this.expression(e.wrapped);
      case 'TupleConsExpr':
        return e.exprs.map((x) => this.expression(x));
      case 'ObjectConsExpr': {
        const out: Obj = {};
        for (const item of e.items) {
          const key = this.key(item.key);
          out[key] = this.expression(item.value);
        }
        return out;
      }
      default:
        return this.wrap(e);
    }
  }

  private key(k: Expression): string {
    const wrapped = k.kind === 'ObjectConsKeyExpr' ? k.wrapped : k;
    if (wrapped.kind === 'ScopeTraversalExpr') return this.source(wrapped);
    return this.stringPart(wrapped);
  }

  private templateParts(parts: TemplatePart[]): string {
    let out = '';
    for (const part of parts) {
      switch (part.kind) {
        case 'TemplateLiteral':
          out += part.value;
          break;
        case 'TemplateInterp':
          out += this.stringPart(part.expr);
          break;
        case 'TemplateIf':
          out += ifText(this.source(part.cond), this.templateParts(part.then), part.else ? this.templateParts(part.else) : '');
          break;
        case 'TemplateFor':
          out += `%{for ${part.keyVar !== undefined ? part.keyVar + ', ' : ''}${part.valueVar} in ${this.source(part.collection)}}${this.templateParts(part.body)}%{endfor}`;
          break;
      }
    }
    return out;
  }

  private stringPart(e: Expression): string {
    switch (e.kind) {
      case 'LiteralValue':
        if (e.value === null) throw new ConversionError('value is null');
        if (typeof e.value === 'number') return decimalText(this.bytes.subarray(e.range.start.byte, e.range.end.byte).toString('utf8'));
        return String(e.value);
      case 'TemplateExpr':
        return this.templateParts(e.parts);
      case 'TemplateWrapExpr':
        return this.stringPart(e.wrapped);
      case 'ConditionalExpr':
        return ifText(this.source(e.condition), this.stringPart(e.trueResult), this.stringPart(e.falseResult));
      default:
        return this.wrap(e);
    }
  }
}

function ifText(cond: string, then: string, otherwise: string): string {
  return `%{if ${cond}}${then}${otherwise.length > 0 ? `%{else}${otherwise}` : ''}%{endif}`;
}

// A number literal as cty prints it when converting to a string: plain decimal notation,
// exact, without redundant zeros.
export function decimalText(literal: string): string {
  const m = /^([0-9]+)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/.exec(literal);
  if (!m) return literal;
  const frac = m[2] ?? '';
  let digits = (m[1] + frac).replace(/^0+/, '');
  let exp = Number(m[3] ?? '0') - frac.length;
  if (digits === '') return '0';
  const trailing = /0*$/.exec(digits)![0].length;
  digits = digits.slice(0, digits.length - trailing);
  exp += trailing;
  if (exp >= 0) return digits + '0'.repeat(exp);
  const point = digits.length + exp;
  if (point > 0) return `${digits.slice(0, point)}.${digits.slice(point)}`;
  return `0.${'0'.repeat(-point)}${digits}`;
}
