// Runs a plan's step graph against the hosts and records the result in the state.
import { randomUUID } from 'node:crypto';
import { XENFORM_VERSION } from './version.js';
import { loadConfig } from '../planner/config/load.js';
import { isUnknown, type Config, type HostConfig, type VmConfig } from '../planner/config/types.js';
import type { PowerState } from '../planner/model/vm.js';
import type { Step } from '../planner/model/ops.js';
import { fingerprint } from '../planner/plan/make-plan.js';
import type { Plan, ResourceChange } from '../planner/plan/types.js';
import { openProvider as defaultOpenProvider, type ProviderContext } from '../providers/factory.js';
import type { Provider, StepResult } from '../providers/provider.js';
import type { EngineEvent, EventSink } from './events.js';
import { errorText, executeWithPolicy, restorePath, syntheticStep } from './power.js';
import type { JournalEntry } from './state/journal.js';
import { LockError, type StateManager } from './state/manager.js';
import { stateManagerFor } from './state/backend.js';
import { openState, type StateSession } from './state/session.js';
import { emptyState, recordStep, settleUnstepped, setOutputs, stepRecord } from './state/transitions.js';
import type { State, StateResource } from '../planner/model/state.js';
import { describeChanges } from './verify.js';
import { walk, type WalkNode } from './walk.js';

export interface ApplyRequest {
  dir: string;
  parallelism: number; // overall, default 10
  savedPlan: boolean; // a plan from a file: refused as a whole when the state's lineage or serial moved
  lockTimeoutMs?: number;
  signal?: AbortSignal; // first abort: finish steps in flight and stop; see createInterrupter()
  abortSignal?: AbortSignal; // second abort: abort the waits in flight too
  // The configuration the plan was made from; loaded from `dir` (with vars/varFiles) when absent.
  config?: Config;
  vars?: Record<string, string>;
  varFiles?: string[];
  // Disruption budget: at most this many VMs of one `group` halted or rebooting at once.
  maxUnavailable?: number;
  env?: Record<string, string | undefined>; // for providers (e.g. XENSIM_FAULTS); default process.env
  openProvider?: (host: HostConfig, ctx: ProviderContext) => Promise<Provider>;
  session?: StateSession; // the lock runPlan kept (PlanRequest.holdLock); released by runApply
  state?: StateManager; // where the state lives; default: the local file in `dir`
}

export interface ApplyResult {
  ok: boolean;
  succeeded: string[]; // step ids
  failed: { step: string; error: string }[];
  skipped: { step: string; reason: string }[];
  refused: { address: string; reason: string }[];
  errors: string[];
  restored?: { address: string; to: string; ok: boolean; error?: string }[];
  notes?: string[]; // recovery of an interrupted apply, and the like
  interrupted?: boolean;
}

const emptyResult = (): ApplyResult => ({
  ok: false,
  succeeded: [],
  failed: [],
  skipped: [],
  refused: [],
  errors: [],
  restored: [],
  notes: [],
});

function staleReason(plan: Plan, state: State | null, saved: boolean): string | null {
  const what = saved ? 'The saved plan' : 'The plan';
  const again = saved ? 'Make a new plan with `xenform plan --out FILE`.' : 'Run apply again to plan against the current state.';
  if (!state) {
    if (plan.serial === 0) return null;
    return `${what} was made against state serial ${plan.serial}, but there is no state file any more. ${again}`;
  }
  if (plan.lineage !== null && plan.lineage !== state.lineage) {
    return `${what} was made against state lineage ${plan.lineage}, but the state has lineage ${state.lineage}: it belongs to a different state. ${again}`;
  }
  if (plan.lineage === null && state.resources.length > 0) {
    return `${what} was made when there was no state, but a state now exists (serial ${state.serial}). ${again}`;
  }
  if (plan.lineage !== null && plan.serial !== state.serial) {
    return `${what} was made against state serial ${plan.serial}, but the state is now at serial ${state.serial}: another apply or state command changed it since. ${again}`;
  }
  return null;
}

