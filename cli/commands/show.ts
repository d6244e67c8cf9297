// xenform show [PLANFILE]: a saved plan in any of the plan renderings, or the state.
import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { stateManagerFor } from '../../engine/state/backend.js';
import { addFormatOptions } from '../arguments.js';
import { readPlanFile } from '../plan-file.js';
import { renderPlan } from '../views/plan.js';
import { printable } from '../views/printable.js';

export function register(program: Command, ctx: CliContext): void {
  addFormatOptions(
    program
      .command('show')
      .description('show a saved plan, or the state when no plan is given')
      .argument('[planfile]', 'a plan saved with `xenform plan --out`'),
    'it',
  ).action(async (planFile: string | undefined, flags: { json: boolean; markdown: boolean }, cmd: Command) => {
    const dir = ctx.dir(cmd);
    if (planFile) {
      const saved = readPlanFile(ctx, dir, planFile);
      if (saved) ctx.io.stdout(renderPlan(saved.plan, { ...flags, color: ctx.color(cmd) }));
      return;
    }
    const state = await stateManagerFor(dir).read();
    if (flags.json) {
      ctx.io.stdout(`${JSON.stringify(state, null, 2)}\n`);
      return;
    }
    if (!state || state.resources.length === 0) {
      ctx.io.stdout('The state is empty: xenform manages no VMs here yet.\n');
      return;
    }
    for (const r of state.resources) {
      const a = r.attributes;
      ctx.io.stdout(printable(
        `# ${r.address} (host "${r.host}", uuid ${r.uuid})\n` +
          `  name        = ${JSON.stringify(a.name)}\n` +
          `  power_state = ${JSON.stringify(a.power_state)}\n` +
          `  memory      = ${a.memory.static_max}\n` +
          `  vcpus       = ${a.vcpus}\n` +
          `  boot.mode   = ${JSON.stringify(a.boot.mode)}\n\n`,
        { color: false },
      ));
    }
  });
}
