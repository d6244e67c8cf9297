// The local state file and how it is replaced: temp file in the same directory, fsync,
// rename, fsync of the directory, and the previous version kept as `.backup`.
import { randomUUID } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseState, sameContent, serializeState } from '../format.js';
import { StateConflictError } from '../manager.js';
import { STATE_FILE, STATE_VERSION, type State } from '../../../planner/model/state.js';

export const BACKUP_SUFFIX = '.backup';

export async function fsyncDir(dir: string): Promise<void> {
  const h = await fs.open(dir, fsc.O_RDONLY);
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

// Writes `content` to `file` so that a reader sees either the old or the new bytes, never a mix.
export async function atomicWrite(file: string, content: string, mode = 0o600): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`);
  const h = await fs.open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, mode);
  try {
    await h.writeFile(content);
    await h.chmod(mode); // the umask may have narrowed or widened the creation mode
    await h.sync();
  } catch (err) {
    await h.close();
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await h.close();
  await fs.rename(tmp, file);
  await fsyncDir(path.dirname(file));
}

export class StateStore {
  readonly file: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string) {
    this.file = path.join(dir, STATE_FILE);
  }

  async read(): Promise<State | null> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    return parseState(text, this.file);
  }

  // Replaces the stored state with `next` when its content differs; the serial is the stored
  // one plus one (or next.serial for a new file). Returns what is stored afterwards.
  // With `expected` (a serial, or null for no state), refuses unless the stored serial is that.
  write(next: State, expected?: number | null): Promise<State> {
    const run = this.queue.then(() => this.writeNow(next, expected));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async writeNow(next: State, expected: number | null | undefined): Promise<State> {
    const current = await this.read();
    if (expected !== undefined && (current?.serial ?? null) !== expected) throw new StateConflictError(expected, current?.serial ?? null);
    if (current && current.lineage === next.lineage && sameContent(current, next)) return current;
    const stored: State = { ...next, version: STATE_VERSION, serial: current ? current.serial + 1 : next.serial };
    if (current) {
      // The previous version's bytes are already durable: a hard link keeps them as the backup,
      // and the directory fsync of the replace below makes both renames durable.
      const tmp = `${this.file}${BACKUP_SUFFIX}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
      try {
        await fs.link(this.file, tmp);
        await fs.rename(tmp, this.file + BACKUP_SUFFIX);
      } catch {
        await fs.rm(tmp, { force: true });
        await atomicWrite(this.file + BACKUP_SUFFIX, await fs.readFile(this.file, 'utf8')); // no hard links here
      }
    }
    await atomicWrite(this.file, serializeState(stored));
    return stored;
  }
}
