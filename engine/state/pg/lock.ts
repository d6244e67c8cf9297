// The pg backend's lock: a row that names its holder (user@host, pid, operation, created,
// heartbeat) and carries a fencing token, changed only inside transactions that hold a
// transaction-scoped advisory lock keyed by schema and state (so it works through PgBouncer in
// transaction mode and never collides with another schema's). The holder renews its heartbeat;
// a lock whose heartbeat is older than the lease, and whose journal shows no step in flight,
// may be taken over, and one whose holder is provably gone (same machine, process gone) too.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type pg from 'pg';
import { describeHolder, LockError, type LockInfo, type LockPlan } from '../manager.js';
import type { JournalEntry } from '../journal.js';
import { whoAmI } from '../local/lock.js';
import { advisoryKeys, type Db, quoteIdent } from './connection.js';
import { SCHEMA_VERSION, NotInitialisedError } from './migrations.js';

export interface PgLockRow extends LockInfo {
  heartbeat: string;
  fencing: number;
  silentMs: number; // since the last heartbeat, by the database's clock
}

export { whoAmI };

const LOCK_COLUMNS = `id::text, who, pid, operation, plan_id, plan_serial, plan_steps, created, heartbeat, fencing, (extract(epoch FROM now() - heartbeat) * 1000)::float8 AS silent_ms`;

function toRow(r: Record<string, unknown>): PgLockRow {
  return {
    id: r.id as string,
    who: r.who as string,
    pid: r.pid as number,
    operation: r.operation as string,
    created: (r.created as Date).toISOString(),
    heartbeat: (r.heartbeat as Date).toISOString(),
    fencing: Number(r.fencing),
    silentMs: r.silent_ms as number,
    ...(typeof r.plan_id === 'string' ? { plan: { fingerprint: r.plan_id, serial: Number(r.plan_serial), steps: Number(r.plan_steps) } } : {}),
  };
}

