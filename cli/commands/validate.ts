// `xenform validate [--json]`: evaluates the configuration and reports every problem.
import type { Command } from 'commander';
import { loadConfig } from '../../planner/config/load.js';
import { configSource } from '../../engine/config-source.js';
import type { CliContext } from '../context.js';
import { diagnosticsToJson, renderDiagnostics } from '../views/diagnostics.js';

interface ValidateOptions {
  json?: boolean;
  var: string[];
  varFile: string[];
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

// `--var name=value` in command-line order; a later one wins.
export function parseVarFlags(flags: string[]): { vars: Record<string, string>; errors: string[] } {
  const vars: Record<string, string> = {};
  const errors: string[] = [];
  for (const f of flags) {
    const eq = f.indexOf('=');
    if (eq <= 0) {
      errors.push(`The given --var option ${JSON.stringify(f)} is not correctly specified: it must be a variable name and value separated by an equals sign, like --var key=value.`);
      continue;
    }
    const name = f.slice(0, eq);
    delete vars[name];
    vars[name] = f.slice(eq + 1);
  }
  return { vars, errors };
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('validate')
    .description('check that the configuration is valid: syntax, types, references and the host and vm schema')
    .option('--json', 'print the result as JSON')
    .option('--var <name=value>', 'set an input variable (repeatable)', collect, [])
    .option('--var-file <file>', 'read input variables from a file (repeatable)', collect, [])
    .action((opts: ValidateOptions, cmd: Command) => {
      const { vars, errors } = parseVarFlags(opts.var);
      if (errors.length) {
        for (const e of errors) ctx.io.stderr(`Error: Invalid --var option\n\n${e}\n`);
        ctx.exit(1);
        return;
      }
      const result = loadConfig({ dir: ctx.dir(cmd), vars, varFiles: opts.varFile, env: ctx.io.env, source: configSource });
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
