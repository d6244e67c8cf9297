// What loading a configuration reads from the disk, and what it says when it cannot:
// the configuration directory, variables files, and the files that file(), fileexists()
// and templatefile() name, through symbolic links and relative to the configuration.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { configSource } from '../../../engine/config-source.js';
import { loadConfig } from '../../../planner/config/load.js';
import { writeDir } from '../../support/files.js';
import { errors } from './support.js';

// Files to write, symbolic links to make (link -> target), and the expression of output x.
interface Case {
  name: string;
  files: Record<string, string>;
  links?: Record<string, string>;
  expr: string;
  value?: unknown;
  errors?: string[];
}

const at = 'main.xf.hcl:2:16: ';
const cases: Case[] = [
  {
    name: 'file() of a missing file says it must be part of the configuration',
    files: {},
    expr: 'file("nope.txt")',
    errors: [`${at}Invalid function argument: Invalid value for "path" parameter: no file exists at "nope.txt"; this function works only with files that are distributed as part of the configuration source code.`],
  },
  { name: 'file() reads through a symbolic link', files: { 'real.txt': 'target\n' }, links: { 'link.txt': 'real.txt' }, expr: 'file("link.txt")', value: 'target\n' },
  {
    name: 'file() of a dangling symbolic link is a missing file',
    files: {},
    links: { 'link.txt': 'gone.txt' },
    expr: 'file("link.txt")',
    errors: [`${at}Invalid function argument: Invalid value for "path" parameter: no file exists at "link.txt"; this function works only with files that are distributed as part of the configuration source code.`],
  },
  { name: 'file() reads a path that leaves the configuration directory and comes back', files: { 'sub/a.txt': 'a' }, expr: 'file("sub/../sub/a.txt")', value: 'a' },
  { name: 'fileexists() follows a symbolic link to a file', files: { 'real.txt': '' }, links: { 'link.txt': 'real.txt' }, expr: 'fileexists("link.txt")', value: true },
  { name: 'fileexists() of a dangling symbolic link is false', files: {}, links: { 'link.txt': 'gone.txt' }, expr: 'fileexists("link.txt")', value: false },
  {
    name: 'fileexists() of a directory is an error',
    files: { 'dir/a': '' },
    expr: 'fileexists("dir")',
    errors: ['main.xf.hcl:2:22: Invalid function argument: Invalid value for "path" parameter: "dir" is not a regular file.'],
  },
  { name: 'templatefile() reads through a symbolic link', files: { 'real.tpl': '${x}!' }, links: { 'a.tpl': 'real.tpl' }, expr: 'templatefile("a.tpl", { x = 1 })', value: '1!' },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const dir = writeDir({ ...c.files, 'main.xf.hcl': `output "x" {\n  value = ${c.expr}\n}\n` });
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
    for (const [link, target] of Object.entries(c.links ?? {})) fs.symlinkSync(target, path.join(dir, link));
    const r = loadConfig({ dir, env: {}, source: configSource });
    t.same(errors(r), c.errors ?? []);
    if (!c.errors) t.same(r.config?.outputs[0].value, c.value);
  });
}

t.test('file() of bytes that are not UTF-8 says so', async (t) => {
  const dir = writeDir({ 'main.xf.hcl': 'output "x" {\n  value = file("bin.dat")\n}\n' });
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'bin.dat'), Buffer.from([0x61, 0xff]));
  const r = loadConfig({ dir, env: {}, source: configSource });
  t.same(errors(r), [`${at}Invalid function argument: Invalid value for "path" parameter: contents of "bin.dat" are not valid UTF-8.`]);
});

t.test('a configuration file with bytes that are not UTF-8 is still read, with the bytes replaced', async (t) => {
  const dir = writeDir({});
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'main.xf.hcl'), Buffer.concat([Buffer.from('output "x" {\n  value = "a'), Buffer.from([0xff]), Buffer.from('"\n}\n')]));
  const r = loadConfig({ dir, env: {}, source: configSource });
  t.same(r.config?.outputs[0].value, 'a\ufffd');
});

