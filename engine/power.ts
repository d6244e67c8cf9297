// Power operations the engine runs on its own, outside the plan: the shutdown policy's
// fallback and bringing a failed VM back to the power state it had before apply.
import type { ObservedVm, PowerState, ShutdownPolicy } from '../planner/model/vm.js';
import { lifecycleBody, OPS, type LifecycleOp, type Step } from '../planner/model/ops.js';
import { ProviderError, type Provider, type StepResult, type StepTarget } from '../providers/provider.js';

// The operations that take a VM from one power state to another, shortest first.
const RESTORE_PATHS: Partial<Record<PowerState, Partial<Record<PowerState, LifecycleOp[]>>>> = {
  running: { halted: ['start'], paused: ['unpause'], suspended: ['resume'], crashed: ['hard_reboot'] },
  paused: { running: ['pause'], halted: ['start', 'pause'], suspended: ['resume', 'pause'] },
  halted: { running: ['clean_shutdown'], paused: ['hard_shutdown'], suspended: ['hard_shutdown'], crashed: ['hard_shutdown'] },
  suspended: { running: ['suspend'], paused: ['unpause', 'suspend'] },
};

export function restorePath(from: PowerState, to: PowerState): LifecycleOp[] | null {
  if (from === to) return [];
  return RESTORE_PATHS[to]?.[from] ?? null;
}

export function syntheticStep(base: Step, op: LifecycleOp, suffix: string, from?: PowerState): Step {
  return {
    id: `${base.id}-${suffix}`,
    address: base.address,
    host: base.host,
    ...lifecycleBody(op),
    from,
    to: OPS[op].powerAfter ?? undefined,
    depends_on: [],
  };
}

function anySignal(signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length === 0) return undefined;
  return present.length === 1 ? present[0] : AbortSignal.any(present);
}

export function formatDuration(ms: number): string {
  if (ms % 60000 === 0 && ms >= 60000) return `${ms / 60000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

export interface PolicyHooks {
  note: (message: string) => void;
}

// Runs a step; for clean shutdowns and reboots, applies the VM's shutdown policy: wait up to
// the timeout, re-read the VM (a guest may halt by itself meanwhile), then the fallback.
export async function executeWithPolicy(
  provider: Provider,
  step: Step,
  target: StepTarget,
  abort: AbortSignal | undefined,
  hooks: PolicyHooks,
): Promise<StepResult> {
  const policy: ShutdownPolicy | undefined = 'shutdown' in step.args ? step.args.shutdown : undefined;
  const hardOp = OPS[step.op].twin;
  if (!OPS[step.op].clean || !hardOp || !policy || !target.uuid) return provider.execute(step, target, abort);
  const uuid = target.uuid;
  const hard = (): Promise<StepResult> => provider.execute({ ...step, ...lifecycleBody(hardOp) }, target, abort);
  if (policy.mode === 'hard') return hard();

  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), policy.timeout_ms);
  let cleanError: unknown;
  try {
    return await provider.execute(step, target, anySignal([abort, timeout.signal]));
  } catch (err) {
    if (abort?.aborted) throw err;
    cleanError = err;
  } finally {
    clearTimeout(timer);
  }
  const why = timeout.signal.aborted
    ? `no clean ${step.op === 'clean_shutdown' ? 'shutdown' : 'reboot'} within ${formatDuration(policy.timeout_ms)}`
    : `the clean ${step.op === 'clean_shutdown' ? 'shutdown' : 'reboot'} failed (${errorText(cleanError)})`;
  if (step.op === 'clean_shutdown') {
    const now = await provider.readVm(uuid);
    if (now && now.attributes.power_state === 'halted') {
      hooks.note('the guest halted by itself while xenform waited');
      return { uuid, observed: now };
    }
  }
  if (policy.fallback === 'fail') {
    throw new Error(`${why}, and its shutdown policy says fallback = "fail"`);
  }
  hooks.note(`${why}; forcing it (fallback = "hard")`);
  try {
    return await hard();
  } catch (err) {
    if (step.op === 'clean_shutdown' && err instanceof ProviderError && err.code === 'VM_BAD_POWER_STATE') {
      const now: ObservedVm | null = await provider.readVm(uuid);
      if (now && now.attributes.power_state === 'halted') {
        hooks.note('the guest halted by itself just before the forced shutdown');
        return { uuid, observed: now };
      }
    }
    throw err;
  }
}

export function errorText(err: unknown): string {
  if (err instanceof ProviderError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
