// How plan-making commands report a plan run: its diagnostics and errors, then the plan.
import { renderDiagnostics, diagnosticsToJson, hasErrors } from './diagnostics.js';
import type { CliContext } from '../context.js';
import type { PlanRun } from '../../engine/run-plan.js';
import type { Plan } from '../../planner/plan/types.js';
import { renderPlanMarkdown } from './markdown.js';
import { renderPlanText } from './text.js';
import { maskPlan } from '../../planner/plan/sensitive.js';
import { publishUnknowns } from '../../planner/plan/unknown-values.js';
import { printable } from './printable.js';

// Prints diagnostics, notes and errors of a plan run; returns false when there is no plan to go on with.
export function reportPlanRun(ctx: CliContext, run: PlanRun, opts: { json: boolean; color: boolean }): boolean {
  const { io } = ctx;
  if (opts.json) {
    if (run.diagnostics.length > 0 || run.errors.length > 0) {
      io.stderr(
        `${JSON.stringify({
          diagnostics: diagnosticsToJson(run.diagnostics),
          errors: run.errors,
        })}\n`,
      );
    }
  } else {
    if (run.diagnostics.length > 0) io.stderr(renderDiagnostics(run.diagnostics, run.files, { color: opts.color }));
    for (const note of run.notes ?? []) io.stdout(`Note: ${note}\n`);
    for (const error of run.errors) io.stderr(`Error: ${error}\n`);
  }
  if (hasErrors(run.diagnostics) || run.errors.length > 0 || !run.plan) {
    ctx.exit(1);
    return false;
  }
  return true;
}

export function renderPlan(plan: Plan, opts: { json: boolean; markdown: boolean; color: boolean }): string {
  if (opts.json) return `${JSON.stringify(publishUnknowns(maskPlan(plan)), null, 2)}\n`;
  if (opts.markdown) return printable(renderPlanMarkdown(plan), { color: false });
  return printable(renderPlanText(plan, { color: opts.color }), opts);
}
