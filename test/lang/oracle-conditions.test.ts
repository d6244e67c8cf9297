// The held-out oracle for the condition blocks (issue 20): files with `check`, `precondition`,
// `postcondition` and `validation` blocks, generated and then broken, are accepted by
// `xenform fmt` exactly when HashiCorp's parser (hcl2-parser) accepts them, with the same
// structure, and what fmt writes reads back.
import t from 'tap';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { format } from '../../lang/format.js';
import { parse } from '../../lang/syntax/parser.js';
import { toOracleShape } from './oracle-shape.js';
import { breakFile, Gen } from './corpus.js';

const require = createRequire(import.meta.url);
const oracle = require('hcl2-parser') as { parseToObject(src: string): [unknown, unknown] };

const SEED = Number(process.env.HCL_ORACLE_SEED ?? 20261206);
const FILES = 300;

function theirs(src: string): unknown {
  try {
    const [obj, err] = oracle.parseToObject(src);
    return err ? null : JSON.parse(JSON.stringify(obj));
  } catch {
    return null; // hcl2json panics on a few shapes it cannot convert
  }
}

// What fmt accepts, as the structure of the file it accepted; null when it refuses the file.
// (The structure shows expressions as their source text, which fmt re-spaces: it is taken from
// the input, and what fmt writes must read back without errors.)
function fmtShape(src: string): unknown {
  const r = format(src, 'gen.xf.hcl');
  if (r.diagnostics.some((d) => d.severity === 'error')) return null;
  if (parse(r.text, 'formatted.xf.hcl').diagnostics.some((d) => d.severity === 'error')) return 'fmt wrote a file it cannot read';
  try {
    return JSON.parse(JSON.stringify(toOracleShape(parse(src, 'gen.xf.hcl').file)));
  } catch {
    return null; // a shape hcl2json cannot convert either (oracle.test.ts treats it the same)
  }
}

// A configuration with the condition blocks, their conditions and messages drawn from the corpus.
function conditionFile(g: Gen): string {
  const rule = (type: string, indent: string) =>
    `${indent}${type} {\n${indent}  condition     = ${g.expr(2, true)}\n${indent}  error_message = ${g.chance(0.5) ? `"${g.name()} \${${g.traversal(1)}}"` : g.expr(1, true)}\n${indent}}\n`;
  const parts: string[] = [];
  const n = 1 + g.int(3);
  for (let i = 0; i < n; i++) {
    switch (g.int(3)) {
      case 0:
        parts.push(`variable "${g.name()}" {\n  default = ${g.expr(1, true)}\n${rule('validation', '  ')}}\n`);
        break;
      case 1:
        parts.push(`vm "${g.name()}" {\n  name = ${g.expr(1, true)}\n  lifecycle {\n${rule('precondition', '    ')}${g.chance(0.6) ? rule('postcondition', '    ') : ''}  }\n}\n`);
        break;
      default:
        parts.push(`check "${g.name()}" {\n${rule('assert', '  ')}${g.chance(0.4) ? rule('assert', '  ') : ''}}\n`);
    }
  }
  return parts.join('\n');
}

t.test(`${FILES} files with condition blocks, and each broken: fmt accepts exactly what hcl2-parser accepts (seed ${SEED})`, async (t) => {
  const g = new Gen(SEED);
  let accepted = 0;
  let refused = 0;
  for (let k = 0; k < FILES; k++) {
    const whole = conditionFile(g);
    for (const [what, src] of [['file', whole], ['broken file', breakFile(g, whole)]] as const) {
      const want = theirs(src);
      const got = fmtShape(src);
      if (want === null) refused++;
      else accepted++;
      if (want === null ? got === null : isDeepStrictEqual(got, want)) t.pass(`${what} ${k}`);
      else t.same(got, want, `${what} ${k} (seed ${SEED}): fmt and hcl2-parser differ:\n${src}`);
    }
  }
  t.ok(accepted > FILES / 2 && refused > FILES / 4, `both sides are exercised (${accepted} accepted, ${refused} refused)`);
});
