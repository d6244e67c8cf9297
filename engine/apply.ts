// Runs a plan's step graph against the hosts and records the result in the state.
import { randomUUID } from 'node:crypto';
import { XENFORM_VERSION } from './version.js';
import { loadConfig } from '../planner/config/load.js';
import { rangeText } from '../lang/body.js';
import { configSource } from './config-source.js';
import { changedSince, snapshotSource } from './config-snapshot.js';
import type { Config, HostConfig } from '../planner/config/types.js';
import type { Step } from '../planner/model/ops.js';
import { fingerprint } from '../planner/plan/fingerprint.js';
import type { Plan, ResourceChange } from '../planner/plan/types.js';
import { secretValues } from '../planner/plan/sensitive.js';
import { planFingerprint, type ConfigSnapshot } from '../planner/plan/plan-file.js';
import type { ProviderContext } from '../providers/factory.js';
import { isUncertain, ProviderError, type Provider } from '../providers/provider.js';
import type { EngineEvent, EventSink } from './events.js';
import { errorText } from './errors.js';
import { abortable, executeWithPolicy, missedTarget } from './apply/execute.js';
import { recordOutputs } from './apply/outputs.js';
import { fillUnknowns } from './apply/fill-unknowns.js';
import { checkAfterApply, preconditionsBeforeFirstStep } from './apply/conditions.js';
import { recordPlanFacts } from './apply/record-plan.js';
import { changedSincePlan, stalePlanError } from './apply/stale-plan.js';
import { restore } from './apply/restore.js';
import { applyRefactoring } from './apply/refactor.js';
import { blocked, targetUuid, vmRuns, type VmRun } from './apply/vm-run.js';
import { ProviderPool } from './providers.js';
import type { JournalEntry } from './state/journal.js';
import { deposeMarker, deposedBy, restoreMarker, type Deposing } from './apply/deposed.js';
import { LockError, type StateManager } from './state/manager.js';
import { stateManagerFor } from './state/backend.js';
import { openState, type StateSession } from './state/session.js';
import { emptyState, setOutputs, settleUnstepped, stepRecord } from './state/transitions.js';
import { LiveState } from './state/live.js';
import type { PendingCreate, State } from '../planner/model/state.js';
import { describeChanges } from './verify.js';
import { walk, type WalkNode } from './walk.js';

export interface ApplyRequest {
  dir: string;
  parallelism: number; // overall, default 10
  savedPlan: boolean; // a plan from a file: refused as a whole when the state's lineage or serial moved, or any VM changed
  allowPartial?: boolean; // a saved plan whose VMs changed: run the steps of the others, refuse only those
  lockTimeoutMs?: number;
  signal?: AbortSignal; // first abort: finish steps in flight and stop; see createInterrupter()
  abortSignal?: AbortSignal; // second abort: abort the waits in flight too
  // The configuration the plan was made from: evaluated from `snapshot` (PlanRun.snapshot, or
  // the one a saved plan carries), never from the files in `dir`; loaded from `dir` (with
  // vars/varFiles) only when both are absent.
  config?: Config;
  snapshot?: ConfigSnapshot;
  vars?: Record<string, string>;
  varFiles?: string[];
  // Disruption budget: at most this many VMs of one `group` halted or rebooting at once.
  maxUnavailable?: number;
  env?: Record<string, string | undefined>; // for providers (e.g. XENSIM_FAULTS); default process.env
  openProvider?: (host: HostConfig, ctx: ProviderContext) => Promise<Provider>;
  session?: StateSession; // the lock runPlan kept (PlanRequest.holdLock); released by runApply
  providers?: ProviderPool; // the connections runPlan kept (PlanRequest.holdLock); closed by runApply
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
  warnings?: string[]; // check blocks that failed after apply
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
  const snap = req.snapshot;
  const where = snap ? 'The configuration saved with the plan' : `The configuration in ${req.dir}`;
  try {
    const r = snap
      ? loadConfig({ dir: req.dir, vars: snap.vars, varFiles: snap.var_files, env: snap.env, known, source: snapshotSource(snap, req.dir) })
      : loadConfig({ dir: req.dir, vars: req.vars, varFiles: req.varFiles, env: req.env, known, source: configSource });
    if (r.config) return r.config;
    const first = r.diagnostics.find((d) => d.severity === 'error');
    const what = first ? `: ${first.summary}${first.detail ? `: ${first.detail.split('\n\n')[0]}` : ''}${first.subject ? ` (${rangeText(first.subject)})` : ''}` : '';
    return `${where} has errors${what}${snap ? '' : '; run `xenform validate`'}.`;
  } catch (err) {
    return `${where} could not be loaded: ${errorText(err)}`;
  }
}

