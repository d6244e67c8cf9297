// The configuration snapshot: what the recording reader saw is what the in-memory reader
// answers, and a comparison with the disk names the files that changed.
import t from 'tap';
import path from 'node:path';
import type { SourceReader } from '../../lang/source.js';
import { changedSince, recordingSource, snapshotSource, variableEnv } from '../../engine/config-snapshot.js';
import type { ConfigSnapshot } from '../../planner/plan/plan-file.js';

const dir = '/work/site';
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (r: ReturnType<SourceReader['readFile']>) => ('bytes' in r ? new TextDecoder().decode(r.bytes) : r.failure);

// A disk held in memory: absolute path -> contents.
function disk(files: Record<string, string>): SourceReader {
  return {
    readFile: (p) => (p in files ? { bytes: bytes(files[p]) } : { failure: 'missing', message: `${p}: ENOENT` }),
    readDir: (p) => ({ names: Object.keys(files).filter((f) => path.dirname(f) === p).map((f) => path.basename(f)) }),
    kind: (p) => (p in files ? 'file' : 'missing'),
    homeDir: () => '/home/ops',
  };
}

function snapshotOf(files: Record<string, string>, read: (s: SourceReader) => void): ConfigSnapshot {
  const rec = recordingSource(disk(files), dir);
  read(rec.source);
  return { ...rec.reads(), vars: {}, var_files: [], env: {} };
}

t.test('the in-memory reader answers what the recording reader saw, and nothing else', async (t) => {
  const snap = snapshotOf({ [`${dir}/main.xf.hcl`]: 'vm "a" {}', [`${dir}/keys/id.pub`]: 'ssh-ed25519 AAA', '/home/ops/.ssh/id.pub': 'home key' }, (s) => {
    s.readDir(dir);
    s.readFile(`${dir}/main.xf.hcl`);
    s.readFile(`${dir}/keys/id.pub`);
    s.readFile(`${s.homeDir()}/.ssh/id.pub`);
    s.kind(`${dir}/absent.txt`);
  });
  const mem = snapshotSource(snap, dir);
  const cases: { name: string; got: unknown; want: unknown }[] = [
    { name: 'a configuration file reads back with its text', got: text(mem.readFile(`${dir}/main.xf.hcl`)), want: 'vm "a" {}' },
    { name: 'a file under the directory reads back', got: text(mem.readFile(`${dir}/keys/id.pub`)), want: 'ssh-ed25519 AAA' },
    { name: 'a file outside the directory reads back', got: text(mem.readFile('/home/ops/.ssh/id.pub')), want: 'home key' },
    { name: 'a file never read is missing', got: text(mem.readFile(`${dir}/other.txt`)), want: 'missing' },
    { name: 'the directory lists what it listed', got: (mem.readDir(dir) as { names: string[] }).names.sort(), want: ['main.xf.hcl'] },
    { name: 'a file check answers as it did', got: mem.kind(`${dir}/absent.txt`), want: 'missing' },
    { name: 'the home directory is the one recorded', got: mem.homeDir(), want: '/home/ops' },
  ];
  for (const c of cases) t.same(c.got, c.want, c.name);
});

t.test('changedSince names the configuration files that differ from the snapshot', async (t) => {
  const before = { [`${dir}/main.xf.hcl`]: 'vm "a" {}', [`${dir}/prod.xfvars.hcl`]: 'x = 1', [`${dir}/xenform.state.json`]: '{}' };
  const snap = snapshotOf(before, (s) => {
    s.readDir(dir);
    s.readFile(`${dir}/main.xf.hcl`);
    s.readFile(`${dir}/prod.xfvars.hcl`);
  });
  const cases: { name: string; now: Record<string, string>; want: string[] }[] = [
    { name: 'nothing changed', now: before, want: [] },
    { name: 'a file edited', now: { ...before, [`${dir}/main.xf.hcl`]: 'vm "b" {}' }, want: ['main.xf.hcl'] },
    { name: 'a var file deleted', now: { [`${dir}/main.xf.hcl`]: 'vm "a" {}' }, want: ['prod.xfvars.hcl'] },
    { name: 'a configuration file added', now: { ...before, [`${dir}/more.xf.hcl`]: '' }, want: ['more.xf.hcl'] },
    { name: 'a file that is not configuration added or changed', now: { ...before, [`${dir}/xenform.state.json`]: '{"serial":2}', [`${dir}/notes.txt`]: '' }, want: [] },
  ];
  for (const c of cases) t.same(changedSince(snap, dir, disk(c.now)), c.want, c.name);
});

t.test('only the XF_VAR_* variables of the environment are kept', async (t) => {
  t.same(variableEnv({ XF_VAR_size: '2', HOME: '/root', AWS_SECRET: 'x', XF_VAR_gone: undefined }), { XF_VAR_size: '2' });
});
