// Loads the configuration and state, refreshes every host in parallel, and makes the plan.
import { randomUUID } from 'node:crypto';
import { XENFORM_VERSION } from './version.js';
import type { Diagnostic } from '../lang/diagnostics.js';
import { loadConfig } from '../planner/config/load.js';
import { configSource } from './config-source.js';
import { recordingSource, variableEnv } from './config-snapshot.js';
import type { Config, HostConfig } from '../planner/config/types.js';
import type { Disruption, HostInventory } from '../planner/model/vm.js';
import { makePlan, type PlanOutcome } from '../planner/plan/make-plan.js';
import { hostsToRead, selectTargets } from '../planner/plan/targets.js';
import type { Plan } from '../planner/plan/types.js';
import { secretValues } from '../planner/plan/sensitive.js';
import type { ConfigSnapshot } from '../planner/plan/plan-file.js';
import type { ProviderContext } from '../providers/factory.js';
import type { Provider } from '../providers/provider.js';
import { ProviderPool } from './providers.js';
import type { EventSink } from './events.js';
import { errorText } from './errors.js';
import { describeHolder, LockError, type LockInfo, type StateManager } from './state/manager.js';
import { stateManagerFor } from './state/backend.js';
import { openState, type StateSession } from './state/session.js';
import { adoptPendingCreates } from './state/transitions.js';
import type { State } from '../planner/model/state.js';

export interface PlanRequest {
  dir: string;
  vars: Record<string, string>;
  varFiles: string[];
  destroy: boolean;
  refreshOnly: boolean;
  refresh: boolean; // false: plan against the state without reading the hosts
  targets: string[];
  replace: string[];
  maxDisruption?: Disruption;
  evacuate?: string; // a pool member every managed VM is migrated off
  lockTimeoutMs?: number;
  // Keep the state locked after planning (PlanRun.session), so that an apply that asks for
  // approval first runs under the same lock: pass it on as ApplyRequest.session.
  holdLock?: boolean;
  operation?: 'plan' | 'apply' | 'destroy'; // what the lock says it is held for; default "plan"
  env?: Record<string, string | undefined>; // for XF_VAR_* and providers; default process.env
  openProvider?: (host: HostConfig, ctx: ProviderContext) => Promise<Provider>;
  state?: StateManager; // where the state lives; default: the local file in `dir`
  generateConfig?: boolean; // `--generate-config-out`: import targets without a vm block are handed back (PlanRun.unconfigured)
}

export interface PlanRun {
  plan: Plan | null;
  config: Config | null;
  diagnostics: Diagnostic[]; // configuration diagnostics, rendered by the cli
  files: Record<string, string>; // sources for rendering diagnostics
  // What the configuration was loaded from: a saved plan carries it, and apply evaluates it.
  snapshot: ConfigSnapshot | null;
  errors: string[]; // refusals and host errors, each a complete sentence
  notes?: string[]; // e.g. recovery of an interrupted apply
  inventories?: Record<string, HostInventory>;
  session?: StateSession; // with holdLock: the lock still held; release() it or hand it to runApply
  providers?: ProviderPool; // with holdLock: the hosts' connections, still open; close() them or hand them to runApply
  unconfigured?: PlanOutcome['unconfigured']; // with generateConfig
}

function lockedNote(holder: LockInfo, state: State | null): string {
  return `The state is locked by ${describeHolder(holder)}: this plan was made against its last written version (serial ${state?.serial ?? 'none'}) without waiting.`;
}

// The state when nothing is left to settle, read without the lock; null when a journal or an
// unconfirmed create needs the lock to be folded in and written.
async function readSettled(manager: StateManager): Promise<{ state: State | null; notes: string[] } | null> {
  const state = await manager.read();
  if (state?.pending_creates?.length || (await manager.readJournal()) !== null) return null;
  const holder = (await manager.locks()).find((l) => !l.stale);
  const notes = holder ? [lockedNote(holder, state)] : [];
  return { state, notes };
}

