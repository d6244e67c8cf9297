// apply and destroy: make or load a plan, confirm it, run it with a progress view.
import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { runApply, type ApplyResult } from '../engine/apply.js';
import { createInterrupter } from '../engine/interrupt.js';
import type { StateSession } from '../engine/state/session.js';
import type { ConfigSnapshot } from '../planner/plan/plan-file.js';
import type { ProviderPool } from '../engine/providers.js';
import { runPlan } from '../engine/run-plan.js';
import { hasChanges } from '../planner/plan/exit-code.js';
import type { Plan } from '../planner/plan/types.js';
import { planRequest, type PlanFlags } from './arguments.js';
import { renderPlan, reportPlanRun } from './views/plan.js';
import { createProgressView } from './views/progress/index.js';
import { readPlanFile } from './plan-file.js';
import { whileApplying } from './signals.js';
import { failedLine, whereVmsAre } from './views/outcome.js';

export interface ApplyFlags extends PlanFlags {
  autoApprove: boolean;
  parallelism: number;
  maxUnavailable?: number;
  json: boolean;
  allowPartial?: boolean; // apply PLANFILE: refuse only the VMs that changed, not the whole plan
}

interface LoadedPlan {
  plan: Plan;
  snapshot: ConfigSnapshot; // the configuration it was made from, which apply evaluates
  session?: StateSession; // the state lock, held from planning through approval to apply
  providers?: ProviderPool; // the hosts' connections, kept from refresh to apply
}

async function loadPlan(ctx: CliContext, dir: string, planFile: string | undefined, flags: ApplyFlags, color: boolean, env: Record<string, string | undefined>): Promise<LoadedPlan | null> {
  if (planFile) {
    const saved = readPlanFile(ctx, dir, planFile);
    return saved ? { plan: saved.plan, snapshot: saved.configuration } : null;
  }
  const progress = createProgressView(ctx.io, { json: flags.json, tty: false });
  const run = await runPlan({ ...planRequest(dir, flags, env), holdLock: true, operation: flags.destroy ? 'destroy' : 'apply' }, progress.sink);
  await progress.done();
  if (!reportPlanRun(ctx, run, { json: flags.json, color })) {
    await run.session?.release();
    await run.providers?.close();
    return null;
  }
  if (!flags.json) ctx.io.stdout(renderPlan(run.plan!, { json: false, markdown: false, color }));
  return { plan: run.plan!, snapshot: run.snapshot!, session: run.session, providers: run.providers };
}

async function confirm(ctx: CliContext, destroy: boolean): Promise<boolean> {
  const question = destroy
    ? 'Do you really want to destroy these VMs? Only "yes" will be accepted: '
    : 'Do you want to perform these actions? Only "yes" will be accepted: ';
  if (!ctx.io.stdinIsTTY || !ctx.io.readLine) {
    ctx.io.stderr('Error: there is no terminal to confirm on; review the plan and run again with --auto-approve.\n');
    return false;
  }
  const answer = await ctx.io.readLine(`\n${question}`);
  if (answer?.trim() === 'yes') return true;
  ctx.io.stderr('Apply cancelled.\n');
  return false;
}

function summarize(ctx: CliContext, plan: Plan, result: ApplyResult, destroy: boolean): void {
  const { io } = ctx;
  for (const note of result.notes ?? []) io.stdout(`Note: ${note}\n`);
  for (const warning of result.warnings ?? []) io.stderr(`Warning: ${warning}\n`);
  for (const r of result.refused) io.stderr(`Refused ${r.address}: ${r.reason}\n`);
  for (const f of result.failed) io.stderr(`Failed: ${failedLine(plan, f)}\n`);
  for (const r of result.restored ?? []) {
    io.stderr(r.ok ? `Restored ${r.address} to ${r.to}.\n` : `Could not restore ${r.address} to ${r.to}: ${r.error ?? 'unknown error'}\n`);
  }
  for (const e of result.errors) io.stderr(`Error: ${e}\n`);
  const s = plan.summary;
  const counts = destroy
    ? `${s.delete} destroyed`
    : `${s.create} added, ${s.update} changed, ${s.replace ? `${s.replace} replaced, ` : ''}${s.delete} destroyed`;
  if (result.ok) {
    io.stdout(`\n${destroy ? 'Destroy' : 'Apply'} complete! Resources: ${counts}.\n`);
  } else {
    io.stderr(
      `\n${destroy ? 'Destroy' : 'Apply'} ${result.interrupted ? 'interrupted' : 'failed'}: ` +
        `${result.succeeded.length} steps succeeded, ${result.failed.length} failed, ${result.skipped.length} skipped` +
        `${result.refused.length ? `, ${result.refused.length} VMs refused` : ''}.\n`,
    );
    const where = whereVmsAre(plan, result);
    if (where.length > 0) io.stderr(`\nWhere each VM is now, and what is left to do (plan and apply again to finish):\n${where.join('\n')}\n`);
    ctx.exit(1);
  }
}

export async function applyFlow(ctx: CliContext, cmd: Command, planFile: string | undefined, flags: ApplyFlags, destroy: boolean): Promise<void> {
  const dir = ctx.dir(cmd);
  const color = ctx.color(cmd);
  destroy ||= flags.destroy;
  const env = ctx.env(cmd);
  const loaded = await loadPlan(ctx, dir, planFile, { ...flags, destroy }, color, env);
  if (!loaded) return;
  const { plan, snapshot, session, providers } = loaded;
  const letGo = async () => {
    await session?.release();
    await providers?.close();
  };
  if (!hasChanges(plan)) {
    await letGo();
    if (!flags.json) ctx.io.stdout('\nNothing to apply.\n');
    return;
  }
  // A saved plan was reviewed when it was made, as in Terraform: applying it asks nothing.
  if (!flags.autoApprove && planFile === undefined && !(await confirm(ctx, destroy))) {
    await letGo();
    ctx.exit(1);
    return;
  }

  const interrupter = createInterrupter();
  // The apply says what an interrupt means, once, through the progress view.
  const restoreSignals = whileApplying(() => void interrupter.interrupt());
  const planned: Record<string, number> = {};
  for (const s of plan.steps) planned[s.address] = (planned[s.address] ?? 0) + 1;
  const progress = createProgressView(ctx.io, { json: flags.json, tty: ctx.io.stdoutIsTTY && !flags.json, planned });
  try {
    await progress.ready;
    const result = await runApply(
      plan,
      {
        dir,
        parallelism: flags.parallelism,
        savedPlan: planFile !== undefined,
        allowPartial: flags.allowPartial,
        lockTimeoutMs: flags.lockTimeout,
        signal: interrupter.signal,
        abortSignal: interrupter.abortSignal,
        snapshot,
        env,
        maxUnavailable: flags.maxUnavailable,
        session,
        providers,
      },
      progress.sink,
    );
    await progress.done();
    if (flags.json) {
      if (!result.ok) ctx.exit(1);
      return;
    }
    summarize(ctx, plan, result, destroy);
  } finally {
    restoreSignals();
  }
}