function loadConfigFor(req: ApplyRequest, known?: Record<string, { uuid: string | null }>): Config | string {
  try {
    const r = loadConfig({ dir: req.dir, vars: req.vars, varFiles: req.varFiles, env: req.env, known });
    if (r.config) return r.config;
    const first = r.diagnostics.find((d) => d.severity === 'error');
    return `The configuration in ${req.dir} has errors${first ? `: ${first.summary}` : ''}; run \`xenform validate\`.`;
  } catch (err) {
    return `The configuration in ${req.dir} could not be loaded: ${errorText(err)}`;
  }
}

export async function runApply(plan: Plan, req: ApplyRequest, events: EventSink): Promise<ApplyResult> {
  const result = emptyResult();
  const started = Date.now();
  const emit = (e: EngineEvent) => {
    try {
      events(e);
    } catch {
      // a broken view must not break the apply
    }
  };

  let session: StateSession;
  try {
    session = req.session ?? await openState(req.state ?? stateManagerFor(req.dir), { operation: 'apply', lockTimeoutMs: req.lockTimeoutMs, xenformVersion: XENFORM_VERSION });
  } catch (err) {
    result.errors.push(err instanceof LockError ? err.message : `Could not read the state: ${errorText(err)}`);
    return result;
  }
  result.notes!.push(...session.notes);
  try {
    const stale = staleReason(plan, session.state, req.savedPlan);
    if (stale) {
      result.errors.push(stale);
      return result;
    }
    const config = req.config ?? loadConfigFor(req);
    if (typeof config === 'string') {
      if (plan.steps.length > 0) {
        result.errors.push(config);
        return result;
      }
    }
    const cfg = typeof config === 'string' ? null : config;
    await applyUnderLock(plan, req, cfg, session, result, emit);
  } catch (err) {
    result.errors.push(`Apply stopped: ${errorText(err)}`);
  } finally {
    await session.release();
  }
  result.ok = result.errors.length === 0 && result.failed.length === 0 && result.refused.length === 0 && !result.interrupted;
  emit({
    type: 'apply_done',
    succeeded: result.succeeded.length,
    failed: result.failed.length,
    skipped: result.skipped.length,
    ms: Date.now() - started,
  });
  return result;
}

interface VmRun {
  address: string;
  host: string;
  change: ResourceChange | undefined;
  config: VmConfig | undefined;
  steps: Step[];
  uuid: string | null; // the VM the plan saw (null when it is created)
  newUuid: string | null; // the VM `create` made
  afterCreate: Set<string>; // steps that act on the new VM of a replacement
  verified: boolean;
  refusal: string | null;
  failure: string | null;
  powerBefore: PowerState | null;
}

