// The simulated xe against what the xapi sources say a real host prints
// (test/fixtures/xapi-real, format in its README): stdout, stderr and exit code byte for byte.
import { FIXTURES } from '../../support/paths.js';
import t from 'tap';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runSim, type SimOptions } from '../../../providers/sim/index.js';

const DIR = join(FIXTURES, 'xapi-real');

interface Step {
  argv: string[];
  exit: number;
  stdout?: string;
  stderr?: string;
}

interface Case {
  setup: string | null;
  faults: string;
  files: string[] | null; // dom0's files: a path, a "dir/", or "link -> target"
  steps: Step[];
}

function parseCase(text: string): Case {
  const c: Case = { setup: null, faults: '', files: null, steps: [] };
  const lines = (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
  let section: 'stdout' | 'stderr' | null = null;
  let body: string[] = [];
  const close = () => {
    if (section) c.steps[c.steps.length - 1][section] = body.join('\n');
    section = null;
    body = [];
  };
  for (const line of lines) {
    if (section && !line.startsWith('--- ') && !line.startsWith('$ ')) {
      body.push(line);
      continue;
    }
    close();
    if (line.startsWith('# setup: ')) c.setup = line.slice(9).trim();
    else if (line.startsWith('# host: ')) c.faults = line.slice(8).trim();
    else if (line.startsWith('# files: ')) c.files = JSON.parse(line.slice(9)) as string[];
    else if (line.startsWith('$ ')) c.steps.push({ argv: JSON.parse(line.slice(2)) as string[], exit: 0 });
    else if (line.startsWith('--- exit ')) c.steps[c.steps.length - 1].exit = Number(line.slice(9));
    else if (line === '--- stdout' || line === '--- stderr') section = line.slice(4) as 'stdout' | 'stderr';
  }
  close();
  // A section runs up to the next header: the newline before that header ends its last line.
  for (const s of c.steps) {
    for (const k of ['stdout', 'stderr'] as const) if (s[k] !== undefined && s[k] !== '') s[k] += '\n';
  }
  return c;
}

// A file tree standing for dom0's file system.
function dom0Files(root: string, entries: string[]): string {
  mkdirSync(root);
  for (const e of entries) {
    const [path, target] = e.split(' -> ');
    const at = join(root, path);
    mkdirSync(path.endsWith('/') ? at : dirname(at), { recursive: true });
    if (target !== undefined) symlinkSync(target.startsWith('/') ? join(root, target) : target, at);
    else if (!path.endsWith('/')) writeFileSync(at, 'kernel');
  }
  return root;
}

const files = readdirSync(DIR).filter((f) => f.endsWith('.txt')).sort();

t.test('the corpus covers what xenform relies on', async (t) => {
  t.ok(files.length >= 10, `${files.length} cases`);
});

for (const file of files) {
  t.test(`the simulated xe prints what a real host prints: ${file}`, async (t) => {
    const c = parseCase(readFileSync(join(DIR, file), 'utf8'));
    const dir = mkdtempSync(join(tmpdir(), 'xensim-xapireal-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const o: SimOptions = { statePath: join(dir, 'h.json'), hostname: 'xcp1', seed: 'xapi-real', faults: c.faults };
    if (c.files) o.root = dom0Files(join(dir, 'root'), c.files);
    const xe = (...args: string[]) => runSim(['xe', ...args], o);
    const vars: Record<string, string> = {
      sr: (await xe('sr-list', 'name-label=Local storage', 'params=uuid', '--minimal')).stdout.trim(),
    };
    if (c.setup) {
      vars.vm = (await xe('vm-install', 'template=Other install media', 'new-name-label=web01')).stdout.trim();
      if (c.setup === 'running') t.equal((await xe('vm-start', `uuid=${vars.vm}`)).code, 0, 'the setup VM starts');
    }
    const fill = (s: string) => s.replace(/\{(vm|sr|last)\}/g, (_m, k: string) => vars[k]);
    for (const step of c.steps) {
      const argv = step.argv.map(fill);
      const r = await xe(...argv);
      const got: Partial<Step> = { exit: r.code };
      const want: Partial<Step> = { exit: step.exit };
      for (const k of ['stdout', 'stderr'] as const) {
        if (step[k] === undefined) continue;
        got[k] = r[k];
        want[k] = fill(step[k]);
      }
      t.same(got, want, `xe ${JSON.stringify(argv)}`);
      vars.last = r.stdout.replace(/\n$/, '');
    }
  });
}
