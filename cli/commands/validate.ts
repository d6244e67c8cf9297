// `xenform validate [--json]`: evaluates the configuration and reports every problem. With
// --json the answer is always one JSON document on stdout: for argument errors and for a
// configuration that exhausts an internal limit too.
import type { Command } from 'commander';
import { XENFORM_VERSION } from '../../engine/version.js';
import type { Diagnostic } from '../../lang/diagnostics.js';
import { loadConfig } from '../../planner/config/load.js';
import type { LoadResult } from '../../planner/config/types.js';
import { configSource } from '../../engine/config-source.js';
import type { CliContext } from '../context.js';
import { addVariableOptions, argumentError, variables, type VariableFlags } from '../arguments.js';
import { diagnosticsToJson, renderDiagnostics } from '../views/diagnostics.js';

interface ValidateOptions extends VariableFlags {
  json?: boolean;
}

const asJson = (diagnostics: Diagnostic[]): string => {
  const errorCount = diagnostics.filter((d) => d.severity === 'error').length;
  const out = {
    format_version: '1.0',
    valid: errorCount === 0,
    error_count: errorCount,
    warning_count: diagnostics.length - errorCount,
    diagnostics: diagnosticsToJson(diagnostics),
  };
  return JSON.stringify(out, null, 2) + '\n';
};

// A configuration that breaks the evaluator itself (a bug, or a limit without a guard yet)
// is still answered with a diagnostic.
function load(opts: Parameters<typeof loadConfig>[0]): LoadResult {
  try {
    return loadConfig(opts);
  } catch (e) {
    const overflow = e instanceof RangeError;
    const detail = overflow
      ? `The configuration is too deeply nested or too large to evaluate (${e.message}). Split deep expressions and long chains into smaller pieces.`
      : `xenform failed while evaluating the configuration: ${e instanceof Error ? e.message : String(e)}. This is a bug; please report it with the configuration.`;
    return { config: null, diagnostics: [{ severity: 'error', summary: overflow ? 'Configuration too complex' : 'Internal error', detail }], files: {} };
  }
}

export function register(program: Command, ctx: CliContext): void {
  // an argument error can come before --json is parsed: look at the words (commander keeps them
  // in rawArgs, which its typings leave out)
  const wantsJson = () => ((program as unknown as { rawArgs?: string[] }).rawArgs ?? []).some((a) => a === '--json' || a.startsWith('--json='));
  addVariableOptions(
    program
      .command('validate')
      .description('check that the configuration is valid: syntax, types, references and the host and vm schema')
      .option('--json', 'print the result as JSON')
      .configureOutput({
        outputError: (text, write) => {
          if (!wantsJson()) return write(argumentError(text));
          ctx.io.stdout(asJson([{ severity: 'error', summary: 'Invalid command-line argument', detail: argumentError(text).replace(/^Error: /, '').trim() }]));
        },
      }),
  ).action((opts: ValidateOptions, cmd: Command) => {
    const result = load({ dir: ctx.dir(cmd), ...variables(opts), env: ctx.io.env, source: configSource, version: XENFORM_VERSION });
    const errorCount = result.diagnostics.filter((d) => d.severity === 'error').length;
    const warningCount = result.diagnostics.length - errorCount;
    if (opts.json) {
      ctx.io.stdout(asJson(result.diagnostics));
    } else if (errorCount > 0) {
      ctx.io.stderr(renderDiagnostics(result.diagnostics, result.files, { color: ctx.color(cmd) }));
    } else {
      if (warningCount > 0) ctx.io.stdout(renderDiagnostics(result.diagnostics, result.files, { color: ctx.color(cmd) }) + '\n');
      const green = ctx.color(cmd) ? (s: string) => `\x1b[1;32m${s}\x1b[0m` : (s: string) => s;
      ctx.io.stdout(
        warningCount > 0
          ? `${green('Success!')} The configuration is valid, but there were some validation warnings as shown above.\n`
          : `${green('Success!')} The configuration is valid.\n`,
      );
    }
    if (errorCount > 0) ctx.exit(1);
  });
}
