// The layering rules of DESIGN.md ("Layout"), checked on the import graph of the source
// tree: every import, export-from and import() of every .ts/.tsx file under the layers.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import ts from 'typescript';

const root = path.resolve(import.meta.dirname, '..');
const LAYERS = ['cli', 'lang', 'planner', 'engine', 'providers'];
// Modules that do I/O: none of them below the engine.
const IO_MODULES = new Set(['fs', 'fs/promises', 'os', 'child_process', 'net', 'ssh2']);

interface Violation {
  file: string; // relative to the repository, with the line of the import
  imports: string; // the specifier as written
  rule: string;
}

const isIo = (spec: string) => {
  const bare = spec.startsWith('node:') ? spec.slice(5) : spec;
  return IO_MODULES.has(bare) || bare.startsWith('ssh2/');
};

// The repository file a relative specifier names: `./x.js` is the source file x.ts or x.tsx.
function resolveRelative(from: string, spec: string, exists: (f: string) => boolean): string | null {
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  const stem = target.replace(/\.(js|jsx|ts|tsx)$/, '');
  for (const f of [target, `${stem}.ts`, `${stem}.tsx`, `${stem}/index.ts`]) if (exists(f)) return f;
  return null;
}

// Why `layer` may not import `target` (a repository path or a package), or null if it may.
function forbidden(layer: string, target: { file: string } | { pkg: string }): string | null {
  if ('pkg' in target) {
    if ((layer === 'lang' || layer === 'planner') && isIo(target.pkg)) return `${layer} does no I/O: no node:fs, node:os, node:child_process, node:net or ssh2 under ${layer}/`;
    return null;
  }
  const to = target.file.split('/')[0];
  if (layer === 'lang' && to !== 'lang') return 'lang imports nothing of xenform outside lang/';
  if (layer === 'planner' && to !== 'planner' && to !== 'lang') return 'planner imports only planner/ and lang/';
  if (layer === 'providers' && (to === 'engine' || to === 'cli')) return 'providers never import engine or cli';
  if (layer === 'engine' && to === 'cli') return 'engine never imports cli';
  return null;
}

// Every forbidden edge among `files` (repository path -> source text).
function violations(files: Map<string, string>): Violation[] {
  const out: Violation[] = [];
  for (const [file, text] of files) {
    const layer = file.split('/')[0];
    if (!LAYERS.includes(layer)) continue;
    for (const imp of ts.preProcessFile(text, true, true).importedFiles) {
      const spec = imp.fileName;
      const line = text.slice(0, imp.pos).split('\n').length;
      const where = `${file}:${line}`;
      let rule: string | null;
      if (spec.startsWith('.')) {
        const target = resolveRelative(file, spec, (f) => files.has(f));
        rule = target === null ? 'a relative import names a file of the repository' : forbidden(layer, { file: target });
      } else rule = forbidden(layer, { pkg: spec });
      if (rule) out.push({ file: where, imports: spec, rule });
    }
  }
  return out;
}

function sourceTree(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const p = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else if (/\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts')) files.set(p, fs.readFileSync(path.join(root, p), 'utf8'));
    }
  };
  for (const layer of LAYERS) walk(layer);
  return files;
}

t.test('no source file imports across a layer boundary the design forbids', async (t) => {
  const tree = sourceTree();
  t.ok(tree.size > 100, `the source tree was read (${tree.size} files)`);
  const found = violations(tree);
  t.same(
    found.map((v) => `${v.file}: imports '${v.imports}': ${v.rule}`),
    [],
    'forbidden imports, every one of them',
  );
});

