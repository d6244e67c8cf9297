// Bad input never makes loadConfig throw: corrupted copies of the full fixture give
// diagnostics that point into real files, or a configuration.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES } from '../../support/paths.js';
import t from 'tap';
import { loadConfig } from '../../../planner/config/load.js';
import { configSource } from '../../../engine/config-source.js';

const full = path.join(FIXTURES, 'config', 'full');
const original = fs.readFileSync(path.join(full, 'main.xf.hcl'), 'utf8');
const pieces = ['var.', 'local.', 'vm.', 'host.', '[*]', '.*', '{', '}', '[', ']', '(', ')', '"', '${', '%{', '~', '?', ':', '=>', '...', 'null',
  'count.index', 'each.key', 'for x in', 'toString(', '__proto__', '\n', ',', '/', '!', 'merge(', 'vm.web[5]', 'try(', 'regex("(", "")', 'range(1e9)'];

t.test('three hundred corrupted configurations give diagnostics, never an exception', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xenform-robust-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const f of fs.readdirSync(full)) fs.copyFileSync(path.join(full, f), path.join(dir, f));
  let seed = 7;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  let thrown = 0;
  let badRanges = 0;
  let withErrors = 0;
  for (let i = 0; i < 300; i++) {
    let s = original;
    for (let k = 0; k < 1 + rnd(3); k++) {
      const at = rnd(s.length);
      s = rnd(2) === 0 ? s.slice(0, at) + pieces[rnd(pieces.length)] + s.slice(at) : s.slice(0, at) + s.slice(at + 1 + rnd(8));
    }
    fs.writeFileSync(path.join(dir, 'main.xf.hcl'), s);
    try {
      const r = loadConfig({ dir, env: {}, source: configSource });
      if (r.config === null) withErrors++;
      for (const d of r.diagnostics) {
        const sub = d.subject;
        if (sub && (!(sub.filename in r.files) || sub.start.line < 1 || sub.start.column < 1 || sub.end.byte < sub.start.byte)) badRanges++;
      }
    } catch {
      thrown++;
    }
  }
  t.equal(thrown, 0, 'no exceptions');
  t.equal(badRanges, 0, 'every diagnostic points into a file that was read');
  t.ok(withErrors > 100, `most corruptions are caught (${withErrors} of 300)`);
});
