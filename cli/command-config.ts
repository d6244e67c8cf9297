// The configuration a command other than plan/apply needs (import, state mv, state rebuild):
// loaded with the command's variables; on errors, the diagnostics are printed and null returned.
import type { Command } from 'commander';
import { XENFORM_VERSION } from '../engine/version.js';
import type { CliContext } from './context.js';
import { renderDiagnostics } from './views/diagnostics.js';
import { loadConfig } from '../planner/config/load.js';
import type { Config } from '../planner/config/types.js';
import { configSource } from '../engine/config-source.js';
import { variables, type VariableFlags } from './arguments.js';

export function commandConfig(ctx: CliContext, cmd: Command, flags: VariableFlags): Config | null {
  const loaded = loadConfig({ dir: ctx.dir(cmd), ...variables(flags), env: ctx.io.env, source: configSource, version: XENFORM_VERSION });
  if (!loaded.config) {
    ctx.io.stderr(renderDiagnostics(loaded.diagnostics, loaded.files, { color: ctx.color(cmd) }));
    ctx.exit(1);
  }
  return loaded.config;
}
