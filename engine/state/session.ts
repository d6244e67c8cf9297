// Taking the state for an operation: the lock, then the state with any journal left by an
// interrupted apply folded in (and written), so every command starts from a settled state.
// The session writes by compare-and-swap on the serial it last read or wrote.
import type { State } from '../../planner/model/state.js';
import { LostStateError, type HeldLock, type StateManager } from './manager.js';
import { emptyState, foldJournal } from './transitions.js';

export interface StateSession {
  readonly held: HeldLock;
  readonly state: State | null; // as stored now; null when no state exists yet
  readonly lost?: State; // with acceptLost: the earlier lineage that the missing state had
  notes: string[]; // what recovery did, as sentences
  write(next: State): Promise<State>; // refused when the stored serial moved since `state`
  release(): Promise<void>;
}

export interface OpenOptions {
  operation: string;
  lockTimeoutMs?: number;
  xenformVersion: string;
  acceptLost?: boolean; // a missing state whose earlier lineage is known is read as no state (state rebuild)
}

export async function openState(manager: StateManager, opts: OpenOptions): Promise<StateSession> {
  const held = await manager.lock(opts.operation, opts.lockTimeoutMs);
  try {
    let lost: State | undefined;
    let state = await held.read().catch((err: unknown) => {
      if (!(opts.acceptLost && err instanceof LostStateError)) throw err;
      lost = err.previous;
      return null;
    });
    const write = async (next: State): Promise<State> => {
      state = await held.write({ ...next, xenform_version: opts.xenformVersion }, state?.serial ?? null);
      return state;
    };
    const entries = await held.readJournal();
    const notes: string[] = [...held.notes]; // taking the lock and reading the journal may have said something
    if (entries?.length === 0) await held.clearJournal(); // nothing it held can be folded
    else if (entries) {
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
      ...(lost ? { lost } : {}),
      write,
      release: () => held.release(),
    };
  } catch (err) {
    await held.release();
    throw err;
  }
}
