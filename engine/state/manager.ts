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
  boot_id?: string; // the holder machine's boot (Linux /proc/sys/kernel/random/boot_id), when known
  plan?: LockPlan; // the plan the holder applies, once it has one
}

// The plan a lock is held to apply: which one (the fingerprint of its plan JSON), the state
// serial it was made against, and how many steps it runs.
export interface LockPlan {
  fingerprint: string;
  serial: number;
  steps: number;
}

export function describeHolder(info: LockInfo): string {
  const plan = info.plan ? `, applying plan ${info.plan.fingerprint} (${info.plan.steps} step${info.plan.steps === 1 ? '' : 's'}, made against state serial ${info.plan.serial})` : '';
  return `${info.who} (pid ${info.pid}) for "${info.operation}" since ${info.created}, lock ID ${info.id}${plan}`;
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

// No state is stored, but what the backend keeps shows an earlier lineage that recorded VMs
// (the local backend: its .backup file): planning from nothing would create them again.
// `state rebuild` reads on past it, and may write a first state of that lineage.
export class LostStateError extends Error {
  constructor(
    readonly where: string,
    readonly previous: State,
    message: string,
  ) {
    super(`${where}: ${message}`);
    this.name = 'LostStateError';
  }
}

// Appends journal entries durably; entries appended together may share one flush.
export interface JournalWriter {
  append(entry: JournalEntry): Promise<void>;
  close(): Promise<void>;
}

export interface HeldLock {
  readonly info: LockInfo;
  readonly notes: string[]; // what taking the lock did, as sentences (a dead holder's lock taken over)
  read(): Promise<State | null>;
  // Compare-and-swap: refused with StateConflictError unless the stored serial is `expected`
  // (null: no state stored yet). A state whose content is unchanged is not written again.
  // The stored serial is one more than `expected` (or next.serial for a first state).
  write(next: State, expected: number | null): Promise<State>;
  openJournal(): Promise<JournalWriter>;
  readJournal(): Promise<JournalEntry[] | null>; // null: no journal
  clearJournal(): Promise<void>;
  recordPlan(plan: LockPlan): Promise<void>; // the lock names the plan it applies (lock list, a refused run)
  release(): Promise<void>;
}

export interface StateManager {
  readonly where: string; // for messages: "xenform.state.json in /srv/infra"
  read(): Promise<State | null>; // a consistent snapshot, without the lock
  // The journal as it is now, without the lock: a plan that only reads folds it in memory.
  // It may be in the middle of being written by a running apply.
  readJournal(): Promise<JournalEntry[] | null>;
  lock(operation: string, timeoutMs?: number): Promise<HeldLock>; // LockError when held elsewhere
  locks(): Promise<(LockInfo & { stale: boolean })[]>; // stale: its holder is known to be gone
  forceUnlock(id: string): Promise<LockInfo>; // the holder removed; LockError when id is not held
}
