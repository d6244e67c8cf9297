// The SourceReader that reads configuration files from the local disk.
import fs from 'node:fs';
import os from 'node:os';
import type { ReadFailure, SourceReader } from '../lang/source.js';

function failure(e: unknown): ReadFailure {
  const code = (e as NodeJS.ErrnoException).code;
  const message = (e as Error).message;
  if (code === 'ENOENT') return { failure: 'missing', message };
  if (code === 'EISDIR') return { failure: 'directory', message };
  return { failure: 'unreadable', message };
}

export const configSource: SourceReader = {
  readFile(path) {
    try {
      return { bytes: fs.readFileSync(path) };
    } catch (e) {
      return failure(e);
    }
  },
  readDir(path) {
    try {
      return { names: fs.readdirSync(path) };
    } catch (e) {
      return failure(e);
    }
  },
  kind(path) {
    try {
      return ((s) => (s.isFile() ? { file: true as const, size: s.size } : 'other'))(fs.statSync(path));
    } catch {
      return 'missing';
    }
  },
  homeDir: () => os.homedir(),
};
