// The local state lock: `xenform.lock.json` beside the state, created atomically so that exactly one
// process holds it. It names its holder so that a refused run can say who to wait for.
import { randomUUID } from 'node:crypto';
import { constants as fsc, unlinkSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fsyncDir } from './store.js';
import { describeHolder, LockError, type LockInfo } from '../manager.js';

export const LOCK_FILE = 'xenform.lock.json';

export { describeHolder, LockError, type LockInfo };

export interface Lock {
  readonly info: LockInfo;
  release(): Promise<void>;
}

export function lockPath(dir: string): string {
  return path.join(dir, LOCK_FILE);
}

export function whoAmI(): string {
  let user = process.env.USER ?? process.env.LOGNAME ?? '';
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry: keep the environment's answer
  }
  return `${user || 'unknown'}@${os.hostname()}`;
}

// True when the holder ran on this machine and its process is gone.
export function isStale(info: LockInfo): boolean {
  const host = info.who.slice(info.who.lastIndexOf('@') + 1);
  if (host !== os.hostname() || !Number.isInteger(info.pid) || info.pid <= 0) return false;
  try {
    process.kill(info.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export async function readLock(dir: string): Promise<LockInfo | null> {
  try {
    return JSON.parse(await fs.readFile(lockPath(dir), 'utf8')) as LockInfo;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if (err instanceof SyntaxError) return { id: '?', who: 'unknown', pid: 0, operation: 'unknown', created: '' };
    throw err;
  }
}


function lockedMessage(info: LockInfo, stale: boolean, waitedMs: number): string {
  const waited = waitedMs > 0 ? ` after waiting ${Math.round(waitedMs / 1000)}s` : '';
  let msg = `The state is locked${waited}: held by ${describeHolder(info)}.`;
  if (stale) {
    msg +=
      ` The process that took it no longer exists on this machine, so the lock is stale.` +
      ` If no other xenform is running here, remove it with: xenform force-unlock ${info.id}`;
  } else {
    msg += ' Wait for it to finish, or retry with --lock-timeout to wait for it.';
  }
  return msg;
}

export interface AcquireOptions {
  operation: string;
  timeoutMs?: number; // 0 or absent: fail at once
  pollMs?: number;
}

// The lock appears complete or not at all: its content is written and synced under a private
// name, then hard-linked into place (link fails with EEXIST when the lock is held). An O_EXCL
// create followed by a write could be killed in between and leave an empty lock that names
// no holder and no ID to force-unlock.
async function tryCreate(dir: string, file: string, info: LockInfo): Promise<boolean> {
  const draft = `${file}.${info.id}.tmp`;
  try {
    const h = await fs.open(draft, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o600);
    try {
      await h.writeFile(`${JSON.stringify(info, null, 2)}\n`);
      await h.sync();
    } finally {
      await h.close();
    }
    try {
      await fs.link(draft, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
    await fsyncDir(dir);
    return true;
  } finally {
    await fs.rm(draft, { force: true });
  }
}

export async function acquireLock(dir: string, opts: AcquireOptions): Promise<Lock> {
  const file = lockPath(dir);
  const info: LockInfo = {
    id: randomUUID(),
    who: whoAmI(),
    pid: process.pid,
    operation: opts.operation,
    created: new Date().toISOString(),
  };
  const started = Date.now();
  const deadline = started + (opts.timeoutMs ?? 0);
  for (;;) {
    if (await tryCreate(dir, file, info)) break;
    const holder = await readLock(dir);
    if (!holder) continue; // released between our attempt and the read
    if (Date.now() >= deadline) {
      const stale = isStale(holder);
      throw new LockError(lockedMessage(holder, stale, opts.timeoutMs ? Date.now() - started : 0), holder, stale);
    }
    await new Promise((r) => setTimeout(r, Math.min(opts.pollMs ?? 200, Math.max(1, deadline - Date.now()))));
  }
  // Released on a normal exit even when a command forgets to; a crash leaves a stale lock.
  const onExit = () => releaseSync(file, info.id);
  process.once('exit', onExit);
  let released = false;
  return {
    info,
    async release() {
      if (released) return;
      released = true;
      process.removeListener('exit', onExit);
      const holder = await readLock(dir);
      if (holder?.id === info.id) await fs.rm(file, { force: true });
    },
  };
}

function releaseSync(file: string, id: string): void {
  try {
    if ((JSON.parse(readFileSync(file, 'utf8')) as LockInfo).id === id) unlinkSync(file);
  } catch {
    // already gone
  }
}

// Removes the lock when it holds `id`; returns the holder it removed.
export async function forceUnlock(dir: string, id: string): Promise<LockInfo> {
  const holder = await readLock(dir);
  if (!holder) throw new LockError(`There is no lock in ${dir}: nothing to unlock.`, null, false);
  if (holder.id !== id) {
    throw new LockError(
      `The lock in ${dir} has ID ${holder.id}, not ${id}: it is held by ${describeHolder(holder)}. Nothing was removed.`,
      holder,
      isStale(holder),
    );
  }
  await fs.rm(lockPath(dir), { force: true });
  return holder;
}
