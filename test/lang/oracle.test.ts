// Equivalence with HashiCorp's parser (hcl2-parser, through hcl2json): every valid file of
// examples/, the fixtures and a generated corpus converts to exactly what hcl2-parser
// returns, and every input hcl2-parser rejects is rejected by us as well.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { parse } from '../../lang/syntax/parser.js';
import { format } from '../../lang/format.js';
import { toOracleShape } from './oracle-shape.js';
import { breakFile, Gen } from './corpus.js';

const require = createRequire(import.meta.url);
const oracle = require('hcl2-parser') as { parseToObject(src: string): [unknown, unknown] };

const root = path.resolve(import.meta.dirname, '../..');
const SEED = Number(process.env.HCL_ORACLE_SEED ?? 20261125);
const VALID = 600;
const INVALID = 400;

type Outcome = { rejected: true } | { rejected: false; shape: unknown };

function theirs(src: string): Outcome {
  try {
    const [obj, err] = oracle.parseToObject(src);
    if (err) return { rejected: true };
    return { rejected: false, shape: JSON.parse(JSON.stringify(obj)) };
  } catch {
    return { rejected: true }; // hcl2json panics on a few shapes it cannot convert
  }
}

function ours(src: string, filename: string): Outcome & { why?: string } {
  const { file, diagnostics } = parse(src, filename);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) return { rejected: true, why: errors.map((d) => `${d.summary} at ${d.subject?.start.line}:${d.subject?.start.column}`).join('; ') };
  try {
    return { rejected: false, shape: JSON.parse(JSON.stringify(toOracleShape(file))) };
  } catch (err) {
    return { rejected: true, why: String(err) };
  }
}

function hclFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.hcl'))
    .map((f) => path.join(dir, f))
    .sort();
}

t.test('every valid file of examples/ and the fixtures gives what hcl2-parser gives', async (t) => {
  const files = [...hclFiles(path.join(root, 'examples')), ...hclFiles(path.join(root, 'test/fixtures/hcl'))];
  t.ok(files.length >= 3, 'the fixtures are found');
  for (const f of files) {
    const src = fs.readFileSync(f, 'utf8');
    const want = theirs(src);
    const got = ours(src, f);
    t.same({ rejected: got.rejected, shape: 'shape' in got ? got.shape : undefined }, { rejected: want.rejected, shape: 'shape' in want ? want.shape : undefined }, path.relative(root, f));
  }
});

t.test(`a generated corpus of ${VALID} files gives exactly what hcl2-parser gives (seed ${SEED})`, async (t) => {
  const g = new Gen(SEED);
  let accepted = 0;
  let bytes = 0;
  for (let k = 0; k < VALID; k++) {
    const src = g.file();
    bytes += src.length;
    const want = theirs(src);
    const got = ours(src, `gen-${k}.hcl`);
    if (!want.rejected) accepted++;
    const same = got.rejected === want.rejected && (want.rejected || isDeepStrictEqual((got as { shape: unknown }).shape, (want as { shape: unknown }).shape));
    if (!same) {
      t.same(got, want, `generated file ${k} (seed ${SEED}) differs:\n${src}\nours: ${got.why ?? ''}`);
    } else {
      t.pass(`generated file ${k}`);
    }
  }
  t.ok(accepted > VALID * 0.6, `most generated files are valid HCL (${accepted} of ${VALID}, ${bytes} characters)`);
});

t.test(`every one of ${INVALID} broken files that hcl2-parser rejects is rejected by us too (seed ${SEED})`, async (t) => {
  const g = new Gen(SEED + 1);
  let rejected = 0;
  for (let k = 0; k < INVALID; k++) {
    const src = breakFile(g, g.file());
    const want = theirs(src);
    const got = ours(src, `broken-${k}.hcl`);
    if (want.rejected) {
      rejected++;
      t.ok(got.rejected, `broken file ${k} is rejected`, { src });
    } else {
      t.same(got, want, `broken file ${k} that hcl2-parser accepts gives the same structure:\n${src}`);
    }
  }
  t.ok(rejected > INVALID / 2, `most broken files are invalid (${rejected} of ${INVALID})`);
});

// Issue 20: files with module calls, dynamic, moved, import and removed blocks, whole and broken, are accepted by
// `xenform fmt` exactly when hcl2-parser accepts them.
t.test('hcl2-parser accepts exactly what xenform fmt accepts for files with module, dynamic, moved, import and removed blocks', async (t) => {
  const files = ['modules-and-dynamic.xf.hcl', 'modules/web.xf.hcl', 'refactor-blocks.xf.hcl'].map((f) => fs.readFileSync(path.join(root, 'test/fixtures/hcl', f), 'utf8'));
  const g = new Gen(SEED + 2);
  const inputs = [...files, ...Array.from({ length: 200 }, (_, k) => breakFile(g, files[k % files.length]))];
  let rejected = 0;
  inputs.forEach((src, k) => {
    const fmtRejects = format(src, `modules-${k}.hcl`).diagnostics.some((d) => d.severity === 'error');
    const want = theirs(src).rejected;
    if (want) rejected++;
    t.equal(fmtRejects, want, `input ${k} is ${want ? 'rejected' : 'accepted'} by both:\n${src}`);
  });
  t.ok(rejected > 50, `most broken files are invalid (${rejected} of ${inputs.length})`);
});