export async function runPlan(req: PlanRequest, events?: EventSink): Promise<PlanRun> {
  const emit: EventSink = (e) => {
    try {
      events?.(e);
    } catch {
      // a broken view must not break the plan
    }
  };
  const out: PlanRun = { plan: null, config: null, diagnostics: [], files: {}, snapshot: null, errors: [], notes: [] };
  let secrets: string[] = []; // the configuration's sensitive values, masked in the command log
  const pool = new ProviderPool({ workdir: req.dir, env: req.env ?? process.env, secrets: () => secrets }, req.openProvider);
  pool.listen((host, command, ms) => emit({ type: 'waiting', host, command, ms }));

  // A plan that is not kept for an apply only reads: it takes no lock unless a journal or an
  // unconfirmed create is left to settle, and never waits for it: when another run holds it,
  // it plans against the last written state (a consistent snapshot) and says so.
  let session: StateSession | null = null;
  let state: State | null = null;
  try {
    const manager = req.state ?? stateManagerFor(req.dir, req.env ?? process.env);
    const settled = req.holdLock ? null : await readSettled(manager);
    if (settled) {
      state = settled.state;
      out.notes!.push(...settled.notes);
    } else {
      try {
        // Held for an apply, the lock names the apply: that is what a refused run must wait for.
        const operation = req.operation ?? (req.holdLock ? (req.destroy ? 'destroy' : 'apply') : 'plan');
        session = await openState(manager, { operation, lockTimeoutMs: req.holdLock ? req.lockTimeoutMs : 0, xenformVersion: XENFORM_VERSION });
        state = session.state;
      } catch (err) {
        if (req.holdLock || !(err instanceof LockError) || !err.holder) throw err;
        state = await manager.read();
        out.notes!.push(lockedNote(err.holder, state));
      }
    }
  } catch (err) {
    out.errors.push(err instanceof LockError ? err.message : `Could not read the state: ${errorText(err)}`);
    return out;
  }
  try {
    out.notes!.push(...(session?.notes ?? []));
    const known = Object.fromEntries((state?.resources ?? []).map((r) => [r.address, { uuid: r.uuid }]));
    const env = req.env ?? process.env;
    const recorder = recordingSource(configSource, req.dir);
    let loaded;
    try {
      loaded = loadConfig({ dir: req.dir, vars: req.vars, varFiles: req.varFiles, env, known, source: recorder.source, version: XENFORM_VERSION });
    } catch (err) {
      out.errors.push(`The configuration in ${req.dir} could not be loaded: ${errorText(err)}`);
      return out;
    }
    out.diagnostics = loaded.diagnostics;
    out.files = loaded.files;
    out.snapshot = { ...recorder.reads(), vars: { ...req.vars }, var_files: [...req.varFiles], env: variableEnv(env) };
    out.config = loaded.config;
    if (!loaded.config) return out;
    const config = loaded.config;
    secrets = secretValues(config);

    const inventories: Record<string, HostInventory> = {};
    if (req.refresh) {
      // With --target, one unreachable host does not block a plan for VMs on the others.
      const needed = hostsToRead(config, state, selectTargets(config, state, req));
      await Promise.all(
        config.hosts.filter((h) => needed === null || needed.has(h.name)).map(async (host) => {
          emit({ type: 'refresh_start', host: host.name });
          const t0 = Date.now();
          try {
            const provider: Provider = await pool.get(host);
            const inv = await provider.inventory();
            inventories[host.name] = inv;
            emit({ type: 'refresh_done', host: host.name, vms: inv.vms.length, ms: Date.now() - t0 });
          } catch (err) {
            const message = `Host "${host.name}" could not be read: ${errorText(err)}`;
            out.errors.push(message);
            emit({ type: 'refresh_failed', host: host.name, error: message });
          }
        }),
      );
      out.inventories = inventories;
      if (out.errors.length > 0) return out;
      if (state?.pending_creates?.length) {
        const adopted = adoptPendingCreates(state, inventories);
        out.notes!.push(...adopted.notes);
        state = session ? await session.write(adopted.state) : adopted.state;
      }
    }

    try {
      const outcome = makePlan({
        config,
        state,
        inventories,
        options: {
          destroy: req.destroy,
          refreshOnly: req.refreshOnly,
          targets: req.targets,
          replace: req.replace,
          maxDisruption: req.maxDisruption,
          ...(req.evacuate !== undefined ? { evacuate: req.evacuate } : {}),
          xenformVersion: XENFORM_VERSION,
          // With no state yet, the create steps' ownership markers carry a fresh lineage;
          // apply gives the first state that lineage.
          lineage: state ? undefined : randomUUID(),
          generateConfig: req.generateConfig,
        },
      });
      out.plan = outcome.plan;
      if (outcome.unconfigured) out.unconfigured = outcome.unconfigured;
      // A refusal about a place in the configuration is shown there (file:line:column).
      for (const d of outcome.errors) {
        if (d.subject) out.diagnostics.push(d);
        else out.errors.push(d.detail);
      }
    } catch (err) {
      out.errors.push(`Planning failed: ${errorText(err)}`);
    }
    return out;
  } finally {
    if (req.holdLock && out.plan && session) {
      out.session = session;
      out.providers = pool;
    } else {
      await session?.release();
      await pool.close();
    }
  }
}
