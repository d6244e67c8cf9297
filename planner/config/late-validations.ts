// Variable validations that refer to other variables or to locals (Terraform 1.9): checked
// once the locals are evaluated, in the configuration's scope. Those that refer only to the
// variable itself are checked with its value (variables.ts).
import type { Diagnostic } from '../../lang/diagnostics.js';
import type { Expression } from '../../lang/syntax/ast.js';
import { rangeText } from '../../lang/body.js';
import type { Evaluator, RootResolver } from '../../lang/eval/expressions.js';
import { findReferences } from '../../lang/eval/references.js';
import type { Value } from '../../lang/eval/value.js';
import { evaluateRule } from './conditions.js';
import type { VariableDecl } from './variables.js';

export const refersBeyondItself = (name: string, condition: Expression): boolean =>
  findReferences(condition).some((r) => !(r.root === 'var' && r.name === name));

export function checkLateValidations(
  decls: ReadonlyMap<string, VariableDecl>,
  values: ReadonlyMap<string, Value>,
  resolve: RootResolver,
  newEvaluator: (r: RootResolver) => Evaluator,
  diags: Diagnostic[],
): void {
  for (const [name, decl] of decls) {
    if (!values.has(name)) continue; // no value, or already reported
    for (const val of decl.validations) {
      if (!refersBeyondItself(name, val.condition)) continue;
      const r = evaluateRule(val, newEvaluator(resolve), diags, `The value of var.${name} is not valid.`);
      if (r.kind !== 'fail') continue;
      diags.push({
        severity: 'error',
        summary: 'Invalid value for variable',
        detail: `${r.message}\n\nThis was checked by the validation rule at ${rangeText(val.condition.range)}.`,
        subject: val.condition.range,
      });
    }
  }
}
