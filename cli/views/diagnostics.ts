// Diagnostics for people (file:line:column, the source line, the range underlined)
// and for programs (the JSON of DESIGN.md).
import type { Diagnostic } from '../../lang/diagnostics.js';
import type { Pos, Range } from '../../lang/syntax/ast.js';

export interface RenderOptions {
  color: boolean;
}

export interface DiagnosticJson {
  severity: Diagnostic['severity'];
  summary: string;
  detail: string;
  range?: { filename: string; start: Pos; end: Pos };
}

const MAX_SNIPPET_LINES = 6;

const ansi = (code: string) => (on: boolean, s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);
const bold = ansi('1');
const red = ansi('1;31');
const yellow = ansi('1;33');

// Renders every diagnostic as Terraform does:
//
//   Error: Unsupported argument
//
//     on main.xf.hcl line 3, column 3 (main.xf.hcl:3:3):
//      3:   foo = 1
//           ^^^
//
//   An argument named "foo" is not expected here.
export function renderDiagnostics(
  diags: readonly Diagnostic[],
  files: Record<string, string>,
  { color }: RenderOptions,
): string {
  const lineCache = new Map<string, string[]>();
  const linesOf = (filename: string): string[] | undefined => {
    const src = files[filename];
    if (src === undefined) return undefined;
    let lines = lineCache.get(filename);
    if (!lines) {
      lines = src.split(/\r?\n/);
      lineCache.set(filename, lines);
    }
    return lines;
  };
  return diags.map((d) => renderOne(d, linesOf, color)).join('');
}

function renderOne(d: Diagnostic, linesOf: (f: string) => string[] | undefined, color: boolean): string {
  const label = d.severity === 'error' ? red(color, 'Error') : yellow(color, 'Warning');
  let out = `\n${label}: ${bold(color, d.summary)}\n`;
  const subject = d.subject;
  if (subject) {
    const { filename, start } = subject;
    out += `\n  on ${filename} line ${start.line}, column ${start.column} (${filename}:${start.line}:${start.column}):\n`;
    const lines = linesOf(filename);
    if (lines) out += snippet(lines, subject, d.context, color);
  }
  if (d.detail) out += `\n${d.detail}\n`;
  return out;
}

function snippet(lines: string[], subject: Range, context: Range | undefined, color: boolean): string {
  const within = context && context.filename === subject.filename ? context : subject;
  let first = Math.min(within.start.line, subject.start.line);
  let last = Math.max(within.end.line, subject.start.line);
  // An exclusive end at column 1 ends on the previous line.
  if (last > first && within.end.column === 1 && within.end.line > subject.start.line) last--;
  last = Math.min(last, first + MAX_SNIPPET_LINES - 1, lines.length);
  first = Math.max(1, first);
  const width = String(last).length;
  let out = '';
  for (let n = first; n <= last; n++) {
    const text = lines[n - 1] ?? '';
    out += `  ${String(n).padStart(width + 2)}: ${text}\n`;
    const marks = underline(text, n, subject);
    if (marks) out += `  ${' '.repeat(width + 2)}  ${marks.pad}${red(color, marks.carets)}\n`;
  }
  return out;
}

// The carets under `text` (line number `n`) for the part of `subject` on that line, keeping
// the tabs of the source so the carets line up.
function underline(text: string, n: number, subject: Range): { pad: string; carets: string } | undefined {
  if (n < subject.start.line || n > subject.end.line) return undefined;
  const cps = Array.from(text);
  const from = n === subject.start.line ? subject.start.column - 1 : 0;
  let to = n === subject.end.line ? subject.end.column - 1 : cps.length;
  if (n > subject.start.line && to === 0) return undefined;
  if (to <= from) to = from + 1;
  let pad = '';
  for (let i = 0; i < from; i++) pad += cps[i] === '\t' ? '\t' : ' ';
  return { pad, carets: '^'.repeat(to - from) };
}

export function diagnosticsToJson(diags: readonly Diagnostic[]): DiagnosticJson[] {
  return diags.map((d) => {
    const json: DiagnosticJson = { severity: d.severity, summary: d.summary, detail: d.detail ?? '' };
    if (d.subject) json.range = { filename: d.subject.filename, start: { ...d.subject.start }, end: { ...d.subject.end } };
    return json;
  });
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'error');
}
