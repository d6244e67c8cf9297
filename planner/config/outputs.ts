// Output blocks: their values, and the rule that an output derived from a sensitive
// variable must say so.
import type { Diagnostic } from '../../lang/diagnostics.js';
import type { Block } from '../../lang/syntax/ast.js';
import { type BodySchema, blockHeader, checkBody } from '../../lang/body.js';
import { convert } from '../../lang/eval/convert.js';
import type { Evaluator } from '../../lang/eval/expressions.js';
import { BOOL, toJs, type Value } from '../../lang/eval/value.js';
import type { Sensitivity } from './sensitive.js';
import { type OutputConfig, UNKNOWN } from './types.js';

const OUTPUT_SCHEMA: BodySchema = { attributes: ['value', 'description', 'sensitive', 'depends_on'] };

export function evaluateOutputs(
  decls: Map<string, Block>,
  newEvaluator: () => Evaluator,
  sensitivity: Sensitivity,
  diags: Diagnostic[],
  values?: Map<string, Value>, // filled with each output's value, for a module's caller
): OutputConfig[] {
  const outputs: OutputConfig[] = [];
  for (const [name, b] of decls) {
    const { attrs } = checkBody(b.body, OUTPUT_SCHEMA, diags, 'in an output block');
    const valueAttr = attrs.get('value');
    if (!valueAttr) {
      diags.push({ severity: 'error', summary: 'Missing required argument', detail: 'The argument "value" is required, but no definition was found.', subject: blockHeader(b) });
      continue;
    }
    const ev = newEvaluator();
    const v = ev.eval(valueAttr.expr);
    let sensitive = false;
    const s = attrs.get('sensitive');
    if (s) {
      const c = convert(ev.eval(s.expr), BOOL);
      if (c.ok && typeof c.value.raw === 'boolean') sensitive = c.value.raw;
      else ev.diagnostics.push({ severity: 'error', summary: 'Incorrect attribute value type', detail: 'Inappropriate value for attribute "sensitive": a bool is required.', subject: s.expr.range });
    }
    const description = attrs.get('description');
    if (description) ev.eval(description.expr);
    if (!sensitive && ev.diagnostics.length === 0 && sensitivity.derives(valueAttr.expr)) {
      ev.diagnostics.push({
        severity: 'error',
        summary: 'Output refers to sensitive values',
        detail:
          'To reduce the risk of accidentally exporting sensitive data, an output whose value derives from a sensitive variable must be marked as sensitive, to confirm your intent. If you do intend to export this data, add sensitive = true to the output block.',
        subject: valueAttr.expr.range,
      });
    }
    diags.push(...ev.diagnostics);
    outputs.push({ name, value: toJs(v, UNKNOWN), sensitive, range: b.range });
    values?.set(name, v);
  }

  return outputs;
}
