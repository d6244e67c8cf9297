// `xenform output [NAME] [--json]`: the outputs recorded by the last apply.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { stateManagerFor } from '../../engine/state/backend.js';
import { suggest } from '../../lang/didyoumean.js';

// An HCL-like rendering of a JSON value, for people.
function showValue(v: unknown, indent = ''): string {
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[\n${v.map((x) => `${indent}  ${showValue(x, `${indent}  `)},`).join('\n')}\n${indent}]`;
  }
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v);
    if (entries.length === 0) return '{}';
    const w = Math.max(...entries.map(([k]) => JSON.stringify(k).length));
    return `{\n${entries.map(([k, x]) => `${indent}  ${JSON.stringify(k).padEnd(w)} = ${showValue(x, `${indent}  `)}`).join('\n')}\n${indent}}`;
  }
  return JSON.stringify(v);
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('output')
    .description('show the outputs recorded by the last apply')
    .argument('[name]', 'only this output (its value is shown even when sensitive)')
    .option('--json', 'print JSON', false)
    .option('--raw', 'print a string output without quotes (for scripts)', false)
    .action(async (name: string | undefined, opts: { json: boolean; raw: boolean }, cmd: Command) => {
      let state;
      try {
        state = await stateManagerFor(ctx.dir(cmd)).read();
      } catch (err) {
        ctx.io.stderr(`Error: ${(err as Error).message}\n`);
        return ctx.exit(1);
      }
      const outputs = state?.outputs ?? {};
      if (name !== undefined) {
        const o = outputs[name];
        if (!o) {
          const near = suggest(name, Object.keys(outputs));
          ctx.io.stderr(
            `Error: output "${name}" is not in the state${near ? `; did you mean "${near}"?` : '.'}` +
              ` Outputs are recorded by apply; declare it with an output block and apply.\n`,
          );
          return ctx.exit(1);
        }
        if (opts.raw) {
          if (typeof o.value === 'object' && o.value !== null) {
            ctx.io.stderr(`Error: output "${name}" is not a string, number or bool; --raw cannot print it. Use --json.\n`);
            return ctx.exit(1);
          }
          ctx.io.stdout(`${String(o.value)}\n`);
          return;
        }
        ctx.io.stdout(`${opts.json ? JSON.stringify(o.value) : showValue(o.value)}\n`);
        return;
      }
      if (opts.json) {
        const all = Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, { value: o.value, sensitive: o.sensitive }]));
        ctx.io.stdout(`${JSON.stringify(all, null, 2)}\n`);
        return;
      }
      const names = Object.keys(outputs);
      if (names.length === 0) {
        ctx.io.stderr('No outputs found: the state has none. Declare them with output blocks and run apply.\n');
        return;
      }
      for (const n of names) {
        const o = outputs[n];
        ctx.io.stdout(`${n} = ${o.sensitive ? '<sensitive>' : showValue(o.value)}\n`);
      }
    });
}
