// `xenform validate [--json]`: evaluates the configuration and reports every problem.
import type { Command } from 'commander';
import { loadConfig } from '../../planner/config/load.js';
import { configSource } from '../../engine/config-source.js';
import type { CliContext } from '../context.js';
import { addVariableOptions, variables, type VariableFlags } from '../arguments.js';
import { diagnosticsToJson, renderDiagnostics } from '../views/diagnostics.js';

interface ValidateOptions extends VariableFlags {
  json?: boolean;
}

export function register(program: Command, ctx: CliContext): void {
  addVariableOptions(
    program
      .command('validate')
      .description('check that the configuration is valid: syntax, types, references and the host and vm schema')
      .option('--json', 'print the result as JSON'),
  ).action((opts: ValidateOptions, cmd: Command) => {
    const result = loadConfig({ dir: ctx.dir(cmd), ...variables(opts), env: ctx.io.env, source: configSource });
    const errorCount = result.diagnostics.filter((d) => d.severity === 'error').length;
    const warningCount = result.diagnostics.length - errorCount;
    if (opts.json) {
      const out = {
        format_version: '1.0',
        valid: errorCount === 0,
        error_count: errorCount,
        warning_count: warningCount,
        diagnostics: diagnosticsToJson(result.diagnostics),
      };
      ctx.io.stdout(JSON.stringify(out, null, 2) + '\n');
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
