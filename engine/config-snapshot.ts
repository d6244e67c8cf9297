// The configuration snapshot of a saved plan: recorded while the plan's configuration is
// loaded, and read back in memory when the plan is applied, so that apply evaluates exactly
// the files and values the plan was made from.
import path from 'node:path';
import type { ReadFailure, SourceReader } from '../lang/source.js';
import type { ConfigSnapshot } from '../planner/plan/plan-file.js';

type Reads = Pick<ConfigSnapshot, 'files' | 'dirs' | 'kinds' | 'home'>;

// The names a directory listing contributes to a configuration: its *.xf.hcl files and its
// *.auto.xfvars.hcl files (planner/config/load.ts and variables.ts).
const CONFIG_NAME = /\.(xf|auto\.xfvars)\.hcl$/;

const key = (dir: string, p: string) => path.relative(dir, path.resolve(dir, p)) || '.';

// A SourceReader that passes every read on to `inner` and remembers what it returned.
export function recordingSource(inner: SourceReader, dir: string): { source: SourceReader; reads: () => Reads } {
  const reads: Reads = { files: {}, dirs: {}, kinds: {}, home: '' };
  const source: SourceReader = {
    readFile(p) {
      const r = inner.readFile(p);
      reads.files[key(dir, p)] = 'bytes' in r ? Buffer.from(r.bytes).toString('base64') : null;
      return r;
    },
    readDir(p) {
      const r = inner.readDir(p);
      reads.dirs[key(dir, p)] = 'names' in r ? [...r.names] : null;
      return r;
    },
    kind(p) {
      const k = inner.kind(p);
      reads.kinds[key(dir, p)] = k;
      return k;
    },
    homeDir() {
      reads.home = inner.homeDir();
      return reads.home;
    },
  };
  return { source, reads: () => structuredClone(reads) };
}

// The XF_VAR_* variables of an environment: the only part of it a configuration reads.
export function variableEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (k.startsWith('XF_VAR_') && v !== undefined) out[k] = v;
  return out;
}

const notSaved = (p: string): ReadFailure => ({
  failure: 'missing',
  message: `${p} is not in the configuration saved with the plan`,
});

// A SourceReader that answers from the snapshot alone; `dir` is where the plan is applied.
export function snapshotSource(snap: ConfigSnapshot, dir: string): SourceReader {
  return {
    readFile(p) {
      const b = snap.files[key(dir, p)];
      return typeof b === 'string' ? { bytes: new Uint8Array(Buffer.from(b, 'base64')) } : notSaved(p);
    },
    readDir(p) {
      const names = snap.dirs[key(dir, p)];
      return names ? { names: [...names] } : notSaved(p);
    },
    kind: (p) => snap.kinds[key(dir, p)] ?? 'missing',
    homeDir: () => snap.home,
  };
}

// The configuration files (relative to `dir`) whose contents on `disk` differ from the
// snapshot: changed, deleted, or new beside the ones the plan was made from.
export function changedSince(snap: ConfigSnapshot, dir: string, disk: SourceReader): string[] {
  const changed = new Set<string>();
  for (const [rel, saved] of Object.entries(snap.files)) {
    const now = disk.readFile(path.resolve(dir, rel));
    const text = 'bytes' in now ? Buffer.from(now.bytes).toString('base64') : null;
    if (text !== saved) changed.add(rel);
  }
  for (const [rel, names] of Object.entries(snap.dirs)) {
    const now = disk.readDir(path.resolve(dir, rel));
    const before = new Set((names ?? []).filter((n) => CONFIG_NAME.test(n)));
    for (const n of 'names' in now ? now.names : []) {
      if (CONFIG_NAME.test(n) && !before.has(n)) changed.add(path.join(rel, n));
    }
  }
  return [...changed].sort();
}