t.test('a configuration file that is a symbolic link is read', async (t) => {
  const dir = writeDir({ 'elsewhere/real.hcl': 'output "x" {\n  value = 1\n}\n' });
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.symlinkSync('elsewhere/real.hcl', path.join(dir, 'main.xf.hcl'));
  const r = loadConfig({ dir, env: {}, source: configSource });
  t.same(errors(r), []);
  t.same(r.config?.outputs[0].value, 1);
});

t.test('a missing configuration directory is named', async (t) => {
  const dir = path.join(writeDir({}), 'nope');
  const r = loadConfig({ dir, env: {}, source: configSource });
  t.same(errors(r), [`Cannot read the configuration directory: ${dir}: no such directory.`]);
});

t.test('a directory without configuration files says how to find one', async (t) => {
  const dir = writeDir({ 'notes.txt': '' });
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const r = loadConfig({ dir, env: {}, source: configSource });
  t.same(errors(r), [`No configuration files: The directory ${dir} contains no *.xf.hcl files. Change to a directory that holds a xenform configuration, or use --chdir.`]);
});

t.test('a configuration file that cannot be read is named, and the others are still parsed', async (t) => {
  const dir = writeDir({ 'b.xf.hcl': 'output "y" {\n  value = \n}\n' });
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, 'a.xf.hcl'));
  const r = loadConfig({ dir, env: {}, source: configSource });
  t.match(errors(r), [/^Cannot read a configuration file: a\.xf\.hcl: EISDIR/, /^b\.xf\.hcl:2:11: /]);
});

t.test('a missing variables file is named', async (t) => {
  const dir = writeDir({ 'main.xf.hcl': 'variable "a" {\n  default = 1\n}\n' });
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const r = loadConfig({ dir, env: {}, varFiles: ['nope.xfvars.hcl'], source: configSource });
  t.same(errors(r), ['Failed to read variables file: Given variables file nope.xfvars.hcl does not exist.']);
});

t.test('variables files are read relative to the configuration directory, auto files first', async (t) => {
  const dir = writeDir({
    'main.xf.hcl': 'variable "a" {}\nvariable "b" {}\noutput "x" {\n  value = "${var.a}-${var.b}"\n}\n',
    'z.auto.xfvars.hcl': 'a = "auto"\nb = "auto"\n',
    'sub/given.xfvars.hcl': 'b = "given"\n',
  });
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const r = loadConfig({ dir, env: {}, varFiles: ['sub/given.xfvars.hcl'], source: configSource });
  t.same(errors(r), []);
  t.same(r.config?.outputs[0].value, 'auto-given');
});

t.test('a configuration is read only through the source it is handed, never from the disk', async (t) => {
  const dir = '/xenform-in-memory/config';
  const texts: Record<string, string> = {
    [`${dir}/main.xf.hcl`]: 'variable "v" {}\noutput "x" {\n  value = "${var.v} ${file("motd.txt")} ${templatefile("t.tpl", { n = 1 })} ${fileexists("sub")} ${pathexpand("~/k")}"\n}\n',
    [`${dir}/a.auto.xfvars.hcl`]: 'v = "var"\n',
    [`${dir}/motd.txt`]: 'motd',
    [`${dir}/t.tpl`]: 'n=${n}',
  };
  const seen: string[] = [];
  const source = {
    readFile: (p: string) => (seen.push(p), p in texts ? { bytes: new TextEncoder().encode(texts[p]) } : { failure: 'missing' as const, message: 'no' }),
    readDir: (p: string) => (seen.push(p), p === dir ? { names: Object.keys(texts).map((f) => path.basename(f)) } : { failure: 'missing' as const, message: 'no' }),
    kind: (p: string) => (seen.push(p), p === `${dir}/sub` ? ('other' as const) : ('missing' as const)),
    homeDir: () => '/home/someone',
  };
  const r = loadConfig({ dir, env: {}, source });
  t.same(errors(r), ['main.xf.hcl:3:90: Invalid function argument: Invalid value for "path" parameter: "sub" is not a regular file.']);
  const ok = loadConfig({ dir, env: {}, source: { ...source, kind: () => 'file' } });
  t.same(errors(ok), []);
  t.same(ok.config?.outputs[0].value, 'var motd n=1 true /home/someone/k');
  t.ok(seen.includes(`${dir}/motd.txt`) && seen.includes(`${dir}/t.tpl`) && seen.includes(`${dir}/a.auto.xfvars.hcl`));
});
