// Helpers for configuration tests: load files written to a temporary directory.
import fs from 'node:fs';
import type { Diagnostic } from '../../../lang/diagnostics.js';
import { loadConfig } from '../../../planner/config/load.js';
import { configSource } from '../../../engine/config-source.js';
import type { LoadOptions, LoadResult } from '../../../planner/config/types.js';
import { writeDir } from '../../support/files.js';

export function load(files: Record<string, string>, opts: Partial<LoadOptions> = {}): LoadResult {
  const dir = writeDir(files);
  try {
    return loadConfig({ env: {}, ...opts, dir, source: configSource });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// "main.xf.hcl:3:5: Summary: detail" — what a user reads, in one line.
export function describe(d: Diagnostic): string {
  const at = d.subject ? `${d.subject.filename}:${d.subject.start.line}:${d.subject.start.column}: ` : '';
  return `${at}${d.summary}: ${d.detail ?? ''}`;
}

export const errors = (r: LoadResult): string[] => r.diagnostics.filter((d) => d.severity === 'error').map(describe);
export const warnings = (r: LoadResult): string[] => r.diagnostics.filter((d) => d.severity === 'warning').map(describe);

// Evaluates one expression as the value of an output; `extra` adds declarations.
export function evalExpr(expr: string, extra = '', opts: Partial<LoadOptions> = {}): { value: unknown; errors: string[] } {
  const r = load({ 'main.xf.hcl': `${extra}\noutput "x" {\n  value = ${expr}\n}\n` }, opts);
  return { value: r.config?.outputs.find((o) => o.name === 'x')?.value, errors: errors(r) };
}

export const HOST = 'host "lab" {\n  simulator = true\n  toolstack = "xapi"\n}\n';
