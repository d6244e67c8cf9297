// The local backend: xenform.state.json (with .backup), xenform.lock.json and the journal,
// all in the working directory.
import fs from 'node:fs/promises';
import path from 'node:path';
import { STATE_FILE } from '../../../planner/model/state.js';
import type { HeldLock, StateManager } from '../manager.js';
import { Journal, journalPath, readJournal } from './journal.js';
import { acquireLock, forceUnlock, isStale, readLock } from './lock.js';
import { StateStore } from './store.js';

export function localStateManager(dir: string): StateManager {
  const store = new StateStore(dir);
  return {
    where: `${STATE_FILE} in ${path.resolve(dir)}`,
    read: () => store.read(),
    readJournal: () => readJournal(dir, [], false), // bad lines are quarantined by the run that holds the lock
    async lock(operation: string, timeoutMs?: number): Promise<HeldLock> {
      const lock = await acquireLock(dir, { operation, timeoutMs });
      return {
        info: lock.info,
        notes: lock.notes,
        read: () => store.read(),
        write: (next, expected) => store.write(next, expected),
        openJournal: () => Journal.open(dir),
        readJournal: () => readJournal(dir, lock.notes),
        clearJournal: () => fs.rm(journalPath(dir), { force: true }),
        recordPlan: (plan) => lock.recordPlan(plan),
        release: () => lock.release(),
      };
    },
    async locks() {
      const held = await readLock(dir);
      return held ? [{ ...held, stale: isStale(held) }] : [];
    },
    forceUnlock: (id) => forceUnlock(dir, id),
  };
}
