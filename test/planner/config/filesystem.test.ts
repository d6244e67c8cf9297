// file(), templatefile() and the path functions read relative to the configuration directory.
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { errors, load } from './support.js';

const out = (files: Record<string, string>, expr: string) => {
  const r = load({ ...files, 'main.xf.hcl': `output "x" {\n  value = ${expr}\n}\n` });
  return { value: r.config?.outputs[0].value, errors: errors(r) };
};

const cases: [string, Record<string, string>, string, unknown][] = [
  ['file reads a file next to the configuration', { 'motd.txt': 'hello\n' }, 'file("motd.txt")', 'hello\n'],
  ['file reads a file in a subdirectory', { 'sub/a.txt': 'a' }, 'file("${path.module}/sub/a.txt")', 'a'],
  ['fileexists is true for a file', { 'a.txt': '' }, 'fileexists("a.txt")', true],
  ['fileexists is false for a missing file', {}, 'fileexists("b.txt")', false],
  ['templatefile renders interpolations and directives', { 'a.tpl': 'Hi ${name}!\n%{ for p in ports ~}\nport ${p}\n%{ endfor ~}\n' }, 'templatefile("a.tpl", { name = "web", ports = [80, 443] })', 'Hi web!\nport 80\nport 443\n'],
  ['templatefile keeps text without a final newline', { 'b.tpl': '${a}-${b}' }, 'templatefile("b.tpl", { a = 1, b = "x" })', '1-x'],
  ['templatefile can call functions', { 'c.tpl': '${upper(x)}' }, 'templatefile("c.tpl", { x = "q" })', 'Q'],
  ['pathexpand expands the home directory', {}, 'pathexpand("~/x")', path.join(os.homedir(), 'x')],
  ['basename of a directory path', {}, 'basename("/a/b/")', 'b'],
];

for (const [name, files, expr, expected] of cases) {
  t.test(name, async (t) => {
    const r = out(files, expr);
    t.same(r.errors, []);
    t.same(r.value, expected);
  });
}

t.test('abspath resolves against the configuration directory', async (t) => {
  const r = out({}, 'abspath("x")');
  t.same(r.errors, []);
  t.ok(path.isAbsolute(r.value as string) && (r.value as string).endsWith(`${path.sep}x`));
});

t.test('an error inside a template points into the template file', async (t) => {
  const r = out({ 'bad.tpl': 'line one\n${nope}\n' }, 'templatefile("bad.tpl", {})');
  t.same(r.errors, [
    'main.xf.hcl:2:24: Invalid function argument: Invalid value for "path" parameter: Unknown template variable at bad.tpl:2,3: vars map does not contain key "nope".',
  ]);
});

t.test('file() of a directory says so', async (t) => {
  const r2 = load({ 'main.xf.hcl': 'output "x" {\n  value = file("dir")\n}\n', 'dir/a': '' });
  t.same(errors(r2), ['main.xf.hcl:2:16: Invalid function argument: Invalid value for "path" parameter: "dir" is a directory, not a file.']);
});
