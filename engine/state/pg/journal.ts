// The apply journal in the database: the same entries and discipline as the local journal
// (durable before a step starts and after it ends, appended in groups), each row stamped with
// the writer's fencing token. When the database goes away mid-apply, the entries of the steps
// in flight go to a spill file beside the configuration and no new step starts; the next run
// on this machine folds the spill file into the journal before anything else.
import { constants as fsc } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { STATE_FILE } from '../../../planner/model/state.js';
import type { JournalEntry } from '../journal.js';
import type { JournalWriter } from '../manager.js';
import { fsyncDir } from '../local/store.js';
import { type Db, isUnavailable, PgUnavailableError, quoteIdent } from './connection.js';
import { checkFencing, type WriteAs } from './store.js';
import { readJournalRows } from './lock.js';

export const SPILL_FILE = `${STATE_FILE}.pg-spill`;

export function spillPath(dir: string): string {
  return path.join(dir, SPILL_FILE);
}

async function insertEntries(db: Db, lines: string[], as: WriteAs): Promise<void> {
  const { schema, state } = db.settings;
  const s = quoteIdent(schema);
  await db.tx(async (c) => {
    const f = await c.query(`SELECT fencing FROM ${s}.states WHERE name = $1 FOR SHARE`, [state]);
    await checkFencing(c, s, state, f.rows[0] ? Number(f.rows[0].fencing) : null, as);
    await c.query(`INSERT INTO ${s}.journal (name, fencing, entry) SELECT $1, $2, unnest($3::text[])`, [state, as.fencing, lines]);
  });
}

export class PgJournal implements JournalWriter {
  private pending: { entry: JournalEntry; done: () => void; fail: (e: unknown) => void }[] = [];
  private flushing = false;
  private spill: fs.FileHandle | null = null;
  private unavailable: PgUnavailableError | null = null;

  constructor(
    private readonly db: Db,
    private readonly as: WriteAs,
  ) {}

  append(entry: JournalEntry): Promise<void> {
    return new Promise((done, fail) => {
      this.pending.push({ entry, done, fail });
      if (!this.flushing) {
        this.flushing = true;
        queueMicrotask(() => void this.flush()); // entries appended in the same turn share one insert
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      if (!this.unavailable) {
        try {
          await insertEntries(this.db, batch.map((b) => JSON.stringify(b.entry)), this.as);
          for (const b of batch) b.done();
          continue;
        } catch (err) {
          if (!isUnavailable(err)) {
            for (const b of batch) b.fail(err);
            continue;
          }
          this.unavailable = err instanceof PgUnavailableError ? err : new PgUnavailableError(this.db.where, err);
        }
      }
      await this.toSpill(batch);
    }
    this.flushing = false;
  }

  // Without the database: what finished is kept locally; nothing new starts.
  private async toSpill(batch: { entry: JournalEntry; done: () => void; fail: (e: unknown) => void }[]): Promise<void> {
    const kept = batch.filter((b) => b.entry.t !== 'start');
    for (const b of batch) if (b.entry.t === 'start') b.fail(new Error(`${this.unavailable!.message}; the step was not started`));
    if (kept.length === 0) return;
    try {
      if (!this.spill) {
        this.spill = await fs.open(spillPath(this.db.settings.spillDir), fsc.O_WRONLY | fsc.O_CREAT | fsc.O_APPEND, 0o600);
        await fsyncDir(this.db.settings.spillDir);
      }
      await this.spill.write(kept.map((b) => `${JSON.stringify(b.entry)}\n`).join(''));
      await this.spill.sync();
      for (const b of kept) b.done();
    } catch (err) {
      for (const b of kept) b.fail(err);
    }
  }

  async close(): Promise<void> {
    while (this.flushing || this.pending.length > 0) await new Promise((r) => setTimeout(r, 1));
    await this.spill?.close();
    this.spill = null;
  }
}

// Moves a spill file left by an apply that lost the database into the journal; true if there was one.
export async function foldSpill(db: Db, as: WriteAs): Promise<boolean> {
  const file = spillPath(db.settings.spillDir);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  const lines = text.split('\n').filter((l) => {
    if (l.trim() === '') return false;
    try {
      JSON.parse(l);
      return true;
    } catch {
      return false; // torn by a crash mid-write: only ever the last line
    }
  });
  if (lines.length) await insertEntries(db, lines, as);
  await fs.rm(file, { force: true });
  await fsyncDir(db.settings.spillDir);
  return true;
}

export async function readJournal(db: Db): Promise<JournalEntry[] | null> {
  const { schema, state } = db.settings;
  const entries = await db.tx((c) => readJournalRows(c, schema, state));
  return entries.length ? entries : null;
}

export async function clearJournal(db: Db, as: WriteAs): Promise<void> {
  const { schema, state } = db.settings;
  const s = quoteIdent(schema);
  await db.tx(async (c) => {
    const f = await c.query(`SELECT fencing FROM ${s}.states WHERE name = $1 FOR UPDATE`, [state]);
    await checkFencing(c, s, state, f.rows[0] ? Number(f.rows[0].fencing) : null, as);
    await c.query(`DELETE FROM ${s}.journal WHERE name = $1`, [state]);
  });
}
