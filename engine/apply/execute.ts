// Running one step on a host: the shutdown policy of clean operations (timeout, then the
// fallback), and a second interrupt that stops waiting for the host.
import type { ObservedVm, PowerState, ShutdownPolicy } from '../../planner/model/vm.js';
import { lifecycleBody, OPS, type LifecycleOp, type Step } from '../../planner/model/ops.js';
import { ProviderError, type Provider, type StepResult, type StepTarget } from '../../providers/provider.js';
import { errorText } from '../errors.js';

// A lifecycle step the engine runs on its own (a restore), with the VM's shutdown policy.
export function syntheticStep(base: Step, op: LifecycleOp, suffix: string, from: PowerState, to: PowerState, policy: ShutdownPolicy): Step {
  return {
    id: `${base.id}-${suffix}`,
    address: base.address,
    host: base.host,
    ...lifecycleBody(op, policy),
    from,
    to,
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
  if (policy.fallback === 'fail' && !timeout.signal.aborted) {
    throw new Error(`${why}, and its shutdown policy says fallback = "fail"`);
  }
  if (policy.fallback === 'fail') {
    // The request stays with the host: the guest may still act on it, so the VM is left alone.
    const request = step.op === 'clean_shutdown' ? 'clean shutdown' : 'clean reboot';
    throw new ProviderError(step.host, 'TIMEOUT', { command: step.op },
      `${why}, and its shutdown policy says fallback = "fail". The ${request} request was left running on host "${step.host}": ` +
        `the guest may still ${step.op === 'clean_shutdown' ? 'halt' : 'reboot'} later. Check the VM, then run apply again once it is done, ` +
        'or halt it yourself (or set fallback = "hard") to go on now');
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

// Resolves with the step, or rejects as soon as `signal` aborts (a provider that ignores its
// signal must not keep a second Ctrl-C waiting).
export function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined, host: string): Promise<T> {
  if (!signal) return work;
  const abandoned = () => new ProviderError(host, 'ABORTED', { started: 'true' }, 'aborted by a second interrupt; the host may have completed it');
  if (signal.aborted) return Promise.reject(abandoned());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abandoned());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

const BOOTS: ReadonlySet<string> = new Set(['start', 'resume', 'clean_reboot', 'hard_reboot']);

// After a step that builds a domain, why the VM is not in the power state the step was for
// (a guest that crashed as it booted), or null.
export function missedTarget(step: Step, observed: ObservedVm | null): string | null {
  if (!BOOTS.has(step.op) || !step.to || !observed) return null;
  const now = observed.attributes.power_state;
  if (now === step.to) return null;
  return `${step.op.replace('_', ' ')} of ${step.address} returned, but the VM is ${now}, not ${step.to}: the guest may have crashed as it booted (see the host's logs)`;
}
