// The lock file of a simulated host (`<state>.lock`): created with O_EXCL and holding the
// owner's pid; one left by a process that died, or held implausibly long, is broken.
import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
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

export function tryLock(lockPath: string): boolean {
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

export async function lock(lockPath: string): Promise<void> {
  let wait = 1;
  while (!tryLock(lockPath)) {
    await sleep(wait + Math.random() * wait);
    wait = Math.min(wait * 2, 20);
  }
}

export function unlock(lockPath: string): void {
  try {
    unlinkSync(lockPath);
  } catch {
    // already gone
  }
}
