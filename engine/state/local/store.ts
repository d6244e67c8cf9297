// The local state file and how it is replaced: temp file in the same directory, fsync,
// rename, fsync of the directory, and the previous version kept as `.backup`.
import { randomUUID } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseState, sameContent, serializeState, StateFormatError } from '../format.js';
import { LostStateError, StateConflictError } from '../manager.js';
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

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export class StateStore {
  readonly file: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string) {
    this.file = path.join(dir, STATE_FILE);
  }

  async read(): Promise<State | null> {
    const text = await readIfExists(await this.target());
    if (text !== null) return parseState(text, this.file);
    await this.refuseLostLineage();
    return null;
  }

  // Where the state's bytes are: the file, or the file a symbolic link names (a state shared
  // through a link stays shared: writes replace the link's target, never the link).
  private async target(): Promise<string> {
    try {
      return await fs.realpath(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const link = await fs.readlink(this.file).catch(() => null);
    if (link === null) return this.file;
    throw new StateFormatError(
      this.file,
      `is a symbolic link to ${path.resolve(this.dir, link)}, which does not exist. Restore that file, or remove the link to start without a state.`,
    );
  }

  // No state but a backup that records VMs: the state was lost (a deleted file, a fresh
  // checkout), and a plan from nothing would create every VM again.
  // A first state of the backup's own lineage (a rebuild) is no new lineage.
  private async refuseLostLineage(lineage?: string): Promise<void> {
    const backup = await this.backup();
    if (!backup || backup.resources.length === 0 || backup.lineage === lineage) return;
    const f = this.file;
    throw new LostStateError(
      f,
      backup,
      `is missing, but ${f}${BACKUP_SUFFIX} holds lineage ${backup.lineage} (serial ${backup.serial}, ${backup.resources.length} VMs: ` +
        `${backup.resources.map((r) => r.address).join(', ')}). Planning from no state would create them again. ` +
        `Restore it with \`cp ${f}${BACKUP_SUFFIX} ${f}\`, or, if it is out of date, move it aside and run \`xenform state rebuild\` to record the VMs the hosts carry.`,
    );
  }

  private async backup(): Promise<State | null> {
    const text = await readIfExists(this.file + BACKUP_SUFFIX);
    if (text === null) return null;
    try {
      return parseState(text, this.file + BACKUP_SUFFIX);
    } catch {
      return null; // an unreadable backup holds nothing to protect
    }
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
    const target = await this.target();
    const currentText = await readIfExists(target);
    const current = currentText === null ? null : parseState(currentText, this.file);
    if (expected !== undefined && (current?.serial ?? null) !== expected) throw new StateConflictError(expected, current?.serial ?? null);
    if (current && current.lineage === next.lineage && sameContent(current, next)) return current;
    if (!current) await this.refuseLostLineage(next.lineage);
    const stored: State = { ...next, version: STATE_VERSION, serial: current ? current.serial + 1 : next.serial };
    const text = serializeState(stored);
    parseState(text, this.file); // never write a state that the reader would refuse
    if (current) await this.keepBackup(target, current);
    await atomicWrite(target, text);
    return stored;
  }

  // The version being replaced becomes the backup. A backup of another lineage (the only copy
  // of a state that was replaced by hand) is kept beside it under its lineage, never overwritten.
  private async keepBackup(target: string, current: State): Promise<void> {
    const backupFile = this.file + BACKUP_SUFFIX;
    const old = await this.backup();
    if (old && old.lineage !== current.lineage) await fs.rename(backupFile, `${backupFile}.${old.lineage}`);
    // The previous version's bytes are already durable: a hard link keeps them as the backup,
    // and the directory fsync of the replace below makes both renames durable.
    const tmp = `${backupFile}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
    try {
      await fs.link(target, tmp);
      await fs.rename(tmp, backupFile);
    } catch {
      await fs.rm(tmp, { force: true });
      await atomicWrite(backupFile, await fs.readFile(target, 'utf8')); // no hard links here (or another file system)
    }
  }
}
