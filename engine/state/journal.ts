// The apply journal: one JSON line per step event, fsynced before the step starts and after it
// ends. An apply killed at any moment leaves it behind; the next run that takes the lock folds
// it into the state (reconcileJournal) before doing anything else.
import { constants as fsc } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { StepOp } from '../../planner/model/ops.js';
import { fsyncDir } from './store.js';
import type { State, StateResource } from '../../planner/model/state.js';
import { STATE_FILE } from '../../planner/model/state.js';

// Named after the state so that `xenform.state.json*` patterns (ignore files, backups) cover it.
export const JOURNAL_FILE = `${STATE_FILE}.journal`;

export type JournalEntry =
  | { t: 'begin'; lineage: string; serial: number; time: string }
  | { t: 'names'; host: string; names: Record<string, string[]>; time: string } // uuids per name-label before creates
  | { t: 'start'; step: string; address: string; host: string; op: StepOp; uuid: string | null; time: string; name?: string; template?: string }
  | { t: 'done'; step: string; address: string; host: string; op: StepOp; uuid: string; time: string; resource: StateResource | null }
  | { t: 'fail'; step: string; address: string; host: string; op: StepOp; error: string; time: string }
  | { t: 'end'; time: string };

export function journalPath(dir: string): string {
  return path.join(dir, JOURNAL_FILE);
}

// Appends with group commit: entries that arrive while an fsync runs share the next one,
// so a hundred steps in flight cost a handful of fsyncs, not a hundred.
export class Journal {
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

// Every complete line; a line torn by a crash mid-write can only be the last one and is skipped.
export async function readJournal(dir: string): Promise<JournalEntry[] | null> {
  let text: string;
  try {
    text = await fs.readFile(journalPath(dir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const entries: JournalEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      entries.push(JSON.parse(line) as JournalEntry);
    } catch {
      // torn write
    }
  }
  return entries;
}

// Records one finished step in the state: the VM's new record, or its removal.
export function foldEntry(state: State, entry: JournalEntry): void {
  if (entry.t !== 'done') return;
  const i = state.resources.findIndex((r) => r.address === entry.address);
  if (entry.resource === null) {
    if (i >= 0 && state.resources[i].uuid === entry.uuid) state.resources.splice(i, 1);
    return;
  }
  if (i >= 0) state.resources[i] = entry.resource;
  else state.resources.push(entry.resource);
}

interface Interrupted {
  address: string;
  host: string;
  op: StepOp;
  step: string;
  name?: string;
  template?: string;
}

export interface Reconciled {
  state: State;
  recorded: string[]; // addresses whose finished steps were folded in
  interrupted: Interrupted[]; // started, never finished
}

// Folds a journal left by an interrupted apply into `state` (a copy is returned).
export function reconcile(state: State, entries: JournalEntry[]): Reconciled {
  const next: State = structuredClone(state);
  const recorded = new Set<string>();
  const open = new Map<string, Interrupted>();
  const names = new Map<string, Record<string, string[]>>();
  for (const e of entries) {
    if (e.t === 'names') names.set(e.host, { ...names.get(e.host), ...e.names });
    if (e.t === 'start') open.set(e.step, { address: e.address, host: e.host, op: e.op, step: e.step, name: e.name, template: e.template });
    if (e.t === 'done' || e.t === 'fail') open.delete(e.step);
    if (e.t === 'done') {
      foldEntry(next, e);
      recorded.add(e.address);
    }
  }
  const interrupted = [...open.values()];
  for (const i of interrupted) {
    const before = names.get(i.host)?.[i.name ?? ''];
    if (i.op !== 'create' || i.name === undefined || !before) continue;
    const pending = (next.pending_creates ?? []).filter((p) => p.address !== i.address);
    pending.push({ address: i.address, host: i.host, name: i.name, template: i.template ?? '', preexisting: before });
    next.pending_creates = pending;
  }
  return { state: next, recorded: [...recorded], interrupted };
}
