// The pg backend's states: every write is a new row of state_versions, written only when the
// stored serial is the one the writer read (compare-and-swap) and the writer's fencing token is
// still the newest (a holder that lost its lock cannot write). Old versions stay readable.
import type pg from 'pg';
import { parseState, sameContent, serializeState } from '../format.js';
import { LockError, StateConflictError } from '../manager.js';
import { STATE_VERSION, type State } from '../../../planner/model/state.js';
import { type Db, quoteIdent } from './connection.js';
import { NotInitialisedError } from './migrations.js';
import { whoAmI } from './lock.js';

export interface StateVersion {
  serial: number;
  lineage: string;
  written_by: string;
  written_at: string;
  operation: string;
  resources: number;
}

// A lost race, naming who wrote the version in the way.
export class PgStateConflictError extends StateConflictError {
  constructor(expected: number | null, found: number | null, by: { who: string; operation: string; at: string } | null) {
    super(expected, found);
    if (by) this.message = this.message.replace('Nothing was written', `Serial ${found} was written by ${by.who} (${by.operation}) at ${by.at}. Nothing was written`);
  }
}

// Missing tables or schema mean `xenform init` has not run.
export async function guard<T>(db: Db, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === '42P01' || code === '3F000') throw new NotInitialisedError(db.where, db.settings.schema, null);
    throw err;
  }
}

export async function readState(db: Db, serial?: number): Promise<State | null> {
  const { schema, state } = db.settings;
  const s = quoteIdent(schema);
  return guard(db, () =>
    db.tx(async (c) => {
      const r =
        serial === undefined
          ? await c.query<{ data: string }>(`SELECT v.data FROM ${s}.states t JOIN ${s}.state_versions v ON v.name = t.name AND v.serial = t.serial WHERE t.name = $1`, [state])
          : await c.query<{ data: string }>(`SELECT data FROM ${s}.state_versions WHERE name = $1 AND serial = $2`, [state, serial]);
      return r.rowCount ? parseState(r.rows[0].data, `serial ${serial ?? 'current'} in schema ${schema}`) : null;
    }),
  );
}

export async function history(db: Db): Promise<StateVersion[]> {
  const { schema, state } = db.settings;
  return guard(db, () =>
    db.tx(async (c) => {
      const r = await c.query(
        `SELECT serial, lineage, written_by, written_at, operation, json_array_length((data::json) -> 'resources') AS resources
           FROM ${quoteIdent(schema)}.state_versions WHERE name = $1 ORDER BY serial`,
        [state],
      );
      return r.rows.map((x) => ({
        serial: Number(x.serial),
        lineage: x.lineage as string,
        written_by: x.written_by as string,
        written_at: (x.written_at as Date).toISOString(),
        operation: x.operation as string,
        resources: Number(x.resources ?? 0),
      }));
    }),
  );
}

export interface WriteAs {
  fencing: number;
  lockId: string;
  operation: string;
}

// Compare-and-swap under the fencing token; see HeldLock.write.
export async function writeState(db: Db, next: State, expected: number | null, as: WriteAs): Promise<State> {
  const { schema, state } = db.settings;
  const s = quoteIdent(schema);
  return db.tx(async (c) => {
    const cur = await c.query(
      `SELECT t.serial, t.fencing, v.data, v.written_by, v.operation, v.written_at
         FROM ${s}.states t LEFT JOIN ${s}.state_versions v ON v.name = t.name AND v.serial = t.serial
        WHERE t.name = $1 FOR UPDATE OF t`,
      [state],
    );
    const row = cur.rows[0];
    await checkFencing(c, s, state, row ? Number(row.fencing) : null, as);
    const found = row.serial === null ? null : Number(row.serial);
    if (found !== expected) {
      const by = row.written_by ? { who: row.written_by as string, operation: row.operation as string, at: (row.written_at as Date).toISOString() } : null;
      throw new PgStateConflictError(expected, found, by);
    }
    const current = row.data ? parseState(row.data as string) : null;
    if (current && current.lineage === next.lineage && sameContent(current, next)) return current;
    const stored: State = { ...next, version: STATE_VERSION, serial: current ? current.serial + 1 : next.serial };
    await c.query(`INSERT INTO ${s}.state_versions (name, serial, lineage, data, written_by, operation, lock_id) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
      state,
      stored.serial,
      stored.lineage,
      serializeState(stored),
      whoAmI(),
      as.operation,
      as.lockId,
    ]);
    await c.query(`UPDATE ${s}.states SET serial = $2, lineage = $3 WHERE name = $1`, [state, stored.serial, stored.lineage]);
    return stored;
  });
}

// Refuses a writer whose fencing token is not the newest: its lock was taken over or removed.
export async function checkFencing(c: pg.PoolClient, s: string, state: string, stored: number | null, as: WriteAs): Promise<void> {
  if (stored === as.fencing) return;
  const h = await c.query(`SELECT id::text, who, pid, operation, created FROM ${s}.locks WHERE name = $1`, [state]);
  const holder = h.rows[0] ? { ...h.rows[0], created: (h.rows[0].created as Date).toISOString() } : null;
  throw new LockError(
    `This run's lock (ID ${as.lockId}) was taken over or removed while it ran` +
      (holder ? `; the state is now locked by ${holder.who} (pid ${holder.pid}) for "${holder.operation}" since ${holder.created}` : '') +
      '. Nothing was written: run the command again.',
    holder,
    false,
  );
}
