// The state file of one simulated host: read-modify-write under an exclusive lock file
// (`<state>.lock`, created with O_EXCL, holding the owner's pid), then an atomic replace
// (temp file + rename), so that any number of `xe`/`xl` processes and in-process callers
// can share it. The lock is held only while the state is read, changed and written,
// never while an operation "takes time".
import { mkdirSync, openSync, closeSync, writeSync, readFileSync, writeFileSync, renameSync, unlinkSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { SimState } from './state.js';
import { sleep } from './faults.js';

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

function tryLock(lockPath: string): boolean {
  try {
    const fd = openSync(lockPath, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
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

// In-process callers queue here first, so that only one of them polls the file lock.
const queues = new Map<string, Promise<void>>();

async function withFileLock<T>(statePath: string, fn: () => T | Promise<T>): Promise<T> {
  const lockPath = `${statePath}.lock`;
  const prev = queues.get(statePath) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  const tail = prev.then(() => mine);
  queues.set(statePath, tail);
  await prev;
  try {
    mkdirSync(dirname(statePath), { recursive: true });
    let wait = 1;
    while (!tryLock(lockPath)) {
      await sleep(wait + Math.random() * wait);
      wait = Math.min(wait * 2, 20);
    }
    try {
      return await fn();
    } finally {
      try {
        unlinkSync(lockPath);
      } catch {
        // already gone
      }
    }
  } finally {
    release();
    if (queues.get(statePath) === tail) queues.delete(statePath);
  }
}

function readState(statePath: string): { text: string; state: SimState } | null {
  let text: string;
  try {
    text = readFileSync(statePath, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    return { text, state: JSON.parse(text) as SimState };
  } catch (e) {
    throw new Error(`the simulator state ${statePath} is not valid JSON: ${(e as Error).message}`);
  }
}

function writeState(statePath: string, text: string): void {
  const tmp = `${statePath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, statePath);
}

// Runs `fn` on the current state under the lock and writes the state back if `fn`
// changed it. `create` builds the host the first time the file is used.
export async function update<T>(
  statePath: string,
  create: () => SimState,
  fn: (st: SimState) => T | Promise<T>,
): Promise<T> {
  return withFileLock(statePath, async () => {
    const got = readState(statePath);
    const state = got?.state ?? create();
    const before = got?.text ?? '';
    try {
      return await fn(state);
    } finally {
      // Written even when fn throws: call counters and recovered operations must persist.
      const after = JSON.stringify(state);
      if (after !== before) writeState(statePath, after);
    }
  });
}
