// The state file of one simulated host, shared by any number of `xe`/`xl` processes and
// in-process callers: read-modify-write under an exclusive lock file (`<state>.lock`,
// created with O_EXCL, holding the owner's pid), then an atomic replace (temp file +
// rename). The lock is held only while the state is read, changed and written, never
// while an operation "takes time".
//
// In-process callers commit as a group: the calls waiting when this process takes the
// lock run one after another under it, the state is written once, and only then does each
// call return, so a change is on disk before its command answers, as on a host whose
// database is written before the call completes. The lock is kept while in-process calls
// keep coming (at most MAX_HOLD_MS at a time), and the file is not read again meanwhile.
import { appendFileSync, closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { SimState } from './state.js';
import { sleep } from './faults.js';
import { trackChanges, type RecordKey } from './track.js';

export function processAlive(pid: number): boolean {
  if (pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const STALE_LOCK_MS = 30_000;
const MAX_HOLD_MS = 50; // how long in-process calls may keep the lock from other processes
const REST_AFTER_MS = 250;

function tryLock(lockPath: string): boolean {
  try {
    const fd = openSync(lockPath, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      mkdirSync(dirname(lockPath), { recursive: true });
      return false;
    }
    if (code !== 'EEXIST') throw e;
  }
  // A lock left by a process that died, or one held implausibly long, is broken.
  try {
    const pid = Number(readFileSync(lockPath, 'utf8'));
    const age = Date.now() - statSync(lockPath).mtimeMs;
    if ((Number.isInteger(pid) && pid > 0 && !processAlive(pid)) || age > STALE_LOCK_MS) unlinkSync(lockPath);
  } catch {
    // the holder released it meanwhile, or it is being written: retry
  }
  return false;
}

async function lock(lockPath: string): Promise<void> {
  let wait = 1;
  while (!tryLock(lockPath)) {
    await sleep(wait + Math.random() * wait);
    wait = Math.min(wait * 2, 20);
  }
}

function unlock(lockPath: string): void {
  try {
    unlinkSync(lockPath);
  } catch {
    // already gone
  }
}

// At rest the file is the host as one JSON document. While a process works on it, it
// may take its working form: a header line `{"xensim":"<generation>"}`, the whole host
// as JSON on the second line, then one line per change: a JSON array of entries `[key, value]` (the
// part's new value) or `[key]` (the part is gone), keys as in track.ts. Appending a
// change, not rewriting the host, keeps a command's cost independent of the host's size;
// the file is rewritten whole, with a new generation, once the changes outgrow the host,
// and a line torn by a crash is ignored and dropped at that rewrite. Only this module
// writes the file (tests and tools too: `update`, `loadState`); a host written by hand as
// one JSON document is read as long as no process is using the file yet. The file is put
// back at rest once its process has been idle for REST_AFTER_MS, and when it exits.
type Entry = [RecordKey] | [RecordKey, unknown];

const COMPACT_BYTES = 1024 * 1024;
const NL = 0x0a;
const HEADER = /^\{"xensim":"([0-9a-f]+)"\}\n/;

interface Loaded {
  state: SimState;
  ino: number;
  generation: string | null; // null: a file written by hand, read whole every time
  size: number; // up to the end of the last complete line
  snapshotSize: number;
  torn: boolean; // the file goes on with an incomplete line
}

// The last state this process read or wrote per file: while the file is the same
// generation, only the lines added since are read.
const cache = new Map<string, Loaded>();

function applyLines(state: SimState, lines: string): void {
  for (const line of lines.split('\n')) {
    if (line === '') continue;
    for (const [key, ...value] of JSON.parse(line) as Entry[]) {
      const parent = valueAt(state, key.slice(0, -1)) as Record<string, unknown> | undefined;
      if (typeof parent !== 'object' || parent === null) continue;
      const last = key[key.length - 1];
      if (value.length) parent[last] = value[0];
      else delete parent[last];
    }
  }
}

function valueAt(state: SimState, key: RecordKey): unknown {
  let at: unknown = state;
  for (const part of key) at = typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[part] : undefined;
  return at;
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let n = 0;
  while (n < length) {
    const got = readSync(fd, buf, n, length - n, position + n);
    if (got === 0) break;
    n += got;
  }
  return buf.subarray(0, n);
}

// The complete lines of `buf`, and whether an incomplete one follows them.
function completeLines(buf: Buffer): { text: string; bytes: number; torn: boolean } {
  const end = buf.lastIndexOf(NL) + 1;
  return { text: buf.toString('utf8', 0, end), bytes: end, torn: end < buf.length };
}

function readState(statePath: string): Loaded | null {
  let fd: number;
  try {
    fd = openSync(statePath, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    cache.delete(statePath);
    return null;
  }
  const cached = cache.get(statePath);
  cache.delete(statePath);
  try {
    const { ino, size } = fstatSync(fd);
    const generation = HEADER.exec(readAt(fd, 0, 64).toString('latin1'))?.[1] ?? null;
    if (cached && generation !== null && cached.generation === generation && cached.ino === ino && size >= cached.size) {
      const tail = completeLines(readAt(fd, cached.size, size - cached.size));
      applyLines(cached.state, tail.text);
      const loaded = { ...cached, size: cached.size + tail.bytes, torn: tail.torn };
      cache.set(statePath, loaded);
      return loaded;
    }
    const file = readAt(fd, 0, size);
    let start = 0;
    if (generation !== null) start = file.indexOf(NL) + 1;
    let snapshotEnd = file.indexOf(NL, start);
    if (snapshotEnd < 0) snapshotEnd = file.length; // a host written by hand without a newline
    const state = JSON.parse(file.toString('utf8', start, snapshotEnd)) as SimState;
    const rest = completeLines(file.subarray(snapshotEnd));
    applyLines(state, rest.text);
    const loaded = { state, ino, generation, size: snapshotEnd + rest.bytes, snapshotSize: snapshotEnd - start, torn: rest.torn };
    cache.set(statePath, loaded);
    return loaded;
  } catch (e) {
    throw new Error(`the simulator state ${statePath} is not valid: ${(e as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

function writeRest(statePath: string, state: SimState): void {
  const bytes = Buffer.from(JSON.stringify(state));
  const tmp = `${statePath}.${process.pid}.${randomBytes(8).toString('hex')}.tmp`;
  writeFileSync(tmp, bytes);
  const { ino } = statSync(tmp);
  renameSync(tmp, statePath);
  cache.set(statePath, { state, ino, generation: null, size: bytes.length, snapshotSize: bytes.length, torn: false });
}

// For a process that runs one command and exits (the executables): every write is a
// rewrite at rest, not a change appended to be put to rest at exit.
let restingWrites = false;
export function writeAtRest(): void {
  restingWrites = true;
}

function writeSnapshot(statePath: string, state: SimState): void {
  if (restingWrites) return writeRest(statePath, state);
  const generation = randomBytes(8).toString('hex');
  const host = JSON.stringify(state);
  const bytes = Buffer.from(`{"xensim":"${generation}"}\n${host}\n`);
  const tmp = `${statePath}.${process.pid}.${generation}.tmp`;
  writeFileSync(tmp, bytes);
  const { ino } = statSync(tmp);
  renameSync(tmp, statePath);
  cache.set(statePath, { state, ino, generation, size: bytes.length, snapshotSize: Buffer.byteLength(host), torn: false });
}

function writeChanges(statePath: string, loaded: Loaded, keys: RecordKey[]): void {
  if (restingWrites || loaded.torn || loaded.generation === null || loaded.size > Math.max(COMPACT_BYTES, 4 * loaded.snapshotSize)) {
    writeSnapshot(statePath, loaded.state);
    return;
  }
  const entries: Entry[] = keys.map((k) => {
    const value = valueAt(loaded.state, k);
    return value === undefined ? [k] : [k, value];
  });
  const line = Buffer.from(`${JSON.stringify(entries)}\n`);
  appendFileSync(statePath, line);
  cache.set(statePath, { ...loaded, size: loaded.size + line.length });
}

// The host as a reader sees it now, for tests and tools; a copy, not the live state.
export function loadState(statePath: string): SimState | null {
  const loaded = readState(statePath);
  return loaded && structuredClone(loaded.state);
}

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
      cache.delete(this.statePath); // left in its working form, which every reader reads
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
      loaded = cache.get(this.statePath);
    }
    try {
      loaded ??= readState(this.statePath);
      let state = loaded?.state ?? null;
      const changes = new Map<string, RecordKey>();
      while (this.waiting.length > 0 && (done.length === 0 || Date.now() - this.lockedSince < MAX_HOLD_MS)) {
        const call = this.waiting.shift()!;
        state ??= call.create();
        const tracked = trackChanges(state);
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
      cache.delete(this.statePath);
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
  return file.run(create, fn);
}
