// The promise: a plan only reads. It takes the state lock only to fold what an interrupted apply
// left, never waits for it, and an apply's lock names the plan it runs (lock list, a refused run).
import t, { type Test } from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import { runApply } from '../../engine/apply.js';
import { runPlan, type PlanRequest } from '../../engine/run-plan.js';
import { localStateManager } from '../../engine/state/local/index.js';
import { journalPath } from '../../engine/state/local/journal.js';
import { acquireLock, lockPath, readLock } from '../../engine/state/local/lock.js';
import { describeHolder, type LockInfo, type StateManager } from '../../engine/state/manager.js';
import { planFingerprint } from '../../planner/plan/plan-file.js';
import { editConfig, exampleCopy, xenform } from '../e2e/cli.js';

// The local backend, noting every lock taken through it.
function watched(dir: string): { manager: StateManager; locks: string[] } {
  const local = localStateManager(dir);
  const locks: string[] = [];
  return {
    locks,
    manager: {
      ...local,
      lock: (operation, timeoutMs) => {
        locks.push(operation);
        return local.lock(operation, timeoutMs);
      },
    },
  };
}

const planOf = (dir: string, state: StateManager): PlanRequest => ({ dir, vars: {}, varFiles: [], destroy: false, refreshOnly: false, refresh: true, targets: [], replace: [], state });

function appliedQuickstart(t: Test): string {
  const dir = exampleCopy('quickstart', t.teardown);
  const applied = xenform(dir, ['apply', '--auto-approve']);
  if (applied.code !== 0) throw new Error(applied.stderr);
  return dir;
}

t.test('a plan of a settled state takes no lock, so it can never refuse an apply', async (t) => {
  const dir = appliedQuickstart(t);
  const { manager, locks } = watched(dir);
  const run = await runPlan(planOf(dir, manager));
  t.same(run.errors, []);
  t.equal(run.plan?.steps.length, 0, 'the plan read the state and the host');
  t.same(locks, [], 'no lock was taken');
});

t.test('a plan while an apply holds the lock plans at once against the last written state and names the holder', async (t) => {
  const dir = appliedQuickstart(t);
  const holder = await acquireLock(dir, { operation: 'apply' });
  t.teardown(() => holder.release());
  const { manager, locks } = watched(dir);
  const run = await runPlan(planOf(dir, manager));
  t.same(run.errors, []);
  t.ok(run.plan, 'a plan was made');
  t.same(locks, [], 'it did not try to take the lock');
  t.match(run.notes?.join('\n'), `The state is locked by ${os.userInfo().username}@${os.hostname()} (pid ${process.pid}) for "apply"`);
  t.match(run.notes?.join('\n'), /made against its last written version \(serial \d+\) without waiting/);
  t.equal((await readLock(dir))?.id, holder.info.id, "the holder's lock is untouched");
});

t.test('a plan after an interrupted apply takes the lock to fold its journal into the state, and releases it', async (t) => {
  const dir = appliedQuickstart(t);
  const before = JSON.parse(fs.readFileSync(`${dir}/xenform.state.json`, 'utf8')) as { lineage: string; serial: number };
  fs.writeFileSync(journalPath(dir), `${JSON.stringify({ t: 'begin', lineage: before.lineage, serial: before.serial, time: new Date().toISOString() })}\n`);
  const { manager, locks } = watched(dir);
  const run = await runPlan(planOf(dir, manager));
  t.same(run.errors, []);
  t.same(locks, ['plan'], 'the lock was taken once, to fold the journal');
  t.notOk(fs.existsSync(journalPath(dir)), 'the journal is folded and gone');
  t.notOk(fs.existsSync(lockPath(dir)), 'and the lock released');
});

t.test("an apply's lock names the plan it runs: its fingerprint, the serial it was made against and its steps", async (t) => {
  const dir = appliedQuickstart(t);
  editConfig(dir, 'memory      = "1GiB"', 'memory      = "2GiB"');
  const run = await runPlan({ ...planOf(dir, localStateManager(dir)), holdLock: true });
  t.same(run.errors, []);
  const plan = run.plan!;
  t.ok(plan.steps.length > 0);
  let seen: LockInfo | null = null;
  const result = await runApply(plan, { dir, parallelism: 10, savedPlan: false, config: run.config!, session: run.session, providers: run.providers }, (e) => {
    if (e.type !== 'step_start' || seen) return;
    seen = JSON.parse(fs.readFileSync(lockPath(dir), 'utf8')) as LockInfo;
  });
  t.ok(result.ok, result.errors.join('; '));
  t.same((seen as LockInfo | null)?.plan, { fingerprint: planFingerprint(plan), serial: plan.serial, steps: plan.steps.length }, 'the lock file names the plan');
  t.match(describeHolder(seen!), new RegExp(`for "apply" since \\S+, lock ID \\S+, applying plan ${planFingerprint(plan)} \\(${plan.steps.length} steps, made against state serial ${plan.serial}\\)`), 'and so does the holder a refused run names');
});
