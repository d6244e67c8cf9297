// Taking the state for an operation: the lock, then the state with any journal left by an
// interrupted apply folded in (and written), so every command starts from a settled state.
import { acquireLock, type Lock } from './lock.js';
import { journalPath, readJournal, reconcile } from './journal.js';
import { emptyState, StateStore } from './store.js';
import type { State } from '../../planner/model/state.js';
import fs from 'node:fs/promises';

export interface StateSession {
  lock: Lock;
  store: StateStore;
  state: State | null; // null when no state file exists yet
  notes: string[]; // what recovery did, as sentences
  release(): Promise<void>;
}

export interface OpenOptions {
  operation: string;
  lockTimeoutMs?: number;
  xenformVersion: string;
}

export async function openState(dir: string, opts: OpenOptions): Promise<StateSession> {
  const lock = await acquireLock(dir, { operation: opts.operation, timeoutMs: opts.lockTimeoutMs });
  try {
    const store = new StateStore(dir);
    let state = await store.read();
    const notes: string[] = [];
    const entries = await readJournal(dir);
    if (entries) {
      const begin = entries.find((e) => e.t === 'begin');
      const base = state ?? emptyState(opts.xenformVersion, begin?.t === 'begin' ? begin.lineage : undefined);
      const r = reconcile(base, entries);
      if (r.recorded.length > 0 || r.interrupted.length > 0 || !state) {
        notes.push(
          `A previous apply was interrupted; its journal was folded into the state` +
            (r.recorded.length ? ` (recorded ${r.recorded.join(', ')})` : '') +
            '.',
        );
      }
      for (const i of r.interrupted) {
        notes.push(
          i.op === 'create'
            ? `${i.address} was being created on ${i.host} when the previous apply stopped; if it exists, its ownership markers let the plan adopt it.`
            : `${i.address}: "${i.op}" was in progress on ${i.host} when the previous apply stopped; the plan reads the host again.`,
        );
      }
      state = await store.write({ ...r.state, xenform_version: opts.xenformVersion });
      await fs.rm(journalPath(dir), { force: true });
    }
    return { lock, store, state, notes, release: () => lock.release() };
  } catch (err) {
    await lock.release();
    throw err;
  }
}