async function applyUnderLock(
  plan: Plan,
  req: ApplyRequest,
  config: Config | null,
  session: StateSession,
  result: ApplyResult,
  emit: (e: EngineEvent) => void,
): Promise<void> {
  let state: State = session.state ?? emptyState(XENFORM_VERSION, plan.lineage ?? firstMarkerLineage(plan) ?? randomUUID());
  // The state exists (with its lineage) before the first VM is created, so that ownership
  // markers always point at a lineage the next plan can match.
  if (!session.state) state = await session.write(state);

  const hostsByName = new Map((config?.hosts ?? []).map((h) => [h.name, h]));
  const vmConfigs = new Map((config?.vms ?? []).map((v) => [v.address, v]));
  const changes = new Map(plan.resource_changes.map((c) => [c.address, c]));
  const vms = new Map<string, VmRun>();
  for (const step of plan.steps) {
    let run = vms.get(step.address);
    if (!run) {
      const change = changes.get(step.address);
      run = {
        address: step.address,
        host: step.host,
        change,
        config: vmConfigs.get(step.address),
        steps: [],
        uuid: change?.uuid ?? null,
        newUuid: null,
        afterCreate: new Set(),
        verified: false,
        refusal: null,
        failure: null,
        powerBefore: change?.before?.power_state ?? null,
      };
      vms.set(step.address, run);
    }
    run.steps.push(step);
  }
  const stepById = new Map(plan.steps.map((s) => [s.id, s]));
  for (const run of vms.values()) {
    // In a replacement, the steps after `create` (transitively, within the VM) act on the new VM.
    let grew = true;
    while (grew) {
      grew = false;
      for (const s of run.steps) {
        if (run.afterCreate.has(s.id)) continue;
        if (s.op === 'create' || s.depends_on.some((d) => run.afterCreate.has(d) && stepById.get(d)?.address === run.address)) {
          run.afterCreate.add(s.id);
          grew = true;
        }
      }
    }
  }

  const journal = await session.held.openJournal();
  const record = async (entry: JournalEntry) => {
    await journal.append(entry);
    state = recordStep(state, entry);
  };
  // Not awaited: every later entry is appended after it, so it is durable before any step starts.
  const begun = record({ t: 'begin', lineage: state.lineage, serial: state.serial, time: new Date().toISOString() });
  begun.catch(() => undefined); // awaited after the walk; meanwhile each step's own entry fails with it

  const providers = new Map<string, Promise<Provider>>();
  const provider = (host: string): Promise<Provider> => {
    let p = providers.get(host);
    if (!p) {
      const hc = hostsByName.get(host);
      p = hc
        ? (req.openProvider ?? defaultOpenProvider)(hc, { workdir: req.dir, env: req.env ?? process.env })
        : Promise.reject(new Error(`host "${host}" is not in the configuration`));
      providers.set(host, p);
      p.catch(() => undefined);
    }
    return p;
  };

  // Before creating, note which VMs of the same names already exist: if this apply dies between
  // creating a VM and marking it, the next refresh can tell the new VM from the old ones.
  const createsByHost = new Map<string, Set<string>>();
  for (const s of plan.steps) {
    if (s.op === 'create') createsByHost.set(s.host, (createsByHost.get(s.host) ?? new Set()).add(s.args.attributes.name));
  }
  await Promise.all(
    [...createsByHost].map(async ([host, names]) => {
      try {
        const inv = await (await provider(host)).inventory();
        const taken: Record<string, string[]> = {};
        for (const n of names) taken[n] = inv.vms.filter((v) => v.attributes.name === n).map((v) => v.uuid);
        await record({ t: 'names', host, names: taken, time: new Date().toISOString() });
      } catch {
        // the host's steps report the failure
      }
    }),
  );

  let interruptedBy = 0;
  const onFirst = () => {
    if (interruptedBy >= 1) return;
    interruptedBy = 1;
    emit({ type: 'interrupt', count: 1, message: 'Interrupted: finishing the steps in flight, then stopping. Interrupt again to abort them.' });
  };
  const onSecond = () => {
    interruptedBy = 2;
    emit({ type: 'interrupt', count: 2, message: 'Interrupted again: aborting the steps in flight.' });
  };
  if (req.signal?.aborted) onFirst();
  req.signal?.addEventListener('abort', onFirst);
  req.abortSignal?.addEventListener('abort', onSecond);

  const targetUuid = (run: VmRun, step: Step): string | null => {
    if (step.op === 'create') return null;
    if (step.op === 'destroy' && !run.afterCreate.has(step.id)) return run.uuid;
    return run.afterCreate.has(step.id) ? run.newUuid : run.uuid;
  };

  const verify = async (run: VmRun, p: Provider): Promise<string | null> => {
    if (!run.uuid) return null;
    const now = await p.readVm(run.uuid);
    if (!now) return `it no longer exists on ${run.host} (uuid ${run.uuid})`;
    run.powerBefore = now.attributes.power_state;
    const expected = run.change?.fingerprint;
    if (!expected) return null;
    if (fingerprint(now) === expected) return null;
    return `it changed since the plan was made: ${describeChanges(run.change?.before ?? null, now)}`;
  };

  // Each step is journaled as soon as its dependencies are done, so that the fsync overlaps
  // with the steps still running instead of delaying this one. A crash can therefore leave a
  // step journaled as started that never ran; recovery reads the hosts either way.
  const journaled = new Map<string, Promise<void>>();
  const prepare = (node: WalkNode): Promise<void> => {
    const step = stepById.get(node.id)!;
    const run = vms.get(step.address)!;
    const created = step.op === 'create' ? { name: step.args.attributes.name, template: step.args.attributes.template } : {};
    const p = record({ t: 'start', step: step.id, address: step.address, host: step.host, op: step.op, uuid: targetUuid(run, step), time: new Date().toISOString(), ...created });
    journaled.set(step.id, p);
    return p;
  };

  const stepsLeft = new Map([...vms.values()].map((r) => [r.address, r.steps.length]));
  const runStep = async (node: WalkNode, hostDone: () => void): Promise<'done' | 'failed'> => {
    const step = stepById.get(node.id)!;
    const run = vms.get(step.address)!;
    const p = await provider(step.host).catch((err: unknown) => {
      throw new Error(`cannot reach host "${step.host}": ${errorText(err)}`);
    }).catch((err: unknown) => err as Error);
    if (p instanceof Error) return fail(run, step, p.message);
    if (!run.verified) {
      let refusal: string | null;
      try {
        refusal = await verify(run, p);
      } catch (err) {
        refusal = `it could not be read before its first step: ${errorText(err)}`;
      }
      run.verified = true;
      if (refusal) {
        run.refusal = refusal;
        result.refused.push({ address: run.address, reason: refusal });
        emit({ type: 'vm_refused', address: run.address, host: run.host, reason: refusal });
        await record({ t: 'fail', step: step.id, address: step.address, host: step.host, op: step.op, error: `refused: ${refusal}`, time: new Date().toISOString() });
        const reason = `${run.address} was refused: ${refusal}`;
        result.skipped.push({ step: step.id, reason });
        emit({ type: 'step_skipped', step, reason });
        return 'failed'; // its dependants are skipped too

      }
    }
    if (req.signal?.aborted && interruptedBy === 0) onFirst();
    const uuid = targetUuid(run, step);
    await journaled.get(step.id); // durable before the step starts (normally long since)
    emit({ type: 'step_start', step });
    const t0 = Date.now();
    try {
      const res = await abortable(
        executeWithPolicy(p, step, { uuid, address: step.address }, req.abortSignal, {
          note: (message) => emit({ type: 'step_note', step, message }),
        }),
        req.abortSignal,
      );
      hostDone();
      if (step.op === 'create') run.newUuid = res.uuid;
      const left = (stepsLeft.get(run.address) ?? 1) - 1;
      stepsLeft.set(run.address, left);
      await record({
        t: 'done',
        step: step.id,
        address: step.address,
        host: step.host,
        op: step.op,
        uuid: res.uuid,
        time: new Date().toISOString(),
        resource: stepRecord(state, {
          address: run.address,
          host: step.host,
          op: step.op,
          uuid: res.uuid,
          observed: res.observed,
          created: step.op === 'create' ? step.args.attributes : undefined,
          change: run.change,
          restartTrigger: left === 0 && run.config ? run.config.restart_trigger : undefined,
          pendingReboot: left === 0 ? run.change?.pending_reboot : undefined,
        }),
      });
      result.succeeded.push(step.id);
      emit({ type: 'step_done', step, ms: Date.now() - t0 });
      return 'done';
    } catch (err) {
      hostDone();
      return fail(run, step, errorText(err));
    }
  };

  const fail = async (run: VmRun, step: Step, error: string): Promise<'failed'> => {
    run.failure = error;
    await record({ t: 'fail', step: step.id, address: step.address, host: step.host, op: step.op, error, time: new Date().toISOString() });
    result.failed.push({ step: step.id, error });
    emit({ type: 'step_failed', step, error });
    return 'failed';
  };

  const restore = async (run: VmRun): Promise<void> => {
    const uuid = run.newUuid ?? run.uuid;
    if (!uuid || !run.powerBefore || interruptedBy >= 2) return;
    const to = run.powerBefore;
    const base = run.steps[0];
    try {
      const p = await provider(run.host);
      const now = await p.readVm(uuid);
      if (!now) return;
      const from = now.attributes.power_state;
      if (from === to) return;
      const ops = restorePath(from, to);
      if (!ops) throw new Error(`xenform knows no way from ${from} to ${to}`);
      let i = 0;
      for (const op of ops) {
        const step = syntheticStep(base, op, `restore${++i}`, from);
        await record({ t: 'start', step: step.id, address: run.address, host: run.host, op, uuid, time: new Date().toISOString() });
        const res = await executeWithPolicy(p, step, { uuid, address: run.address }, req.abortSignal, { note: () => undefined });
        const prev = state.resources.find((r) => r.address === run.address && r.uuid === uuid);
        await record({
          t: 'done',
          step: step.id,
          address: run.address,
          host: run.host,
          op,
          uuid,
          time: new Date().toISOString(),
          resource: prev && res.observed ? { ...prev, attributes: res.observed.attributes, booted_with: res.observed.booted_with } : (prev ?? null),
        });
      }
      result.restored!.push({ address: run.address, to, ok: true });
      emit({ type: 'vm_restore', address: run.address, host: run.host, to, ok: true });
    } catch (err) {
      const error = errorText(err);
      result.restored!.push({ address: run.address, to, ok: false, error });
      emit({ type: 'vm_restore', address: run.address, host: run.host, to, ok: false, error });
    }
  };

  const disruptive = (c: ResourceChange | undefined) => c !== undefined && ['reboot', 'halt', 'replace'].includes(c.disruption);
  const nodes: WalkNode[] = plan.steps.map((s) => {
    const run = vms.get(s.address)!;
    return {
      id: s.id,
      deps: s.depends_on,
      host: s.host,
      vm: s.address,
      group: disruptive(run.change) ? run.config?.group : undefined,
    };
  });
  const restores: Promise<void>[] = [];
  await walk(nodes, {
    parallelism: Math.max(1, req.parallelism || 10),
    hostLimit: (h) => Math.max(1, hostsByName.get(h)?.max_parallel ?? 4),
    maxUnavailable: req.maxUnavailable,
    stop: () => interruptedBy > 0 || Boolean(req.signal?.aborted),
    run: runStep,
    prepare,
    vmBlocked: (vm) => {
      const run = vms.get(vm)!;
      if (run.refusal) return `${vm} was refused: ${run.refusal}`;
      if (run.failure) return `an earlier step of ${vm} failed`;
      return null;
    },
    skip: (node, reason) => {
      const step = stepById.get(node.id)!;
      result.skipped.push({ step: node.id, reason });
      emit({ type: 'step_skipped', step, reason });
    },
    vmFinished: (vm) => {
      const run = vms.get(vm)!;
      if (run.failure) restores.push(restore(run));
    },
  });
  await Promise.all(restores);
  await begun;
  if (interruptedBy > 0) result.interrupted = true;
  req.signal?.removeEventListener('abort', onFirst);
  req.abortSignal?.removeEventListener('abort', onSecond);

  state = settleUnstepped(state, plan, new Set(vms.keys()));
  if (config) state = updateOutputs(req, config, state);

  await Promise.all(
    [...providers.values()].map((p) =>
      p.then(
        (pr) => pr.close().catch(() => undefined),
        () => undefined,
      ),
    ),
  );
  await session.write(state);
  await journal.close();
  await session.held.clearJournal();
}

// Resolves with the step, or rejects as soon as `signal` aborts (a provider that ignores its
// signal must not keep a second Ctrl-C waiting).
function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(new Error('aborted by a second interrupt; the host may have completed it'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted by a second interrupt; the host may have completed it'));
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

function firstMarkerLineage(plan: Plan): string | null {
  for (const s of plan.steps) if (s.op === 'create') return s.args.markers.lineage;
  return null;
}

// Outputs that needed what only the apply could tell (the uuids of new VMs) are evaluated
// again with the recorded VMs; the others are as planned.
function updateOutputs(req: ApplyRequest, config: Config, state: State): State {
  let outputs = config.outputs;
  if (outputs.some((o) => containsUnknown(o.value))) {
    const known = Object.fromEntries(state.resources.map((r) => [r.address, { uuid: r.uuid }]));
    const fresh = loadConfigFor(req, known);
    if (typeof fresh !== 'string') outputs = fresh.outputs;
  }
  return setOutputs(state, outputs.filter((o) => !containsUnknown(o.value)));
}

function containsUnknown(v: unknown): boolean {
  if (isUnknown(v)) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v !== null && typeof v === 'object') return Object.values(v).some(containsUnknown);
  return false;
}