// Says which configuration files changed since the plan was made: the plan is applied as made.
function changeNote(snap: ConfigSnapshot, dir: string): string | null {
  const changed = changedSince(snap, dir, configSource);
  if (changed.length === 0) return null;
  const list = changed.map((f) => `\`${f}\``).join(', ');
  return `The configuration changed since the plan was made (${list}); the plan is applied as it was made, from the configuration saved with it.`;
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
    await req.providers?.close();
    return result;
  }
  // A session handed in was opened by the plan run, which reported its notes.
  if (!req.session) result.notes!.push(...session.notes);
  try {
    const stale = staleReason(plan, session.state, req.savedPlan);
    if (stale) {
      result.errors.push(stale);
      return result;
    }
    await session.held.recordPlan({ fingerprint: planFingerprint(plan), serial: plan.serial, steps: plan.steps.length });
    if (req.snapshot) {
      const note = changeNote(req.snapshot, req.dir);
      if (note) result.notes!.push(note);
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
    await req.providers?.close();
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

// Runs the steps under the lock: journals each step, walks the step graph, restores the VMs
// whose steps failed, records what the plan learned without steps and the outputs.
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
  const vms = vmRuns(plan, new Map((config?.vms ?? []).map((v) => [v.address, v])));
  const stepById = new Map(plan.steps.map((s) => [s.id, s]));

  const secrets = config ? secretValues(config) : [];
  const pool = req.providers ?? new ProviderPool({ workdir: req.dir, env: req.env ?? process.env, secrets: () => secrets }, req.openProvider);
  pool.listen((host, command, ms) => emit({ type: 'waiting', host, command, ms }));
  pool.know(config?.hosts ?? []);
  const provider = (host: string): Promise<Provider> => {
    const hc = hostsByName.get(host);
    return hc ? pool.get(hc) : Promise.reject(new Error(`host "${host}" is not in the configuration`));
  };

  if (req.savedPlan && !req.allowPartial) {
    const changed = await changedSincePlan(plan, provider);
    if (changed.length > 0) {
      for (const c of changed) {
        result.refused.push({ address: c.address, reason: c.reason });
        emit({ type: 'vm_refused', address: c.address, host: c.host, reason: c.reason });
      }
      result.errors.push(stalePlanError(changed));
      if (!req.providers) await pool.close();
      return;
    }
  }

  // Moved, import and removed blocks: markers and records, before any step.
  const refactoring = await applyRefactoring(plan, state, provider, config);
  state = refactoring.state;
  result.notes!.push(...refactoring.notes);
  if (refactoring.errors.length > 0) {
    result.errors.push(...refactoring.errors);
    await session.write(state);
    if (!req.providers) await pool.close();
    return;
  }
  const live = new LiveState(state);

  const journal = await session.held.openJournal();
  const record = async (entry: JournalEntry) => {
    await journal.append(entry);
    live.record(entry);
  };
  // Not awaited: every later entry is appended after it, so it is durable before any step starts.
  const begun = record({ t: 'begin', lineage: state.lineage, serial: state.serial, time: new Date().toISOString() });
  begun.catch(() => undefined); // awaited after the walk; meanwhile each step's own entry fails with it

  const namesBefore = await noteNamesBeforeCreates(plan, provider, record);
  // Creates whose outcome is unknown: the next refresh adopts their VM, if there is one.
  const uncertainCreates: PendingCreate[] = [];

  let interruptedBy = 0;
  const onFirst = () => {
    if (interruptedBy >= 1) return;
    interruptedBy = 1;
    emit({ type: 'interrupt', count: 1, message: 'Interrupted: finishing the steps in flight, then stopping. Interrupt again to abort them.' });
  };
  const onSecond = () => {
    if (interruptedBy >= 2) return;
    interruptedBy = 2;
    emit({ type: 'interrupt', count: 2, message: 'Interrupted again: aborting the steps in flight.' });
  };
  if (req.signal?.aborted) onFirst();
  req.signal?.addEventListener('abort', onFirst);
  req.abortSignal?.addEventListener('abort', onSecond);

  // Before its first step, the VM is read again: refused when it changed since the plan.
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
    const old = deposedBy(run, step);
    const created = step.op === 'create' ? { name: step.args.attributes.name, template: step.args.attributes.template, ...(old ? { deposes: old.uuid } : {}) } : {};
    const p = record({ t: 'start', step: step.id, address: step.address, host: step.host, op: step.op, uuid: targetUuid(run, step), time: new Date().toISOString(), ...created });
    journaled.set(step.id, p);
    return p;
  };

  const fail = async (run: VmRun, step: Step, error: string, leaveAlone?: string): Promise<'failed'> => {
    run.status = { kind: 'failed', error, ...(leaveAlone ? { leaveAlone } : {}) };
    await record({ t: 'fail', step: step.id, address: step.address, host: step.host, op: step.op, error, time: new Date().toISOString() });
    result.failed.push({ step: step.id, error });
    emit({ type: 'step_failed', step, error });
    return 'failed';
  };

  const refuse = async (run: VmRun, step: Step, reason: string): Promise<'failed'> => {
    run.status = { kind: 'refused', reason };
    result.refused.push({ address: run.address, reason });
    emit({ type: 'vm_refused', address: run.address, host: run.host, reason });
    await record({ t: 'fail', step: step.id, address: step.address, host: step.host, op: step.op, error: `refused: ${reason}`, time: new Date().toISOString() });
    const skipped = `${run.address} was refused: ${reason}`;
    result.skipped.push({ step: step.id, reason: skipped });
    emit({ type: 'step_skipped', step, reason: skipped });
    return 'failed'; // its dependants are skipped too
  };

  const runStep = async (node: WalkNode, hostDone: () => void): Promise<'done' | 'failed'> => {
    let step = stepById.get(node.id)!;
    const run = vms.get(step.address)!;
    let p: Provider;
    try {
      p = await provider(step.host);
    } catch (err) {
      return fail(run, step, `cannot reach host "${step.host}": ${errorText(err)}`);
    }
    if (run.status.kind === 'pending') {
      let refusal: string | null;
      try {
        refusal = await verify(run, p);
      } catch (err) {
        refusal = `it could not be read before its first step: ${errorText(err)}`;
      }
      if (refusal) return refuse(run, step, refusal);
      run.status = { kind: 'running' };
      const unmet = preconditionsBeforeFirstStep(config, run.address, () => live.state, (known) => loadConfigFor(req, known));
      if (unmet) return fail(run, step, unmet);
    }
    if (req.signal?.aborted && interruptedBy === 0) onFirst();
    const filled = fillUnknowns(step, () => live.state, (known) => loadConfigFor(req, known));
    if ('error' in filled) return fail(run, step, filled.error);
    stepById.set(step.id, (step = filled.step));
    const uuid = targetUuid(run, step);
    await journaled.get(step.id); // durable before the step starts (normally long since)
    emit({ type: 'step_start', step });
    const t0 = Date.now();
    const old = deposedBy(run, step);
    let deposing: Deposing | null = null;
    try {
      if (old) await deposeMarker((deposing = { ...old, provider: await provider(old.host) }), run.address);
      const res = await abortable(
        executeWithPolicy(p, step, { uuid, address: step.address }, req.abortSignal, {
          note: (message) => emit({ type: 'step_note', step, message }),
        }),
        req.abortSignal,
        step.host,
      );
      hostDone();
      if (step.op === 'create') run.newUuid = res.uuid;
      const missed = missedTarget(step, res.observed);
      if (missed) return fail(run, step, missed, `${step.op.replace('_', ' ')} did not leave it ${step.to}`);
      const last = --run.stepsLeft === 0;
      const lastLive = step.deposed === undefined && --run.liveLeft === 0; // the address's VM is as planned: record what the configuration says of it
      await record({
        t: 'done',
        step: step.id,
        address: step.address,
        host: step.host,
        op: step.op,
        uuid: res.uuid,
        time: new Date().toISOString(),
        ...(old ? { deposed: old.uuid } : {}),
        resource: stepRecord(live.narrowed(run.address), {
          address: run.address,
          host: step.op === 'migrate' && res.observed ? res.observed.host : step.host, // an xl migration leaves the VM on another host
          op: step.op,
          uuid: res.uuid,
          observed: res.observed,
          created: step.op === 'create' ? step.args.attributes : undefined,
          change: run.change,
          restartTrigger: lastLive && run.config ? run.config.restart_trigger : undefined,
          pendingReboot: lastLive ? run.change?.pending_reboot : undefined,
          shutdown: lastLive && run.config ? run.config.shutdown : undefined,
        }),
      });
      if (last) run.status = { kind: 'done' };
      for (const message of res.notes ?? []) {
        result.notes!.push(`${step.address}: ${message}.`);
        emit({ type: 'step_note', step, message });
      }
      result.succeeded.push(step.id);
      emit({ type: 'step_done', step, ms: Date.now() - t0 });
      return 'done';
    } catch (err) {
      hostDone();
      const uncertain = isUncertain(err);
      if (deposing && !uncertain && !(err instanceof ProviderError && err.params.uuid)) await restoreMarker(deposing, run.address).catch(() => undefined);
      // A create that may have made its VM (or made it and could not mark it): the next
      // refresh adopts the one new VM of its name.
      if (step.op === 'create' && (uncertain || (err instanceof ProviderError && err.params.uuid))) {
        const name = step.args.attributes.name;
        uncertainCreates.push({ address: run.address, host: step.host, name, template: step.args.attributes.template, preexisting: namesBefore.get(step.host)?.[name] ?? [], ...(old ? { deposes: old.uuid } : {}) });
      }
      if (!uncertain) return fail(run, step, errorText(err));
      return fail(run, step, errorText(err), `the host may have completed ${step.op.replace('_', ' ')} after all`);
    }
  };

  // After a failure that leaves the VM's condition unknown, or not what the step said: the VM
  // is read again and reported as it is, and no step the plan did not show is run on it.
  const reportAsIs = async (run: VmRun, why: string): Promise<void> => {
    const uuid = run.newUuid ?? (run.steps.some((s) => s.op === 'create') ? null : run.uuid);
    let note: string;
    if (!uuid) {
      const create = run.steps.find((s) => s.op === 'create');
      const name = create?.op === 'create' ? create.args.attributes.name : '?';
      note = `${run.address}: ${why}. If a VM was made, the next plan adopts it (by its ownership markers, or as the one new VM named "${name}" on ${run.host}) instead of creating another.`;
    } else if (interruptedBy >= 2) {
      note = `${run.address} (${uuid} on ${run.host}): ${why}; it was not read again (apply was interrupted twice). It was left as it is; the next plan reads it.`;
    } else {
      let now: string;
      try {
        const vm = await (await provider(run.host)).readVm(uuid);
        now = vm ? `it is ${vm.attributes.power_state}` : 'it no longer exists';
      } catch (err) {
        now = `it could not be read (${errorText(err)})`;
      }
      note = `${run.address} (${uuid} on ${run.host}): ${why}; read again, ${now}. It was left as it is; the next plan compares it with the configuration.`;
    }
    result.notes!.push(note);
    emit({ type: 'vm_left', address: run.address, host: run.host, message: note });
  };

  const restoreRun = async (run: VmRun): Promise<void> => {
    if (interruptedBy >= 2) return;
    let restored;
    try {
      const p = await provider(run.host);
      restored = await restore(run, {
        provider: p,
        toolstack: hostsByName.get(run.host)?.toolstack ?? p.toolstack,
        record,
        state: () => live.state,
        abort: req.abortSignal,
        hooks: { note: () => undefined },
      });
    } catch (err) {
      restored = { address: run.address, to: run.powerBefore ?? 'unknown', ok: false, error: errorText(err) };
    }
    if (!restored) return;
    result.restored!.push(restored);
    emit({ type: 'vm_restore', address: run.address, host: run.host, to: restored.to, ok: restored.ok, ...(restored.error ? { error: restored.error } : {}) });
  };

  const disruptive = (c: ResourceChange | undefined) => c !== undefined && ['reboot', 'halt', 'replace'].includes(c.disruption);
  const nodes: WalkNode[] = plan.steps.map((s) => {
    const run = vms.get(s.address)!;
    // A live migration counts against --max-unavailable too (an evacuation drains a member N VMs at a time).
    const group = disruptive(run.change) ? run.config?.group : s.op === 'migrate' ? 'live migrations' : undefined;
    return { id: s.id, deps: s.depends_on, host: s.host, vm: s.address, group };
  });
  const restores: Promise<void>[] = [];
  try {
    await walk(nodes, {
      parallelism: Math.max(1, req.parallelism || 10),
      hostLimit: (h) => Math.max(1, hostsByName.get(h)?.max_parallel ?? 4),
      maxUnavailable: req.maxUnavailable,
      stop: () => interruptedBy > 0 || Boolean(req.signal?.aborted),
      run: runStep,
      prepare,
      vmBlocked: (vm) => blocked(vms.get(vm)!),
      skip: (node, reason) => {
        result.skipped.push({ step: node.id, reason });
        emit({ type: 'step_skipped', step: stepById.get(node.id)!, reason });
      },
      vmFinished: (vm) => {
        const run = vms.get(vm)!;
        if (run.status.kind === 'failed') restores.push(run.status.leaveAlone ? reportAsIs(run, run.status.leaveAlone) : restoreRun(run));
      },
    });
    await Promise.all(restores);
    await begun;
    const done = [...vms.values()].filter((r) => r.status.kind === 'done').map((r) => r.address);
    const after = await checkAfterApply(config, done, live.state, (known) => loadConfigFor(req, known), provider);
    result.errors.push(...after.errors);
    result.warnings = after.warnings;
  } finally {
    req.signal?.removeEventListener('abort', onFirst);
    req.abortSignal?.removeEventListener('abort', onSecond);
    if (!req.providers) await pool.close(); // a pool handed in is closed by runApply
  }
  if (interruptedBy > 0) result.interrupted = true;

  state = settleUnstepped(live.state, plan, new Set(vms.keys()));
  if (uncertainCreates.length > 0) {
    const addresses = new Set(uncertainCreates.map((p) => p.address));
    state = { ...state, pending_creates: [...(state.pending_creates ?? []).filter((p) => !addresses.has(p.address)), ...uncertainCreates] };
  }
  state = recordPlanFacts(state, plan, new Set(vms.keys()));
  // A whole destroy leaves nothing for an output to say, as in Terraform.
  if (plan.options.destroy && plan.options.targets.length === 0 && result.failed.length === 0 && result.refused.length === 0 && !interruptedBy) state = setOutputs(state, []);
  else if (config) state = recordOutputs(state, config, (known) => loadConfigFor(req, known));
  await session.write(state);
  await journal.close();
  await session.held.clearJournal();
}

