// The file of a simulated host (XENSIM_STATE). At rest it is the host as one JSON
// document. While a process works on it, it may take its working form: a header line
// `{"xensim":"<generation>"}`, the whole host as JSON on the second line, then one line per
// change: a JSON array of entries `[key, value]` (the part's new value) or `[key]` (the part
// is gone), keys as in track.ts. Appending a change, not rewriting the host, keeps a
// command's cost independent of the host's size; the file is rewritten whole, with a new
// generation, once the changes outgrow the host, and a line torn by a crash is ignored and
// dropped at that rewrite. Only the simulator writes the file (tests and tools use
// store.ts's `update` and this module's `loadState`); a host written by hand as one JSON
// document is read as long as no process is using the file yet.
//
// Callers hold the host's lock (file-lock.ts) around every function here but loadState.
import { appendFileSync, closeSync, fstatSync, openSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { SimState } from './state.js';
import type { RecordKey } from './track.js';

type Entry = [RecordKey] | [RecordKey, unknown];

const COMPACT_BYTES = 1024 * 1024;
const NL = 0x0a;
const HEADER = /^\{"xensim":"([0-9a-f]+)"\}\n/;

export interface Loaded {
  state: SimState;
  ino: number;
  generation: string | null; // null: a file written by hand, read whole every time
  size: number; // up to the end of the last complete line
  snapshotSize: number;
  torn: boolean; // the file goes on with an incomplete line
  changedAt?: string; // mtime/ctime in ns when read, for a file at rest
}

// The last state this process read or wrote per file: while the file is the same
// generation, only the lines added since are read.
const cache = new Map<string, Loaded>();

// The host as this process last read or wrote it, for a caller that has held the lock since.
export function cachedState(statePath: string): Loaded | undefined {
  return cache.get(statePath);
}

// Forgets the cached host (after a failed write, the state in memory may not be the file's).
export function forgetState(statePath: string): void {
  cache.delete(statePath);
}

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

export function readState(statePath: string): Loaded | null {
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
    const stat = fstatSync(fd, { bigint: true });
    const ino = Number(stat.ino);
    const size = Number(stat.size);
    const changedAt = `${stat.mtimeNs}/${stat.ctimeNs}`;
    // A file at rest that nobody rewrote since this process read it is not read again: every
    // command of a plan would otherwise parse the whole host anew.
    if (cached && cached.generation === null && cached.ino === ino && cached.size === size && cached.changedAt === changedAt) {
      cache.set(statePath, cached);
      return cached;
    }
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
    const loaded = { state, ino, generation, size: snapshotEnd + rest.bytes, snapshotSize: snapshotEnd - start, torn: rest.torn, changedAt };
    cache.set(statePath, loaded);
    return loaded;
  } catch (e) {
    throw new Error(`the simulator state ${statePath} is not valid: ${(e as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

// Replaces the file whole (temp file + rename) and returns the new file's inode.
function replaceFile(statePath: string, bytes: Buffer): number {
  const tmp = `${statePath}.${process.pid}.${randomBytes(8).toString('hex')}.tmp`;
  writeFileSync(tmp, bytes);
  const { ino } = statSync(tmp);
  renameSync(tmp, statePath);
  return ino;
}

export function writeRest(statePath: string, state: SimState): void {
  const bytes = Buffer.from(JSON.stringify(state));
  const ino = replaceFile(statePath, bytes);
  cache.set(statePath, { state, ino, generation: null, size: bytes.length, snapshotSize: bytes.length, torn: false });
}

// For a process that runs one command and exits (the executables): every write is a
// rewrite at rest, not a change appended to be put to rest at exit.
let restingWrites = false;
export function writeAtRest(): void {
  restingWrites = true;
}

export function writeSnapshot(statePath: string, state: SimState): void {
  if (restingWrites) return writeRest(statePath, state);
  const generation = randomBytes(8).toString('hex');
  const host = JSON.stringify(state);
  const bytes = Buffer.from(`{"xensim":"${generation}"}\n${host}\n`);
  const ino = replaceFile(statePath, bytes);
  cache.set(statePath, { state, ino, generation, size: bytes.length, snapshotSize: Buffer.byteLength(host), torn: false });
}

export function writeChanges(statePath: string, loaded: Loaded, keys: RecordKey[]): void {
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
