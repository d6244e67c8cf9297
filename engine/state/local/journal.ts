// The local apply journal: one JSON line per entry beside the state file, fsynced before a step
// starts and after it ends. An apply killed at any moment leaves it behind; the next run that
// takes the lock folds it into the state (session.ts) before doing anything else.
import { constants as fsc } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir } from './store.js';
import { STATE_FILE } from '../../../planner/model/state.js';
import { journalEntryProblem, type JournalEntry } from '../journal.js';
import type { JournalWriter } from '../manager.js';

// Named after the state so that `xenform.state.json*` patterns (ignore files, backups) cover it.
export const JOURNAL_FILE = `${STATE_FILE}.journal`;

export function journalPath(dir: string): string {
  return path.join(dir, JOURNAL_FILE);
}

// Appends with group commit: entries that arrive while an fsync runs share the next one,
// so a hundred steps in flight cost a handful of fsyncs, not a hundred.
export class Journal implements JournalWriter {
  private pending: { line: string; done: () => void; fail: (e: unknown) => void }[] = [];
  private flushing = false;

  private constructor(
    readonly file: string,
    private readonly handle: fs.FileHandle,
  ) {}

  static async open(dir: string): Promise<Journal> {
    const file = journalPath(dir);
    const handle = await fs.open(file, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_APPEND, 0o600);
    await fsyncDir(dir);
    return new Journal(file, handle);
  }

  append(entry: JournalEntry): Promise<void> {
    return new Promise((done, fail) => {
      this.pending.push({ line: `${JSON.stringify(entry)}\n`, done, fail });
      if (!this.flushing) {
        this.flushing = true;
        queueMicrotask(() => void this.flush()); // entries appended in the same turn share the first fsync
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        await this.handle.write(batch.map((b) => b.line).join(''));
        await this.handle.sync();
        for (const b of batch) b.done();
      } catch (err) {
        for (const b of batch) b.fail(err);
      }
    }
    this.flushing = false;
  }

  async close(): Promise<void> {
    while (this.flushing || this.pending.length > 0) await new Promise((r) => setTimeout(r, 1));
    await this.handle.close();
  }

  // Once the state holds everything the journal says, the journal goes.
  async remove(): Promise<void> {
    await this.close();
    await fs.rm(this.file, { force: true });
  }
}

// Lines that cannot be folded into the state are moved here, never silently dropped.
export const REJECTED_SUFFIX = '.rejected';

// Every valid line. A line torn by a crash mid-write can only be the last one and is skipped;
// any other bad line is quarantined in the .rejected file, with a warning naming it (by a reader
// that holds the lock: `quarantine` false only leaves it out).
export async function readJournal(dir: string, warnings: string[] = [], quarantine = true): Promise<JournalEntry[] | null> {
  const file = journalPath(dir);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const entries: JournalEntry[] = [];
  const rejected: string[] = [];
  const lines = text.split('\n');
  const last = text.endsWith('\n') ? lines.length - 2 : lines.length - 1;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let entry: unknown;
    let problem: string | null;
    try {
      entry = JSON.parse(line);
      problem = journalEntryProblem(entry);
    } catch {
      if (i === last && !text.endsWith('\n')) return; // torn write
      problem = 'is not valid JSON';
    }
    if (problem === null) entries.push(entry as JournalEntry);
    else {
      rejected.push(line);
      warnings.push(`${file} line ${i + 1} ${problem}; it was left out and kept in ${file}${REJECTED_SUFFIX}.`);
    }
  });
  if (quarantine && rejected.length > 0) await fs.appendFile(file + REJECTED_SUFFIX, rejected.map((l) => `${l}\n`).join(''), { mode: 0o600 });
  return entries;
}