// Before creating, notes which VMs of the same names already exist: if this apply dies between
// creating a VM and marking it, the next refresh can tell the new VM from the old ones.
async function noteNamesBeforeCreates(plan: Plan, provider: (host: string) => Promise<Provider>, record: (e: JournalEntry) => Promise<void>): Promise<Map<string, Record<string, string[]>>> {
  const noted = new Map<string, Record<string, string[]>>();
  const createsByHost = new Map<string, Set<string>>();
  for (const s of plan.steps) {
    if (s.op === 'create') createsByHost.set(s.host, (createsByHost.get(s.host) ?? new Set()).add(s.args.attributes.name));
  }
  await Promise.all(
    [...createsByHost].map(async ([host, names]) => {
      try {
        const inv = await (await provider(host)).inventory();
        const taken: Record<string, string[]> = {};
        const byName = new Map<string, string[]>();
        for (const v of inv.vms) {
          const same = byName.get(v.attributes.name);
          if (same) same.push(v.uuid);
          else byName.set(v.attributes.name, [v.uuid]);
        }
        for (const n of names) taken[n] = byName.get(n) ?? [];
        noted.set(host, taken);
        await record({ t: 'names', host, names: taken, time: new Date().toISOString() });
      } catch {
        // the host's steps report the failure
      }
    }),
  );
  return noted;
}

function firstMarkerLineage(plan: Plan): string | null {
  for (const s of plan.steps) if (s.op === 'create') return s.args.markers.lineage;
  return null;
}
