// Taking the state for an operation: the lock, then the state with any journal left by an
// interrupted apply folded in (and written), so every command starts from a settled state.
// The session writes by compare-and-swap on the serial it last read or wrote.
import type { State } from '../../planner/model/state.js';
import type { HeldLock, StateManager } from './manager.js';
import { emptyState, foldJournal } from './transitions.js';

export interface StateSession {
  readonly held: HeldLock;
  readonly state: State | null; // as stored now; null when no state exists yet
  notes: string[]; // what recovery did, as sentences
  write(next: State): Promise<State>; // refused when the stored serial moved since `state`
  release(): Promise<void>;
}

export interface OpenOptions {
  operation: string;
  lockTimeoutMs?: number;
  xenformVersion: string;
}

export async function openState(manager: StateManager, opts: OpenOptions): Promise<StateSession> {
  const held = await manager.lock(opts.operation, opts.lockTimeoutMs);
  try {
    let state = await held.read();
    const write = async (next: State): Promise<State> => {
      state = await held.write({ ...next, xenform_version: opts.xenformVersion }, state?.serial ?? null);
      return state;
    };
    const notes: string[] = [...(held.notes ?? [])];
    const entries = await held.readJournal();
    if (entries) {
      const begin = entries.find((e) => e.t === 'begin');
      const base = state ?? emptyState(opts.xenformVersion, begin?.t === 'begin' ? begin.lineage : undefined);
      const folded = foldJournal(base, entries);
      notes.push(...folded.notes);
      if (folded.notes.length === 0 && !state) notes.push('A previous apply was interrupted; its journal was folded into the state.');
      await write(folded.state);
      await held.clearJournal();
    }
    return {
      held,
      get state() {
        return state;
      },
      notes,
      write,
      release: () => held.release(),
    };
  } catch (err) {
    await held.release();
    throw err;
  }
}
