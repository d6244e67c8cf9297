// Where the state lives, behind one interface: the local file (local/) is the first backend;
// a team backend implements the same contract. Nothing here names a file or a table.
import type { State } from '../../planner/model/state.js';
import type { JournalEntry } from './journal.js';

export interface LockInfo {
  id: string;
  who: string; // user@host
  pid: number;
  operation: string; // "apply", "plan", "state rm", ...
  created: string; // ISO 8601
}

export function describeHolder(info: LockInfo): string {
  return `${info.who} (pid ${info.pid}) for "${info.operation}" since ${info.created}, lock ID ${info.id}`;
}

export class LockError extends Error {
  constructor(
    message: string,
    readonly holder: LockInfo | null,
    readonly stale: boolean,
  ) {
    super(message);
    this.name = 'LockError';
  }
}

// A write refused because the stored state is not the one the writer read.
export class StateConflictError extends Error {
  constructor(
    readonly expected: number | null,
    readonly found: number | null,
  ) {
    const serial = (s: number | null) => (s === null ? 'no state' : `serial ${s}`);
    super(`The state changed under this run: expected ${serial(expected)}, found ${serial(found)}. Nothing was written; run the command again.`);
    this.name = 'StateConflictError';
  }
}

// Appends journal entries durably; entries appended together may share one flush.
export interface JournalWriter {
  append(entry: JournalEntry): Promise<void>;
  close(): Promise<void>;
}

export interface HeldLock {
  readonly info: LockInfo;
  readonly notes?: string[]; // what taking the lock did (e.g. took over a dead holder's), as sentences
  read(): Promise<State | null>;
  // Compare-and-swap: refused with StateConflictError unless the stored serial is `expected`
  // (null: no state stored yet). A state whose content is unchanged is not written again.
  // The stored serial is one more than `expected` (or next.serial for a first state).
  write(next: State, expected: number | null): Promise<State>;
  openJournal(): Promise<JournalWriter>;
  readJournal(): Promise<JournalEntry[] | null>; // null: no journal
  clearJournal(): Promise<void>;
  release(): Promise<void>;
}

export interface StateManager {
  readonly where: string; // for messages: "xenform.state.json in /srv/infra"
  read(): Promise<State | null>; // a consistent snapshot, without the lock
  lock(operation: string, timeoutMs?: number): Promise<HeldLock>; // LockError when held elsewhere
  locks(): Promise<(LockInfo & { stale: boolean })[]>; // stale: its holder is known to be gone
  forceUnlock(id: string): Promise<LockInfo>; // the holder removed; LockError when id is not held
}
