// The pg backend's tables, created and upgraded by numbered migrations, everything inside the
// configured schema: nothing in `public` (PostgreSQL 15 grants no CREATE there), no global
// sequence. `xenform init` applies them; every other command only checks the version.
import type pg from 'pg';
import { advisoryKeys, type Db, quoteIdent } from './connection.js';

// Each migration is applied once, in order, in one transaction with its version row.
const MIGRATIONS: { version: number; what: string; sql: (s: string) => string }[] = [
  {
    version: 1,
    what: 'states, their versions, locks and the apply journal',
    sql: (s) => `
      CREATE TABLE ${s}.states (
        name    text PRIMARY KEY,
        serial  bigint,              -- of the newest version; null before the first write
        lineage text,
        fencing bigint NOT NULL DEFAULT 0 -- raised by every lock taken: older holders cannot write
      );
      CREATE TABLE ${s}.state_versions (
        name       text NOT NULL REFERENCES ${s}.states (name),
        serial     bigint NOT NULL,
        lineage    text NOT NULL,
        data       text NOT NULL,     -- the state JSON exactly as written
        written_by text NOT NULL,     -- user@host
        written_at timestamptz NOT NULL DEFAULT now(),
        operation  text NOT NULL,
        lock_id    uuid,
        PRIMARY KEY (name, serial)
      );
      CREATE TABLE ${s}.locks (
        name      text PRIMARY KEY REFERENCES ${s}.states (name),
        id        uuid NOT NULL UNIQUE,
        who       text NOT NULL,
        pid       integer NOT NULL,
        operation text NOT NULL,
        plan_id   text,
        created   timestamptz NOT NULL DEFAULT now(),
        heartbeat timestamptz NOT NULL DEFAULT now(),
        fencing   bigint NOT NULL
      );
      CREATE TABLE ${s}.journal (
        name    text NOT NULL REFERENCES ${s}.states (name),
        seq     bigint GENERATED ALWAYS AS IDENTITY,
        fencing bigint NOT NULL,
        entry   text NOT NULL,
        PRIMARY KEY (name, seq)
      );`,
  },
  {
    version: 2,
    what: 'locks name the plan they apply (fingerprint in plan_id, its state serial and step count)',
    sql: (s) => `
      ALTER TABLE ${s}.locks ADD COLUMN plan_serial bigint, ADD COLUMN plan_steps integer;`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

export class NotInitialisedError extends Error {
  constructor(where: string, schema: string, found: number | null) {
    super(
      found === null
        ? `The pg backend has no xenform tables in schema "${schema}" at ${where}: run \`xenform init\` first.`
        : `The pg backend's schema "${schema}" at ${where} is at version ${found}, this xenform needs ${SCHEMA_VERSION}: run \`xenform init\` to upgrade it.`,
    );
    this.name = 'NotInitialisedError';
  }
}

async function currentVersion(c: pg.PoolClient, schema: string): Promise<number | null> {
  const t = await c.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [`${quoteIdent(schema)}.schema_migrations`]);
  if (!t.rows[0].t) return null;
  const v = await c.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${quoteIdent(schema)}.schema_migrations`);
  return v.rows[0].v;
}

// Refuses with NotInitialisedError unless the schema is at this xenform's version.
export async function checkSchema(db: Db): Promise<void> {
  const { schema } = db.settings;
  const found = await db.tx((c) => currentVersion(c, schema));
  if (found !== SCHEMA_VERSION) throw new NotInitialisedError(db.where, schema, found);
}

// Creates the schema and applies the missing migrations; returns what was applied.
export async function migrate(db: Db, who: string): Promise<{ from: number | null; applied: string[] }> {
  const { schema } = db.settings;
  const s = quoteIdent(schema);
  return db.tx(async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1, $2)', advisoryKeys(schema, '*migrations*'));
    const exists = await c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (exists.rowCount === 0) await c.query(`CREATE SCHEMA ${s}`);
    await c.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now(), applied_by text NOT NULL)`);
    const from = await currentVersion(c, schema);
    const applied: string[] = [];
    for (const m of MIGRATIONS) {
      if (from !== null && m.version <= from) continue;
      await c.query(m.sql(s));
      await c.query(`INSERT INTO ${s}.schema_migrations (version, applied_by) VALUES ($1, $2)`, [m.version, who]);
      applied.push(`${m.version}: ${m.what}`);
    }
    return { from, applied };
  });
}
