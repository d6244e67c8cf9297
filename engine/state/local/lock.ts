// The local state lock: `xenform.lock.json` beside the state, created atomically so that exactly one
// process holds it. It names its holder so that a refused run can say who to wait for.
import { randomUUID } from 'node:crypto';
import { constants as fsc, unlinkSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { atomicWrite, fsyncDir } from './store.js';
import { describeHolder, LockError, type LockInfo, type LockPlan } from '../manager.js';

export const LOCK_FILE = 'xenform.lock.json';

export { describeHolder, LockError, type LockInfo };

export interface Lock {
  readonly info: LockInfo;
  readonly notes: string[]; // e.g. a dead holder's lock taken over
  recordPlan(plan: LockPlan): Promise<void>;
  release(): Promise<void>;
}

// The kernel's id of this boot: a pid names the same process only within one boot.
export function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export function lockPath(dir: string): string {
  return path.join(dir, LOCK_FILE);
}

// Who a lock and a state version name: XENFORM_HOLDER when set (a CI job names itself, e.g.
// "ci@runner-7"), else user@host.
export function whoAmI(): string {
  const named = process.env.XENFORM_HOLDER?.trim();
  if (named) return named;
  let user = process.env.USER ?? process.env.LOGNAME ?? '';
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry: keep the environment's answer
  }
  return `${user || 'unknown'}@${os.hostname()}`;
}

// True when the holder is provably dead: it ran on this machine in this boot (same host name,
// same boot id) and its pid is gone. A lock that does not record its boot may be stale, but
// only a person can say so.
export function isDead(info: LockInfo): boolean {
  const boot = bootId();
  return boot !== undefined && info.boot_id === boot && isStale(info);
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

// A lock file that exists but names no holder (not JSON, a link to nowhere, unreadable) is
// held by nobody known: it stays held, and the message says what is wrong with it.
export class UnreadableLockError extends LockError {
  constructor(file: string, why: string) {
    super(
      `The state is locked by ${file}, which cannot be read (${why}), so xenform cannot tell who holds it. ` +
        `If no xenform is running on this state, remove it with: rm ${JSON.stringify(file)}`,
      null,
      false,
    );
  }
}

const UNREADABLE_ID = '?';

export async function readLock(dir: string): Promise<LockInfo | null> {
  const file = lockPath(dir);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new UnreadableLockError(file, (err as Error).message);
    const link = await fs.readlink(file).catch(() => null);
    if (link === null) return null; // no lock
    throw new UnreadableLockError(file, `a symbolic link to ${path.resolve(dir, link)}, which does not exist`);
  }
  try {
    const info = JSON.parse(text) as LockInfo;
    if (typeof info === 'object' && info !== null && typeof info.id === 'string' && typeof info.who === 'string') return info;
  } catch {
    // below
  }
  return { id: UNREADABLE_ID, who: 'unknown', pid: 0, operation: 'unknown', created: '' };
}

// Removes the lock of a provably dead holder, and only that lock: the file is moved aside under
// a private name first, so a lock taken meanwhile by a live process is put back, not removed.
async function takeOver(dir: string, dead: LockInfo, mine: string): Promise<boolean> {
  const file = lockPath(dir);
  const aside = `${file}.${mine}.dead`;
  try {
    await fs.rename(file, aside);
  } catch {
    return false; // gone already
  }
  const moved = JSON.parse(await fs.readFile(aside, 'utf8').catch(() => '{}')) as Partial<LockInfo>;
  if (moved.id !== dead.id) {
    await fs.link(aside, file).catch(() => undefined); // not ours to remove: put it back
    await fs.rm(aside, { force: true });
    return false;
  }
  await fs.rm(aside, { force: true });
  return true;
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
  const boot = bootId();
  const info: LockInfo = {
    id: randomUUID(),
    who: whoAmI(),
    pid: process.pid,
    operation: opts.operation,
    created: new Date().toISOString(),
    ...(boot ? { boot_id: boot } : {}),
  };
  const notes: string[] = [];
  // Released on any exit (a signal's too) even when a command forgets to, from the moment the
  // lock may exist; only a SIGKILL leaves it, for the next run to take over.
  const onExit = () => releaseSync(file, info.id);
  process.once('exit', onExit);
  try {
    await takeLock(dir, info, opts, notes);
  } catch (err) {
    process.removeListener('exit', onExit);
    throw err;
  }
  let released = false;
  return {
    info,
    notes,
    // The lock file is replaced whole (rename), so a reader sees the old or the new holder
    // record, never a torn one; only a dead holder's lock is ever taken over, so it is still ours.
    async recordPlan(plan) {
      await atomicWrite(file, `${JSON.stringify({ ...info, plan }, null, 2)}\n`);
      Object.assign(info, { plan });
    },
    async release() {
      if (released) return;
      released = true;
      process.removeListener('exit', onExit);
      const holder = await readLock(dir).catch(() => null); // not ours any more
      if (holder?.id === info.id) await fs.rm(file, { force: true });
    },
  };
}

async function takeLock(dir: string, info: LockInfo, opts: AcquireOptions, notes: string[]): Promise<void> {
  const file = lockPath(dir);
  const started = Date.now();
  const deadline = started + (opts.timeoutMs ?? 0);
  // A lock released and taken again by others between our attempt and the read can make us
  // miss it a few times; a bound keeps a lock that cannot be read from spinning forever.
  let vanished = 0;
  for (;;) {
    if (await tryCreate(dir, file, info)) return;
    const holder = await readLock(dir);
    if (!holder) {
      if (++vanished > 100) throw new UnreadableLockError(file, 'it keeps vanishing and reappearing');
      continue; // released between our attempt and the read
    }
    if (isDead(holder) && (await takeOver(dir, holder, info.id))) {
      notes.push(`Took over the lock of ${describeHolder(holder)}: that process no longer exists on this machine.`);
      continue;
    }
    if (Date.now() >= deadline) {
      if (holder.id === UNREADABLE_ID) throw new UnreadableLockError(file, 'it does not name a holder');
      const stale = isStale(holder);
      throw new LockError(lockedMessage(holder, stale, opts.timeoutMs ? Date.now() - started : 0), holder, stale);
    }
    await new Promise((r) => setTimeout(r, Math.min(opts.pollMs ?? 200, Math.max(1, deadline - Date.now()))));
  }
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
