// How the pg backend reaches PostgreSQL: the connection settings (the environment wins over the
// file, so secrets can stay out of it), a pool whose every use is one transaction (so it works
// through PgBouncer in transaction mode: no session state, no session advisory locks), and
// error texts that never show a password.
import type pg from 'pg';
import type { PgBackendConfig } from '../../../planner/config/backend.js';

export interface PgSettings {
  connectionString?: string; // absent: libpq's PG* variables alone
  password?: string; // from PGPASSWORD, over any password in the connection string
  schema: string;
  state: string; // the row name of this configuration's state
  leaseMs: number; // a lock whose heartbeat is older than this may be taken over
  spillDir: string; // where journal entries go while the database cannot be reached
}

export const DEFAULT_LEASE_MS = 60_000;
export const STATE_NAME = 'default';

export function pgSettings(config: PgBackendConfig, env: Record<string, string | undefined>, dir: string): PgSettings {
  const lease = Number(env.XENFORM_PG_LOCK_LEASE);
  return {
    connectionString: env.XENFORM_PG_CONN_STR || config.conn_str || undefined,
    password: env.PGPASSWORD || undefined,
    schema: config.schema_name,
    state: STATE_NAME,
    leaseMs: Number.isFinite(lease) && lease > 0 ? lease * 1000 : DEFAULT_LEASE_MS,
    spillDir: dir,
  };
}

// The connection string with its password replaced, for messages.
export function redact(conn: string | undefined): string {
  if (!conn) return 'PostgreSQL (from the PG* environment variables)';
  try {
    const u = new URL(conn);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return conn.replace(/(password\s*=\s*)('[^']*'|\S+)/gi, '$1***');
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

// Two 32-bit keys for pg_advisory_xact_lock(int, int): one for the schema, one for the state,
// so that two schemas never share a lock (terraform#29034).
export function advisoryKeys(schema: string, state: string): [number, number] {
  return [fnv32(schema) | 0, fnv32(state) | 0];
}

function fnv32(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export class PgUnavailableError extends Error {
  constructor(where: string, cause: unknown) {
    super(`PostgreSQL at ${where} cannot be reached: ${causeText(cause)}`);
    this.name = 'PgUnavailableError';
  }
}

function causeText(err: unknown): string {
  const e = err as { code?: string; message?: string; errors?: { message?: string }[] };
  if (e.errors?.length) return e.errors.map((x) => x.message).join('; ');
  return e.message || e.code || String(err);
}

// Errors that mean "the server is not there" rather than "the server said no".
export function isUnavailable(err: unknown): boolean {
  if (err instanceof PgUnavailableError) return true;
  const code = (err as { code?: string }).code ?? '';
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '08006', '08001', '08003', '08004'].includes(code)) return true;
  const msg = (err as Error)?.message ?? '';
  return /Connection terminated|connection ended|Client has encountered a connection error|server closed the connection|terminating connection/i.test(msg);
}

export class Db {
  private pool: pg.Pool | null = null;
  readonly where: string;

  constructor(readonly settings: PgSettings) {
    this.where = redact(settings.connectionString);
  }

  // The pg library is loaded with the first connection: a command on a local state never pays for it.
  private async getPool(): Promise<pg.Pool> {
    if (!this.pool) {
      const { default: pgLib } = await import('pg');
      let connectionString = this.settings.connectionString;
      if (connectionString && this.settings.password) {
        try {
          const u = new URL(connectionString);
          u.password = encodeURIComponent(this.settings.password);
          connectionString = u.toString();
        } catch {
          // key=value form: PGPASSWORD is used by the client when the string has none
        }
      }
      this.pool ??= new pgLib.Pool({
        connectionString,
        max: 4,
        allowExitOnIdle: true, // an idle pool does not keep the command running
        connectionTimeoutMillis: 10_000,
        application_name: 'xenform',
      });
      this.pool.on('error', () => undefined); // an idle client's connection died: the next query says so
    }
    return this.pool;
  }

  // Runs `fn` in one transaction; connection failures become PgUnavailableError.
  async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await (await this.getPool()).connect();
    } catch (err) {
      throw new PgUnavailableError(this.where, err);
    }
    let broken = false;
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      broken = isUnavailable(err);
      if (!broken) await client.query('ROLLBACK').catch(() => (broken = true));
      throw broken && !(err instanceof PgUnavailableError) ? new PgUnavailableError(this.where, err) : err;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    const p = this.pool;
    this.pool = null;
    await p?.end().catch(() => undefined);
  }
}
