// `xenform { required_version = ">= 0.2" }`: the versions of xenform a configuration is written
// for, in Terraform's constraint syntax (comma-separated; =, !=, >, >=, <, <=, ~>). Checked
// before anything else is evaluated, so that a configuration written for another version is
// refused with one clear message rather than with the errors its newer parts would cause.
import semver from 'semver';
import type { Diagnostic } from '../../lang/diagnostics.js';
import type { Attribute, Block } from '../../lang/syntax/ast.js';
import type { FnContext } from '../../lang/functions/spec.js';
import { constantEvaluator } from './variables.js';

const PART = /^\s*(=|!=|>=|<=|>|<|~>)?\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(-[0-9A-Za-z.-]+)?\s*$/;

// Whether `version` satisfies one constraint part, or why the part cannot be read.
function satisfiesPart(version: string, part: string): boolean | { error: string } {
  const m = PART.exec(part);
  if (!m) return { error: `"${part.trim()}" is not a version constraint (use an operator =, !=, >, >=, <, <= or ~> and a version such as 0.2 or 1.4.0)` };
  const [, op = '=', major, minor, patch, pre = ''] = m;
  const want = `${major}.${minor ?? 0}.${patch ?? 0}${pre}`;
  switch (op) {
    case '=':
      return semver.eq(version, want);
    case '!=':
      return semver.neq(version, want);
    case '>':
      return semver.gt(version, want);
    case '>=':
      return semver.gte(version, want);
    case '<':
      return semver.lt(version, want);
    case '<=':
      return semver.lte(version, want);
    default: {
      // ~> allows the last given part to grow: ~> 1.2 is >= 1.2, < 2.0; ~> 1.2.3 is >= 1.2.3, < 1.3.0.
      const upper = patch !== undefined ? `${major}.${Number(minor) + 1}.0` : `${Number(major) + 1}.0.0`;
      return semver.gte(version, want) && semver.lt(version, upper);
    }
  }
}

export function versionSatisfies(version: string, constraint: string): boolean | { error: string } {
  const parts = constraint.split(',');
  let ok = true;
  for (const p of parts) {
    const r = satisfiesPart(version, p);
    if (typeof r !== 'boolean') return r;
    ok &&= r;
  }
  return ok;
}

// Checks every required_version of the xenform blocks against the running version; false when
// one is not satisfied (the configuration is then not evaluated further).
export function checkRequiredVersion(settings: readonly Block[], running: string, diags: Diagnostic[], fn: FnContext): boolean {
  let supported = true;
  for (const b of settings) {
    const a = b.body.items.find((i): i is Attribute => i.kind === 'Attribute' && i.name === 'required_version');
    if (!a) continue;
    const ev = constantEvaluator(fn, false);
    const v = ev.eval(a.expr);
    diags.push(...ev.diagnostics);
    if (ev.diagnostics.length > 0) continue;
    if (typeof v.raw !== 'string') {
      diags.push({ severity: 'error', summary: 'Incorrect attribute value type', detail: 'Inappropriate value for attribute "required_version": a string is required, such as ">= 0.2".', subject: a.expr.range });
      continue;
    }
    const r = versionSatisfies(running, v.raw);
    if (typeof r !== 'boolean') diags.push({ severity: 'error', summary: 'Invalid required_version', detail: `${r.error}.`, subject: a.expr.range });
    else if (!r) {
      supported = false;
      diags.push({
        severity: 'error',
        summary: 'Unsupported xenform version',
        detail: `This configuration requires xenform ${v.raw}, and this is xenform ${running}. Use a version of xenform that satisfies the constraint, or change required_version.`,
        subject: a.expr.range,
      });
    }
  }
  return supported;
}