// The rules themselves, on small made-up trees: each forbidden edge is found, each
// allowed one is not.
const cases: { name: string; file: string; text: string; rule: string | null }[] = [
  { name: 'lang importing the planner is forbidden', file: 'lang/a.ts', text: "import { x } from '../planner/b.js';", rule: 'lang imports nothing of xenform outside lang/' },
  { name: 'lang importing lang is allowed', file: 'lang/eval/a.ts', text: "import type { X } from '../syntax/b.js';", rule: null },
  { name: 'lang importing node:path is allowed', file: 'lang/a.ts', text: "import path from 'node:path';", rule: null },
  { name: 'lang reading the disk is forbidden', file: 'lang/a.ts', text: "import fs from 'node:fs';", rule: 'lang does no I/O: no node:fs, node:os, node:child_process, node:net or ssh2 under lang/' },
  { name: 'the planner asking the OS for the home directory is forbidden', file: 'planner/config/a.ts', text: "import { homedir } from 'os';", rule: 'planner does no I/O: no node:fs, node:os, node:child_process, node:net or ssh2 under planner/' },
  { name: 'the planner using fs/promises is forbidden', file: 'planner/a.ts', text: "const fs = await import('node:fs/promises');", rule: 'planner does no I/O: no node:fs, node:os, node:child_process, node:net or ssh2 under planner/' },
  { name: 'the planner running a process is forbidden', file: 'planner/a.ts', text: "import { spawn } from 'child_process';", rule: 'planner does no I/O: no node:fs, node:os, node:child_process, node:net or ssh2 under planner/' },
  { name: 'the planner opening a socket is forbidden', file: 'planner/a.ts', text: "import net from 'node:net';", rule: 'planner does no I/O: no node:fs, node:os, node:child_process, node:net or ssh2 under planner/' },
  { name: 'the planner using ssh2 is forbidden', file: 'planner/a.ts', text: "import type { Client } from 'ssh2';", rule: 'planner does no I/O: no node:fs, node:os, node:child_process, node:net or ssh2 under planner/' },
  { name: 'the planner importing lang is allowed', file: 'planner/config/a.ts', text: "import { parse } from '../../lang/syntax/b.js';", rule: null },
  { name: 'the planner re-exporting the engine is forbidden', file: 'planner/a.ts', text: "export { y } from '../engine/b.js';", rule: 'planner imports only planner/ and lang/' },
  { name: 'the planner importing a provider lazily is forbidden', file: 'planner/a.ts', text: "const p = await import('../providers/b.js');", rule: 'planner imports only planner/ and lang/' },
  { name: 'a provider importing the engine is forbidden', file: 'providers/sim/a.ts', text: "import '../../engine/b.js';", rule: 'providers never import engine or cli' },
  { name: 'a provider importing the planner model is allowed', file: 'providers/a.ts', text: "import type { Vm } from '../planner/b.js';", rule: null },
  { name: 'a provider using ssh2 is allowed', file: 'providers/a.ts', text: "import { Client } from 'ssh2';", rule: null },
  { name: 'the engine importing the CLI is forbidden', file: 'engine/a.ts', text: "import { x } from '../cli/b.js';", rule: 'engine never imports cli' },
  { name: 'the CLI importing the engine is allowed', file: 'cli/a.ts', text: "import { x } from '../engine/b.js';", rule: null },
  { name: 'an import of a file that does not exist is reported', file: 'cli/a.ts', text: "import { x } from './nope.js';", rule: 'a relative import names a file of the repository' },
  { name: 'an import in a string is not an import', file: 'lang/a.ts', text: "const s = \"import fs from 'node:fs'\";", rule: null },
];

t.test('the rules', async (t) => {
  for (const c of cases) {
    const files = new Map([
      [c.file, c.text],
      ['planner/b.ts', ''],
      ['lang/syntax/b.ts', ''],
      ['engine/b.ts', ''],
      ['providers/b.ts', ''],
      ['cli/b.ts', ''],
    ]);
    const found = violations(files).filter((v) => v.file.startsWith(`${c.file}:`));
    t.same(found.map((v) => v.rule), c.rule ? [c.rule] : [], c.name);
  }
});

t.test('every forbidden edge of a tree is reported, with its file and line', async (t) => {
  const files = new Map([
    ['lang/a.ts', "import fs from 'node:fs';\nimport { b } from '../planner/b.js';\n"],
    ['engine/b.ts', "\n\nexport * from '../cli/b.js';\n"],
    ['planner/b.ts', ''],
    ['cli/b.ts', ''],
  ]);
  t.same(violations(files), [
    { file: 'lang/a.ts:1', imports: 'node:fs', rule: 'lang does no I/O: no node:fs, node:os, node:child_process, node:net or ssh2 under lang/' },
    { file: 'lang/a.ts:2', imports: '../planner/b.js', rule: 'lang imports nothing of xenform outside lang/' },
    { file: 'engine/b.ts:3', imports: '../cli/b.js', rule: 'engine never imports cli' },
  ]);
});
