// `xenform fmt` through the command line: what it rewrites, prints and exits with.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { xenform } from '../support/cli-io.js';
import { writeDir } from '../support/files.js';

const UGLY = 'vm "web" {\nname="web"\nmemory   = "2GiB"\n}\n';
const PRETTY = 'vm "web" {\n  name   = "web"\n  memory = "2GiB"\n}\n';


async function run(args: string[], files: Record<string, string>) {
  const dir = writeDir(files);
  const r = await xenform(['--chdir', dir, 'fmt', ...args], { env: {}, cwd: '/' });
  const read = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8');
  return { ...r, read, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

const cases: {
  name: string;
  args: string[];
  files: Record<string, string>;
  code: number;
  stdout: string | RegExp;
  stderr?: RegExp;
  after: Record<string, string>;
}[] = [
  {
    name: 'a file out of layout is rewritten and named',
    args: [],
    files: { 'main.xf.hcl': UGLY, 'ok.xf.hcl': PRETTY },
    code: 0,
    stdout: 'main.xf.hcl\n',
    after: { 'main.xf.hcl': PRETTY, 'ok.xf.hcl': PRETTY },
  },
  {
    name: 'variable files are formatted, other files are left alone',
    args: [],
    files: { 'prod.xfvars.hcl': 'a=1\n', 'notes.hcl': 'a=1\n', 'README.md': 'a=1\n' },
    code: 0,
    stdout: 'prod.xfvars.hcl\n',
    after: { 'prod.xfvars.hcl': 'a = 1\n', 'notes.hcl': 'a=1\n', 'README.md': 'a=1\n' },
  },
  {
    name: '--check changes nothing, lists the file and exits 3',
    args: ['--check'],
    files: { 'main.xf.hcl': UGLY },
    code: 3,
    stdout: 'main.xf.hcl\n',
    after: { 'main.xf.hcl': UGLY },
  },
  {
    name: '--check on formatted files is silent and exits 0',
    args: ['--check'],
    files: { 'main.xf.hcl': PRETTY },
    code: 0,
    stdout: '',
    after: { 'main.xf.hcl': PRETTY },
  },
  {
    name: '--diff prints a unified diff of the change',
    args: ['--check', '--diff'],
    files: { 'main.xf.hcl': UGLY },
    code: 3,
    stdout: /^main\.xf\.hcl\nIndex: main\.xf\.hcl\n={67}\n--- main\.xf\.hcl\toriginal\n\+\+\+ main\.xf\.hcl\tformatted\n@@ -1,4 \+1,4 @@\n vm "web" \{\n-name="web"\n-memory   = "2GiB"\n\+  name   = "web"\n\+  memory = "2GiB"\n \}\n$/,
    after: { 'main.xf.hcl': UGLY },
  },
  {
    name: 'subdirectories are formatted only with --recursive',
    args: [],
    files: { 'sub/a.xf.hcl': 'a=1\n', 'b.xf.hcl': 'b=1\n' },
    code: 0,
    stdout: 'b.xf.hcl\n',
    after: { 'sub/a.xf.hcl': 'a=1\n', 'b.xf.hcl': 'b = 1\n' },
  },
  {
    name: '--recursive descends into subdirectories',
    args: ['--recursive'],
    files: { 'sub/a.xf.hcl': 'a=1\n', 'b.xf.hcl': 'b=1\n', '.xenform/c.xf.hcl': 'c=1\n' },
    code: 0,
    stdout: 'b.xf.hcl\nsub/a.xf.hcl\n',
    after: { 'sub/a.xf.hcl': 'a = 1\n', 'b.xf.hcl': 'b = 1\n', '.xenform/c.xf.hcl': 'c=1\n' },
  },
  {
    name: 'named files are formatted whatever their names',
    args: ['one.hcl'],
    files: { 'one.hcl': 'x=1\n', 'two.xf.hcl': 'y=1\n' },
    code: 0,
    stdout: 'one.hcl\n',
    after: { 'one.hcl': 'x = 1\n', 'two.xf.hcl': 'y=1\n' },
  },
  {
    name: 'a file with a syntax error is reported with its place and left untouched, others are still formatted',
    args: [],
    files: { 'bad.xf.hcl': 'vm "a" {\n  name = "x\n}\n', 'good.xf.hcl': 'a=1\n' },
    code: 1,
    stdout: 'good.xf.hcl\n',
    stderr: /Error: Unterminated template string\n\n  on bad\.xf\.hcl line 2, column 10 \(bad\.xf\.hcl:2:10\):\n +2:   name = "x\n +\^\^\n/,
    after: { 'bad.xf.hcl': 'vm "a" {\n  name = "x\n}\n', 'good.xf.hcl': 'a = 1\n' },
  },
  {
    name: 'a missing file is an error',
    args: ['nope.xf.hcl'],
    files: {},
    code: 1,
    stdout: '',
    stderr: /nope\.xf\.hcl does not exist/,
    after: {},
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const r = await run(c.args, c.files);
    t.equal(r.code, c.code, 'exit code');
    if (typeof c.stdout === 'string') t.equal(r.stdout, c.stdout);
    else t.match(r.stdout, c.stdout);
    if (c.stderr) t.match(r.stderr, c.stderr);
    else t.equal(r.stderr, '');
    for (const [name, text] of Object.entries(c.after)) t.equal(r.read(name), text, `${name} afterwards`);
    r.remove();
  });
}

t.test('an object type constraint is indented one level per line that opens it', async (t) => {
  const pretty =
    'variable "sites" {\n  type = map(object({\n    memory = string\n    args   = optional(string, "console=hvc0")\n  }))\n}\n' +
    'locals {\n  x = [\n    { a = 1 },\n  ]\n  y = f(\n    1,\n  )\n}\n';
  const r = await run(['--check'], { 'main.xf.hcl': pretty });
  t.teardown(r.remove);
  t.equal(r.code, 0, `already canonical: ${r.stdout}`);
  t.equal(r.read('main.xf.hcl'), pretty);
});

t.test('every shipped example passes fmt --check', async (t) => {
  const examples = path.join(import.meta.dirname, '..', '..', 'examples');
  for (const name of fs.readdirSync(examples)) {
    const r = await xenform(['--chdir', path.join(examples, name), 'fmt', '--check'], { env: {}, cwd: '/' });
    t.equal(r.code, 0, `examples/${name}: ${r.stdout}${r.stderr}`);
  }
});
