// The template half of the parser: decoding literal text, the `~` strip markers, the
// indentation removal of `<<-` heredocs, and turning the flat sequence of template
// pieces into the nested `%{if}` / `%{for}` structure.
import type { Diagnostic } from '../diagnostics.js';
import type { Expression, Range, TemplatePart } from './ast.js';

export type FlatPart =
  | { kind: 'lit'; value: string; range: Range }
  | { kind: 'interp'; expr: Expression; stripLeft: boolean; stripRight: boolean; range: Range }
  | { kind: 'if'; cond: Expression; range: Range }
  | { kind: 'else'; range: Range }
  | { kind: 'endif'; range: Range }
  | { kind: 'for'; keyVar?: string; valueVar: string; coll: Expression; range: Range }
  | { kind: 'endfor'; range: Range };

// Where a piece of literal text starts, to point diagnostics at an escape sequence.
export type OffsetRange = (start: number, end: number) => Range;

const HEX = /^[0-9a-fA-F]+$/;

// The value of a run of quoted-template text: backslash escapes, `$${` and `%%{`.
// `start` is the UTF-16 offset of `text` in the file.
export function decodeQuoted(text: string, start: number, rangeOf: OffsetRange, diags: Diagnostic[]): string {
  if (text.indexOf('\\') < 0 && text.indexOf('{') < 0 && !hasLoneSurrogate(text)) return text.normalize('NFC');
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) {
      const sel = text[i + 1];
      switch (sel) {
        case 'n': out += '\n'; i += 2; continue;
        case 'r': out += '\r'; i += 2; continue;
        case 't': out += '\t'; i += 2; continue;
        case '"': out += '"'; i += 2; continue;
        case '\\': out += '\\'; i += 2; continue;
        case 'u':
        case 'U': {
          const len = sel === 'u' ? 4 : 8;
          const hex = text.slice(i + 2, i + 2 + len);
          if (hex.length !== len || !HEX.test(hex)) {
            diags.push({
              severity: 'error',
              summary: 'Invalid escape sequence',
              detail: `The \\${sel} escape sequence must be followed by ${len} hexadecimal digits.`,
              subject: rangeOf(start + i, start + Math.min(n, i + 2 + len)),
            });
            i += 2;
            continue;
          }
          const cp = parseInt(hex, 16);
          if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            diags.push({
              severity: 'error',
              summary: 'Invalid escape sequence',
              detail: `\\${sel}${hex} is not a valid Unicode character: surrogate halves and values above 10FFFF have no character.`,
              subject: rangeOf(start + i, start + i + 2 + len),
            });
          } else {
            out += String.fromCodePoint(cp);
          }
          i += 2 + len;
          continue;
        }
        default: {
          const shown = sel === undefined ? 'end of the string' : `"${sel}"`;
          diags.push({
            severity: 'error',
            summary: 'Invalid escape sequence',
            detail: `The backslash before the ${shown} is not an escape. Use one of \\n, \\r, \\t, \\", \\\\, \\uNNNN or \\UNNNNNNNN, or write \\\\ for a backslash.`,
            subject: rangeOf(start + i, start + Math.min(n, i + 2)),
          });
          i += sel === undefined ? 1 : 2;
          continue;
        }
      }
    }
    if ((c === 36 || c === 37) && text.charCodeAt(i + 1) === c && text.charCodeAt(i + 2) === 123) {
      out += text[i] + '{';
      i += 3;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = text.charCodeAt(i + 1);
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        out += text.slice(i, i + 2);
        i += 2;
        continue;
      }
      diags.push(badEncoding(rangeOf(start + i, start + i + 1)));
      i++;
      continue;
    }
    out += text[i];
    i++;
  }
  return out.normalize('NFC');
}

// The value of a run of heredoc text: only `$${` and `%%{` are escapes.
export function decodeHeredoc(text: string): string {
  if (text.indexOf('{') < 0) return text.normalize('NFC');
  return text.replace(/([$%])\1\{/g, '$1{').normalize('NFC');
}

export function badEncoding(subject: Range): Diagnostic {
  return {
    severity: 'error',
    summary: 'Invalid character encoding',
    detail: 'All input files must be UTF-8 encoded. Ensure that UTF-8 encoding is selected in your editor.',
    subject,
  };
}

function hasLoneSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
      return true;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

// `<<-` heredocs: the smallest indentation of the lines that are not blank is removed
// from the start of every line. Lines are the literal pieces that follow a newline; a
// line starting with an interpolation has no indentation. Runs after strip markers, as
// in HCL, so `~}` can join lines.
export function flushHeredoc(parts: FlatPart[]): void {
  let min = Infinity;
  let lineStart = true;
  const adjust: number[] = [];
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k];
    if (lineStart) {
      lineStart = false;
      if (part.kind === 'lit') {
        const trimmed = part.value.trimStart();
        if (trimmed.length === 0 && part.value.endsWith('\n')) {
          // a blank line does not count
        } else {
          const spaces = countCodePoints(part.value, part.value.length - trimmed.length);
          if (spaces < min) min = spaces;
          adjust.push(k);
        }
      } else {
        min = 0;
      }
    }
    if (part.kind === 'lit' && part.value.endsWith('\n')) lineStart = true;
  }
  if (min === Infinity || min === 0) return;
  for (const k of adjust) {
    const part = parts[k] as { kind: 'lit'; value: string; range: Range };
    part.value = dropCodePoints(part.value, min);
  }
}