// True when the holder ran on this machine and its process is gone: it can never write again.
export function holderGone(info: LockInfo): boolean {
  const host = info.who.slice(info.who.lastIndexOf('@') + 1);
  if (host !== os.hostname() || !Number.isInteger(info.pid) || info.pid <= 0 || info.pid === process.pid) return false;
  try {
    process.kill(info.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

// The steps a journal shows started and not finished.
export function stepsInFlight(entries: JournalEntry[]): { step: string; address: string; op: string; host: string }[] {
  const open = new Map<string, { step: string; address: string; op: string; host: string }>();
  for (const e of entries) {
    if (e.t === 'start') open.set(e.step, { step: e.step, address: e.address, op: e.op, host: e.host });
    if (e.t === 'done' || e.t === 'fail') open.delete(e.step);
  }
  return [...open.values()];
}

export async function lockTx(c: pg.PoolClient, schema: string, state: string): Promise<void> {
  await c.query('SELECT pg_advisory_xact_lock($1, $2)', advisoryKeys(schema, state));
}

export async function readJournalRows(c: pg.PoolClient, schema: string, state: string): Promise<JournalEntry[]> {
  const r = await c.query<{ entry: string }>(`SELECT entry FROM ${quoteIdent(schema)}.journal WHERE name = $1 ORDER BY seq`, [state]);
  return r.rows.map((x) => JSON.parse(x.entry) as JournalEntry);
}

export async function lockRows(db: Db): Promise<PgLockRow[]> {
  const { schema } = db.settings;
  return db.tx(async (c) => (await c.query(`SELECT ${LOCK_COLUMNS} FROM ${quoteIdent(schema)}.locks ORDER BY name`)).rows.map(toRow));
}

const ago = (ms: number) => `${Math.round(ms / 1000)} s`;

// One attempt: the lock, or LockError naming the holder (and why it cannot be taken over).
async function tryAcquire(db: Db, operation: string, notes: string[]): Promise<{ info: LockInfo; fencing: number }> {
  const { schema, state, leaseMs } = db.settings;
  const s = quoteIdent(schema);
  return db.tx(async (c) => {
    await lockTx(c, schema, state);
    const v = await c.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${s}.schema_migrations`);
    if (v.rows[0].v !== SCHEMA_VERSION) throw new NotInitialisedError(db.where, schema, v.rows[0].v);
    await c.query(`INSERT INTO ${s}.states (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [state]);
    const held = await c.query(`SELECT ${LOCK_COLUMNS} FROM ${s}.locks WHERE name = $1`, [state]);
    if (held.rowCount) {
      const h = toRow(held.rows[0]);
      const gone = holderGone(h);
      const expired = h.silentMs > leaseMs;
      if (!gone && !expired) {
        throw new LockError(`The state is locked: held by ${describeHolder(h)}, last heartbeat ${ago(h.silentMs)} ago. Wait for it to finish, or retry with --lock-timeout to wait for it.`, h, false);
      }
      const inFlight = stepsInFlight(await readJournalRows(c, schema, state));
      if (!gone && inFlight.length > 0) {
        const f = inFlight[0];
        throw new LockError(
          `The state is locked: held by ${describeHolder(h)}. Its heartbeat stopped ${ago(h.silentMs)} ago (lease ${ago(leaseMs)}), ` +
            `but its journal shows step ${f.step} (${f.op} of ${f.address} on ${f.host}) in flight${inFlight.length > 1 ? ` and ${inFlight.length - 1} more` : ''}, ` +
            `so it is not taken over: that step may still be running. Once you have checked ${f.address} on ${f.host}, remove the lock with: xenform force-unlock ${h.id}`,
          h,
          true,
        );
      }
      await c.query(`DELETE FROM ${s}.locks WHERE name = $1`, [state]);
      notes.push(
        gone
          ? `Took over the lock of ${describeHolder(h)}: that process no longer exists on this machine.`
          : `Took over the lock of ${describeHolder(h)}: its heartbeat stopped ${ago(h.silentMs)} ago (lease ${ago(leaseMs)}) and its journal shows no step in flight.`,
      );
    }
    const f = await c.query<{ fencing: string }>(`UPDATE ${s}.states SET fencing = fencing + 1 WHERE name = $1 RETURNING fencing`, [state]);
    const fencing = Number(f.rows[0].fencing);
    const id = randomUUID();
    const r = await c.query<{ created: Date }>(
      `INSERT INTO ${s}.locks (name, id, who, pid, operation, fencing) VALUES ($1, $2, $3, $4, $5, $6) RETURNING created`,
      [state, id, whoAmI(), process.pid, operation, fencing],
    );
    return { info: { id, who: whoAmI(), pid: process.pid, operation, created: r.rows[0].created.toISOString() }, fencing };
  });
}

export interface PgLock {
  info: LockInfo;
  fencing: number;
  notes: string[];
  lost(): boolean; // the heartbeat found the lock gone (taken over or force-unlocked)
  recordPlan(plan: LockPlan): Promise<void>;
  release(): Promise<void>;
}

export async function acquire(db: Db, operation: string, timeoutMs = 0, pollMs = 200): Promise<PgLock> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  const notes: string[] = [];
  let got: { info: LockInfo; fencing: number };
  for (;;) {
    try {
      got = await tryAcquire(db, operation, notes);
      break;
    } catch (err) {
      if (!(err instanceof LockError) || Date.now() >= deadline) {
        if (err instanceof LockError && timeoutMs > 0) err.message = err.message.replace('The state is locked:', `The state is locked after waiting ${Math.round((Date.now() - started) / 1000)}s:`);
        throw err;
      }
      await new Promise((r) => setTimeout(r, Math.min(pollMs, Math.max(1, deadline - Date.now())))); // polling the lock row
    }
  }
  const { schema, state, leaseMs } = db.settings;
  let lost = false;
  let released = false;
  const beat = setInterval(() => {
    db.tx((c) => c.query(`UPDATE ${quoteIdent(schema)}.locks SET heartbeat = now() WHERE name = $1 AND id = $2`, [state, got.info.id]))
      .then((r) => {
        if (r.rowCount === 0 && !released) lost = true;
      })
      .catch(() => undefined); // unreachable for now: writes will say so
  }, Math.max(50, Math.floor(leaseMs / 3)));
  beat.unref();
  return {
    ...got,
    notes,
    lost: () => lost,
    async recordPlan(plan) {
      await db.tx((c) =>
        c.query(`UPDATE ${quoteIdent(schema)}.locks SET plan_id = $3, plan_serial = $4, plan_steps = $5 WHERE name = $1 AND id = $2`, [state, got.info.id, plan.fingerprint, plan.serial, plan.steps]),
      );
      got.info.plan = plan;
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(beat);
      await db.tx(async (c) => {
        await lockTx(c, schema, state);
        await c.query(`DELETE FROM ${quoteIdent(schema)}.locks WHERE name = $1 AND id = $2`, [state, got.info.id]);
      });
    },
  };
}

// Removes the lock with `id`; returns the holder it removed.
export async function forceUnlock(db: Db, id: string): Promise<LockInfo> {
  const { schema, state } = db.settings;
  return db.tx(async (c) => {
    await lockTx(c, schema, state);
    const held = await c.query(`SELECT ${LOCK_COLUMNS} FROM ${quoteIdent(schema)}.locks WHERE name = $1`, [state]);
    if (!held.rowCount) throw new LockError(`There is no lock on the state in schema "${schema}": nothing to unlock.`, null, false);
    const h = toRow(held.rows[0]);
    if (h.id !== id) throw new LockError(`The lock has ID ${h.id}, not ${id}: it is held by ${describeHolder(h)}. Nothing was removed.`, h, holderGone(h));
    await c.query(`DELETE FROM ${quoteIdent(schema)}.locks WHERE name = $1 AND id = $2`, [state, id]);
    return h;
  });
}
