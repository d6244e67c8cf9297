// The pg backend: the StateManager contract on PostgreSQL, plus what only it has: history,
// old versions, and `init` (schema migrations and moving a local state in).
import type { State } from '../../../planner/model/state.js';
import type { HeldLock, StateManager } from '../manager.js';
import { Db, isUnavailable, type PgSettings } from './connection.js';
import { acquire, forceUnlock, holderGone, lockRows } from './lock.js';
import { clearJournal, foldSpill, PgJournal, readJournal } from './journal.js';
import { checkSchema, migrate } from './migrations.js';
import { guard, history, readState, writeState, type StateVersion } from './store.js';
import { whoAmI } from './lock.js';

export interface VersionedStateManager extends StateManager {
  history(): Promise<StateVersion[]>;
  readVersion(serial: number): Promise<State | null>;
}

export interface PgStateManager extends VersionedStateManager {
  readonly kind: 'pg';
  readonly db: Db;
  check(): Promise<void>; // NotInitialisedError unless `init` has run
  migrate(): Promise<{ from: number | null; applied: string[] }>;
  close(): Promise<void>;
}

export function isVersioned(m: StateManager): m is VersionedStateManager {
  return typeof (m as Partial<VersionedStateManager>).history === 'function';
}

export function isPg(m: StateManager): m is PgStateManager {
  return (m as Partial<PgStateManager>).kind === 'pg';
}

export function pgStateManager(settings: PgSettings): PgStateManager {
  const db = new Db(settings);
  return {
    kind: 'pg',
    db,
    where: `schema "${settings.schema}" at ${db.where}`,
    read: () => readState(db),
    readJournal: () => guard(db, () => readJournal(db)),
    readVersion: (serial) => readState(db, serial),
    history: () => history(db),
    check: () => guard(db, () => checkSchema(db)),
    migrate: () => migrate(db, whoAmI()),
    close: () => db.close(),
    async lock(operation: string, timeoutMs?: number): Promise<HeldLock> {
      const lock = await guard(db, () => acquire(db, operation, timeoutMs));
      const as = { fencing: lock.fencing, lockId: lock.info.id, operation };
      try {
        if (await foldSpill(db, as)) lock.notes.push(`Journal entries kept in ${settings.spillDir} while PostgreSQL could not be reached were moved into the database.`);
      } catch (err) {
        await lock.release().catch(() => undefined);
        throw err;
      }
      return {
        info: lock.info,
        notes: lock.notes,
        read: () => readState(db),
        write: (next, expected) => writeState(db, next, expected, as),
        openJournal: async () => new PgJournal(db, as),
        readJournal: () => readJournal(db),
        clearJournal: () => clearJournal(db, as),
        recordPlan: (plan) => guard(db, () => lock.recordPlan(plan)),
        async release() {
          try {
            await lock.release();
          } catch (err) {
            // The lock stays behind; the next run on this machine sees its holder is gone.
            if (!isUnavailable(err)) throw err;
          }
        },
      };
    },
    async locks() {
      return (await guard(db, () => lockRows(db))).map((l) => ({ ...l, stale: holderGone(l) || l.silentMs > settings.leaseMs }));
    },
    forceUnlock: (id) => guard(db, () => forceUnlock(db, id)),
  };
}