function countCodePoints(s: string, units: number): number {
  let count = 0;
  for (let i = 0; i < units; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) i++;
    count++;
  }
  return count;
}

function dropCodePoints(s: string, count: number): string {
  let i = 0;
  while (count > 0 && i < s.length) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    count--;
  }
  return s.slice(i);
}

const MAX_DIRECTIVE_DEPTH = 100;

const DIRECTIVE_NAME = { if: '%{if}', else: '%{else}', endif: '%{endif}', for: '%{for}', endfor: '%{endfor}' } as const;

// The nested template from its flat pieces, with a diagnostic for every `%{else}`,
// `%{endif}` or `%{endfor}` out of place and every directive left open.
export function buildTemplate(parts: FlatPart[], diags: Diagnostic[]): TemplatePart[] {
  let k = 0;
  let depth = 0;
  const sequence = (closers: readonly FlatPart['kind'][]): TemplatePart[] => {
    const out: TemplatePart[] = [];
    if (depth >= MAX_DIRECTIVE_DEPTH) {
      diags.push({
        severity: 'error',
        summary: `Template directives nested too deeply (more than ${MAX_DIRECTIVE_DEPTH} levels)`,
        detail: `Template directives may nest at most ${MAX_DIRECTIVE_DEPTH} levels deep. Split this template.`,
        subject: parts[k - 1].range,
      });
      return out;
    }
    depth++;
    try {
      return sequenceAt(closers, out);
    } finally {
      depth--;
    }
  };
  const sequenceAt = (closers: readonly FlatPart['kind'][], out: TemplatePart[]): TemplatePart[] => {
    while (k < parts.length) {
      const part = parts[k];
      switch (part.kind) {
        case 'lit':
          out.push({ kind: 'TemplateLiteral', value: part.value, range: part.range });
          k++;
          break;
        case 'interp':
          out.push({ kind: 'TemplateInterp', expr: part.expr, stripLeft: part.stripLeft, stripRight: part.stripRight, range: part.range });
          k++;
          break;
        case 'if': {
          k++;
          const then = sequence(['else', 'endif']);
          let otherwise: TemplatePart[] | undefined;
          if (parts[k]?.kind === 'else') {
            k++;
            otherwise = sequence(['endif']);
          }
          const end = parts[k];
          if (end?.kind === 'endif') {
            k++;
          } else {
            diags.push({
              severity: 'error',
              summary: 'Unterminated template if',
              detail: 'This %{if} has no matching %{endif}. Add %{endif} where the conditional text ends.',
              subject: part.range,
            });
          }
          const last = end?.kind === 'endif' ? end.range : lastRange(otherwise ?? then, part.range);
          out.push({ kind: 'TemplateIf', cond: part.cond, then, else: otherwise, range: { filename: part.range.filename, start: part.range.start, end: last.end } });
          break;
        }
        case 'for': {
          k++;
          const body = sequence(['endfor']);
          const end = parts[k];
          if (end?.kind === 'endfor') {
            k++;
          } else {
            diags.push({
              severity: 'error',
              summary: 'Unterminated template for',
              detail: 'This %{for} has no matching %{endfor}. Add %{endfor} where the repeated text ends.',
              subject: part.range,
            });
          }
          const last = end?.kind === 'endfor' ? end.range : lastRange(body, part.range);
          out.push({
            kind: 'TemplateFor',
            keyVar: part.keyVar,
            valueVar: part.valueVar,
            collection: part.coll,
            body,
            range: { filename: part.range.filename, start: part.range.start, end: last.end },
          });
          break;
        }
        default:
          if (closers.includes(part.kind)) return out;
          diags.push({
            severity: 'error',
            summary: `Unexpected ${DIRECTIVE_NAME[part.kind]}`,
            detail:
              part.kind === 'endfor'
                ? 'There is no %{for} open here for this %{endfor} to close. Remove it or add the %{for} it belongs to.'
                : `There is no %{if} open here for this ${DIRECTIVE_NAME[part.kind]} to belong to. Remove it or add the %{if} it belongs to.`,
            subject: part.range,
          });
          k++;
      }
    }
    return out;
  };
  const all: TemplatePart[] = [];
  while (k < parts.length) for (const part of sequence([])) all.push(part);
  return all;
}

function lastRange(parts: TemplatePart[], fallback: Range): Range {
  return parts.length > 0 ? parts[parts.length - 1].range : fallback;
}
