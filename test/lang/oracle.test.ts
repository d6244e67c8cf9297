// Equivalence with HashiCorp's parser (hcl2-parser, through hcl2json): every valid file of
// examples/, the fixtures and a generated corpus converts to exactly what hcl2-parser
// returns, and every input hcl2-parser rejects is rejected by us as well.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { parse } from '../../lang/syntax/parser.js';
import { toOracleShape } from './oracle-shape.js';
import { breakFile, Gen } from './corpus.js';
import { format } from '../../lang/format.js';

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

t.test('files with moved, import and removed blocks: hcl2-parser accepts exactly what xenform fmt accepts', async (t) => {
  const src = fs.readFileSync(path.join(root, 'test/fixtures/hcl/refactor-blocks.xf.hcl'), 'utf8');
  const g = new Gen(SEED + 2);
  const variants = [src, ...Array.from({ length: 60 }, () => breakFile(g, src))];
  variants.forEach((v, k) => {
    const fmtAccepts = !format(v, `refactor-${k}.xf.hcl`).diagnostics.some((d) => d.severity === 'error');
    t.equal(fmtAccepts, !theirs(v).rejected, `variant ${k}: fmt and hcl2-parser agree`, { src: v });
    if (fmtAccepts) t.same(ours(v, `refactor-${k}.xf.hcl`), theirs(v), `variant ${k}: the same structure`);
  });
});
