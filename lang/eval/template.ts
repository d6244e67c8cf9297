// templatefile(): a file's text evaluated as a template with the given variables.
import type { Diagnostic } from '../diagnostics.js';
import type { Range } from '../syntax/ast.js';
import { parse } from '../syntax/parser.js';
import { Evaluator } from './expressions.js';
import { FnError, type FnContext } from '../functions/spec.js';
import { STRING, type Value, isUnknownValue, str, unknownOf } from './value.js';

const MARKER = 'XENFORM_TEMPLATE_END_7f3a';

// The text is parsed as the body of a heredoc, one line below where it really starts;
// ranges in diagnostics are moved back so that they point into the template file.
export function renderTemplateFile(text: string, filename: string, vars: Map<string, Value>, fn: FnContext): Value {
  const header = `t = <<${MARKER}\n`;
  const endsWithNewline = text.endsWith('\n');
  const src = `${header}${text}${endsWithNewline ? '' : '\n'}${MARKER}\n`;
  const parsed = parse(src, filename);
  const shift = (r: Range | undefined): Range | undefined =>
    r && {
      filename: r.filename,
      start: { line: r.start.line - 1, column: r.start.column, byte: Math.max(0, r.start.byte - header.length) },
      end: { line: r.end.line - 1, column: r.end.column, byte: Math.max(0, r.end.byte - header.length) },
    };
  const explain = (ds: Diagnostic[]): never => {
    const d = ds.find((x) => x.severity === 'error')!;
    const where = d.subject ? ` at ${filename}:${shift(d.subject)!.start.line},${d.subject.start.column}` : '';
    throw new FnError(`${d.summary}${where}: ${d.detail ?? ''}`.replace(/[.:]\s*$/, ''), 0);
  };
  if (parsed.diagnostics.some((d) => d.severity === 'error')) explain(parsed.diagnostics);
  const item = parsed.file.body.items[0];
  if (!item || item.kind !== 'Attribute') throw new FnError('the template could not be read', 0);
  const ev = new Evaluator({
    functions: true,
    fn,
    resolve: (e, diags) => {
      const v = vars.get(e.root);
      if (v !== undefined) return { value: v, consumed: 0 };
      diags.push({ severity: 'error', summary: 'Unknown template variable', detail: `vars map does not contain key "${e.root}"`, subject: e.range });
      return null;
    },
  });
  const v = ev.eval(item.expr);
  if (ev.diagnostics.some((d) => d.severity === 'error')) explain(ev.diagnostics);
  if (isUnknownValue(v)) return unknownOf(STRING);
  const s = v.raw as string;
  return str(!endsWithNewline && s.endsWith('\n') ? s.slice(0, -1) : s);
}
