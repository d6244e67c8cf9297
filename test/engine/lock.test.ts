import t from 'tap';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acquireLock, forceUnlock, lockPath, LockError, readLock } from '../../engine/state/local/lock.js';

t.test('a second lock fails at once and names the holder', async (t) => {
  const dir = t.testdir();
  const first = await acquireLock(dir, { operation: 'apply' });
  const t0 = Date.now();
  const err = await acquireLock(dir, { operation: 'plan' }).catch((e: unknown) => e);
  t.ok(Date.now() - t0 < 1500, 'it does not wait');
  t.ok(err instanceof LockError);
  const msg = (err as LockError).message;
  t.match(msg, first.info.id);
  t.match(msg, `pid ${process.pid}`);
  t.match(msg, '"apply"');
  t.match(msg, `@${os.hostname()}`);
  t.notOk((err as LockError).stale, 'a live holder is not stale');
  await first.release();
  t.notOk(fs.existsSync(lockPath(dir)), 'release removes the lock file');
});

t.test('with a lock timeout, the second run waits and gets the lock once it is released', async (t) => {
  const dir = t.testdir();
  const first = await acquireLock(dir, { operation: 'apply' });
  setTimeout(() => void first.release(), 150);
  const second = await acquireLock(dir, { operation: 'apply', timeoutMs: 5000, pollMs: 20 });
  t.equal((await readLock(dir))!.id, second.info.id);
  await second.release();
});

t.test('a lock whose process is gone is reported as stale with the command that removes it', async (t) => {
  const dir = t.testdir();
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const deadPid = Number(child.stdout);
  const info = { id: 'dead-beef', who: `someone@${os.hostname()}`, pid: deadPid, operation: 'apply', created: '2026-01-01T00:00:00Z' };
  fs.writeFileSync(lockPath(dir), JSON.stringify(info));
  const err = (await acquireLock(dir, { operation: 'apply' }).catch((e: unknown) => e)) as LockError;
  t.ok(err.stale);
  t.match(err.message, /stale/);
  t.match(err.message, 'xenform force-unlock dead-beef');
});

t.test('force-unlock removes the lock only when given its ID', async (t) => {
  const dir = t.testdir();
  const lock = await acquireLock(dir, { operation: 'apply' });
  const wrong = await forceUnlock(dir, 'not-the-id').catch((e: unknown) => e);
  t.match((wrong as Error).message, /has ID .*not not-the-id.*Nothing was removed/);
  t.ok(fs.existsSync(lockPath(dir)));
  const removed = await forceUnlock(dir, lock.info.id);
  t.equal(removed.pid, process.pid);
  t.notOk(fs.existsSync(lockPath(dir)));
  await t.rejects(forceUnlock(dir, lock.info.id), /no lock/);
  await lock.release(); // does not remove someone else's lock, and does not fail
});

t.test('a taken lock is complete from the moment it exists, and leaves no draft behind', async (t) => {
  const dir = t.testdir();
  const lock = await acquireLock(dir, { operation: 'apply' });
  t.same(fs.readdirSync(dir), ['xenform.lock.json'], 'only the lock file is there');
  const info = JSON.parse(fs.readFileSync(path.join(dir, 'xenform.lock.json'), 'utf8'));
  t.equal(info.id, lock.info.id, 'it names its ID for force-unlock');
  t.equal(info.pid, process.pid, 'and its holder');
  await lock.release();
  t.same(fs.readdirSync(dir), [], 'released, nothing is left');
});
