// The simulated host as the commands see it: `update` runs a command's read-modify-write
// under the host's lock (file-lock.ts), on the host from its file (host-file.ts), shared by
// any number of `xe`/`xl` processes and in-process callers. The lock is held only while the
// state is read, changed and written, never while an operation "takes time".
//
// In-process callers commit as a group: the calls waiting when this process takes the
// lock run one after another under it, the state is written once, and only then does each
// call return, so a change is on disk before its command answers, as on a host whose
// database is written before the call completes. The lock is kept while in-process calls
// keep coming (at most MAX_HOLD_MS at a time), and the file is not read again meanwhile.
// The file is put back at rest once this process has been idle for REST_AFTER_MS, and
// when it exits.
import { existsSync } from 'node:fs';
import type { SimState } from './state.js';
import { sleep } from './faults.js';
import { lock, tryLock, unlock } from './file-lock.js';
import { cachedState, forgetState, readState, writeChanges, writeRest, writeSnapshot, type Loaded } from './host-file.js';
import { noteChange } from './lookup.js';
import { trackChanges, type RecordKey } from './track.js';
import { CallerGone, currentCaller, runFor } from './daemon-caller.js';

const MAX_HOLD_MS = 50; // how long in-process calls may keep the lock from other processes
const REST_AFTER_MS = 250;

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

interface Call {
  create: () => SimState;
  fn: (st: SimState) => unknown;
  settle: (o: Outcome) => void;
}

class StateFile {
  private readonly waiting: Call[] = [];
  private draining = false;
  private lockedSince: number | null = null; // while set, no other process can have written the file
  private restTimer: NodeJS.Timeout | undefined;

  constructor(private readonly statePath: string) {}

  private get lockPath(): string {
    return `${this.statePath}.lock`;
  }

  run<T>(create: () => SimState, fn: (st: SimState) => T | Promise<T>): Promise<T> {
    clearTimeout(this.restTimer);
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ create, fn, settle: (o) => (o.ok ? resolve(o.value as T) : reject(o.error)) });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    while (this.waiting.length > 0) {
      if (this.lockedSince !== null && Date.now() - this.lockedSince > MAX_HOLD_MS) {
        this.unlock();
        await sleep(2); // another process's turn
      }
      await this.hold();
    }
    this.draining = false;
    // The callers' next commands usually follow within this turn of the event loop: the lock
    // is kept for them, and given up once the loop moves on.
    setImmediate(() => {
      if (!this.draining) this.unlock();
    });
    this.restTimer = setTimeout(() => this.rest(), REST_AFTER_MS).unref();
  }

  // Puts the file back at rest if this process left it in its working form, unless another
  // process is working on it (that one will).
  rest(): void {
    clearTimeout(this.restTimer);
    if (this.draining) return;
    if (!existsSync(this.statePath)) return; // gone with its directory: taking the lock would make that again
    try {
      if (this.lockedSince === null && !tryLock(this.lockPath)) return;
    } catch {
      return; // the lock cannot be taken at all: the next command will say why
    }
    this.lockedSince = null;
    try {
      const loaded = readState(this.statePath);
      if (loaded && loaded.generation !== null) writeRest(this.statePath, loaded.state);
    } catch {
      forgetState(this.statePath); // left in its working form, which every reader reads
    } finally {
      unlock(this.lockPath);
    }
  }

  private unlock(): void {
    if (this.lockedSince === null) return;
    this.lockedSince = null;
    unlock(this.lockPath);
  }

  // The waiting calls in order, then at most one write; each call settles after the write.
  private async hold(): Promise<void> {
    const done: [Call, Outcome][] = [];
    let loaded: Loaded | null | undefined;
    if (this.lockedSince === null) {
      try {
        await lock(this.lockPath);
      } catch (error) {
        for (const call of this.waiting.splice(0)) call.settle({ ok: false, error });
        return;
      }
      this.lockedSince = Date.now();
    } else {
      loaded = cachedState(this.statePath);
    }
    try {
      loaded ??= readState(this.statePath);
      let state = loaded?.state ?? null;
      const changes = new Map<string, RecordKey>();
      while (this.waiting.length > 0 && (done.length === 0 || Date.now() - this.lockedSince < MAX_HOLD_MS)) {
        const call = this.waiting.shift()!;
        state ??= call.create();
        const root = state;
        const tracked = trackChanges(state, (key) => noteChange(root, key));
        try {
          done.push([call, { ok: true, value: await call.fn(tracked.proxy) }]);
        } catch (error) {
          done.push([call, { ok: false, error }]);
        }
        // Written even when a call throws: call counters and recovered operations must persist.
        for (const key of tracked.changes()) changes.set(key.join('\0'), key);
      }
      if (!loaded) writeSnapshot(this.statePath, state!);
      else if (changes.size > 0) writeChanges(this.statePath, loaded, [...changes.values()]);
    } catch (error) {
      // The file could not be read or written: no call of this hold took effect.
      forgetState(this.statePath);
      this.unlock();
      if (done.length === 0) done.push([this.waiting.shift()!, { ok: false, error }]);
      for (const d of done) d[1] = { ok: false, error };
    }
    for (const [call, outcome] of done) call.settle(outcome);
  }
}

const files = new Map<string, StateFile>();

// Puts the host file at rest now (for tests and tools that read it as JSON right away).
export function restState(statePath: string): void {
  files.get(statePath)?.rest();
}

process.once('exit', () => {
  for (const file of files.values()) file.rest();
});

// Runs `fn` on the current state under the lock; the state is written back if `fn` (or
// another call of the same hold) changed it, before the returned promise settles.
// `create` builds the host the first time the file is used.
export function update<T>(statePath: string, create: () => SimState, fn: (st: SimState) => T | Promise<T>): Promise<T> {
  let file = files.get(statePath);
  if (!file) files.set(statePath, (file = new StateFile(statePath)));
  // A command run for a client process (daemon-caller.ts) runs `fn` as that client's, and
  // stops here, before it touches the host, once the client died.
  const caller = currentCaller();
  if (!caller) return file.run(create, fn);
  return file.run(create, (st) => {
    if (caller.gone) throw new CallerGone(caller.pid);
    return runFor(caller, () => fn(st));
  });
}
