// `xenform validate`: what a user sees on the terminal and in JSON, and the exit code.
import fs from 'node:fs';
import t from 'tap';
import { xenform } from '../support/cli-io.js';
import { writeDir } from '../support/files.js';
import { HOST } from '../planner/config/support.js';

async function run(args: string[], files: Record<string, string>) {
  const dir = writeDir(files);
  const r = await xenform(['--chdir', dir, ...args], { env: {}, cwd: '/' });
  fs.rmSync(dir, { recursive: true, force: true });
  return r;
}

const good = { 'main.xf.hcl': `${HOST}vm "web" {\n  host     = host.lab\n  template = "t"\n  memory   = "1GiB"\n}\n` };
const bad = { 'main.xf.hcl': `${HOST}vm "web" {\n  host     = host.lab\n  template = "t"\n  memroy   = "1GiB"\n}\n` };

t.test('a valid configuration says so and exits 0', async (t) => {
  const r = await run(['validate'], good);
  t.equal(r.code, 0);
  t.equal(r.stdout, 'Success! The configuration is valid.\n');
  t.equal(r.stderr, '');
});

t.test('errors are shown with the file, line, column and source line, and exit 1', async (t) => {
  const r = await run(['validate'], bad);
  t.equal(r.code, 1);
  t.match(r.stderr, 'Error: Unsupported argument');
  t.match(r.stderr, 'main.xf.hcl:8:3');
  t.match(r.stderr, '  memroy   = "1GiB"');
  t.match(r.stderr, 'Did you mean "memory"?');
});

t.test('warnings are shown before a success', async (t) => {
  const files = { ...good, 'x.auto.xfvars.hcl': 'foo = 1\n' };
  const r = await run(['validate'], files);
  t.equal(r.code, 0);
  t.match(r.stdout, 'Warning: Value for undeclared variable');
  t.match(r.stdout, 'Success! The configuration is valid, but there were some validation warnings as shown above.\n');
});

t.test('--json prints the result like terraform validate -json', async (t) => {
  const r = await run(['validate', '--json'], bad);
  t.equal(r.code, 1);
  const out = JSON.parse(r.stdout);
  t.same(
    { ...out, diagnostics: out.diagnostics.map((d: { summary: string }) => d.summary) },
    { format_version: '1.0', valid: false, error_count: 2, warning_count: 0, diagnostics: ['Missing required argument', 'Unsupported argument'] },
  );
  t.same(out.diagnostics[1].range.start, { line: 8, column: 3, byte: out.diagnostics[1].range.start.byte });
});

t.test('--json of a valid configuration is valid with no diagnostics', async (t) => {
  const r = await run(['validate', '--json'], good);
  t.equal(r.code, 0);
  t.same(JSON.parse(r.stdout), { format_version: '1.0', valid: true, error_count: 0, warning_count: 0, diagnostics: [] });
});

t.test('--var supplies a required variable', async (t) => {
  const files = { 'main.xf.hcl': 'variable "n" {\n  type = number\n}\n' };
  t.equal((await run(['validate'], files)).code, 1);
  t.equal((await run(['validate', '--var', 'n=3'], files)).code, 0);
});
