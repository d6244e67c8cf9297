// Mutation fuzzing: thousands of corrupted configuration files never make the parser
// throw, and every diagnostic it returns points inside the file.
import t from 'tap';
import { parse } from '../../lang/syntax/parser.js';
import { format } from '../../lang/format.js';
import type { Diagnostic } from '../../lang/diagnostics.js';
import type { Pos } from '../../lang/syntax/ast.js';
import { Gen } from './corpus.js';

const SEED = Number(process.env.HCL_FUZZ_SEED ?? 7);
const FILES = 4000;

const INSERTS = ['{', '}', '[', ']', '(', ')', '"', '${', '%{', '~}', '<<', '<<EOT\n', '<<-X\n', '\0', '\uD800', '\uDC00', '\uFFFD', '\\', '\\u', '#', '//', '/*', '*/', '\n', '\r', '\t', '=', '...', '.*', '[*]', '?', ':', '=>', 'for', 'if', '%{endif}', '%{else}', '😀', '1e', '0.1.2'];

function mutate(g: Gen, src: string): string {
  let out = src;
  const n = 1 + g.int(4);
  for (let k = 0; k < n; k++) {
    const at = g.int(out.length + 1);
    switch (g.int(5)) {
      case 0: // flip a character
        out = out.slice(0, at) + String.fromCharCode(out.charCodeAt(at) ^ (1 << g.int(7)) || 65) + out.slice(at + 1);
        break;
      case 1: // truncate
        out = out.slice(0, at);
        break;
      case 2: // delete a span
        out = out.slice(0, at) + out.slice(at + 1 + g.int(8));
        break;
      default: // insert something the grammar cares about
        out = out.slice(0, at) + g.pick(INSERTS) + out.slice(at);
    }
  }
  return out;
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function badPos(p: Pos, bytes: number): string | undefined {
  if (!(Number.isInteger(p.line) && p.line >= 1)) return `line ${p.line}`;
  if (!(Number.isInteger(p.column) && p.column >= 1)) return `column ${p.column}`;
  if (!(Number.isInteger(p.byte) && p.byte >= 0 && p.byte <= bytes)) return `byte ${p.byte} of ${bytes}`;
  return undefined;
}

// What is wrong with a diagnostic's ranges, or undefined.
function badDiagnostic(d: Diagnostic, filename: string, bytes: number): string | undefined {
  if (!d.summary || !d.detail) return 'no summary or detail';
  if (!d.subject) return 'no subject range';
  for (const r of [d.subject, d.context]) {
    if (!r) continue;
    if (r.filename !== filename) return `filename ${r.filename}`;
    const bad = badPos(r.start, bytes) ?? badPos(r.end, bytes);
    if (bad) return bad;
    if (r.start.byte > r.end.byte) return `start ${r.start.byte} after end ${r.end.byte}`;
    if (r.start.line > r.end.line || (r.start.line === r.end.line && r.start.column > r.end.column)) return 'start after end';
  }
  return undefined;
}

t.test(`${FILES} corrupted files never throw, give only diagnostics inside the file, and format stably when they still parse (seed ${SEED})`, async (t) => {
  const g = new Gen(SEED);
  let withErrors = 0;
  const failures: string[] = [];
  for (let k = 0; k < FILES && failures.length < 5; k++) {
    const src = mutate(g, g.file());
    const filename = `fuzz-${k}.hcl`;
    let diags: Diagnostic[];
    try {
      diags = parse(src, filename).diagnostics;
    } catch (err) {
      failures.push(`file ${k} (seed ${SEED}) threw ${String(err)}: ${JSON.stringify(src)}`);
      continue;
    }
    if (diags.length > 0) withErrors++;
    else {
      // A corrupted file that still parses is formatted, and formatting it again changes nothing.
      const once = format(src, filename).text;
      if (format(once, filename).text !== once) failures.push(`file ${k} (seed ${SEED}) formats differently twice: ${JSON.stringify(src)}`);
    }
    const bytes = utf8Length(src);
    for (const d of diags) {
      const bad = badDiagnostic(d, filename, bytes);
      if (bad) {
        failures.push(`file ${k} (seed ${SEED}): "${d.summary}" has ${bad}: ${JSON.stringify(src)}`);
        break;
      }
    }
  }
  t.same(failures, [], 'no exception and no diagnostic outside its file');
  t.ok(withErrors > FILES / 2, `most corrupted files get diagnostics (${withErrors})`);
});

const edgeCases: { name: string; src: string }[] = [
  { name: 'an empty file', src: '' },
  { name: 'a lone byte order mark', src: '\uFEFF' },
  { name: 'only an opening interpolation', src: '${' },
  { name: 'a string that never ends', src: 'a = "' },
  { name: 'a heredoc introducer at the end of the file', src: 'a = <<EOT\n' },
  { name: 'deeply nested brackets', src: 'a = ' + '['.repeat(20000) },
  { name: 'deeply nested templates', src: 'a = ' + '"${'.repeat(5000) },
  { name: 'deeply nested parentheses that close', src: 'a = ' + '('.repeat(5000) + '1' + ')'.repeat(5000) },
  { name: 'ten thousand unary operators', src: 'a = ' + '-!'.repeat(5000) + '1' },
  { name: 'deeply nested blocks', src: 'a {\n'.repeat(5000) + '}\n'.repeat(5000) },
  { name: 'deeply nested template directives', src: 'a = "' + '%{if x}'.repeat(5000) + '%{endif}'.repeat(5000) + '"' },
  { name: 'deeply nested objects', src: 'a = ' + '{b = '.repeat(5000) },
  { name: 'a lone surrogate as a name', src: '\uDC00 = 1' },
  { name: 'a closing template marker outside a template', src: 'a = 1 ~}\n}\n]' },
  { name: 'NUL bytes everywhere', src: '\0a\0=\0"\0"\0' },
];

for (const c of edgeCases) {
  t.test(`${c.name} gives diagnostics, not an exception`, async (t) => {
    const { diagnostics } = parse(c.src, 'edge.hcl');
    for (const d of diagnostics) t.equal(badDiagnostic(d, 'edge.hcl', utf8Length(c.src)), undefined, d.summary);
    if (c.src.trim() !== '' && c.src !== '\uFEFF') t.ok(diagnostics.length > 0, 'the error is reported');
  });
}
