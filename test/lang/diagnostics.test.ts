import t from 'tap';
import type { Diagnostic } from '../../lang/diagnostics.js';
import type { Range } from '../../lang/syntax/ast.js';
import { diagnosticsToJson, renderDiagnostics } from '../../cli/views/diagnostics.js';

const src = 'vm "web" {\n  memroy = "2GiB"\n\tvcpus = "two"\n  name = "é-${x}"\n}\n';
const files = { 'main.xf.hcl': src };

function range(sl: number, sc: number, sb: number, el: number, ec: number, eb: number): Range {
  return { filename: 'main.xf.hcl', start: { line: sl, column: sc, byte: sb }, end: { line: el, column: ec, byte: eb } };
}

const cases: { name: string; diag: Diagnostic; want: string }[] = [
  {
    name: 'an error shows the place, the source line with the subject underlined, then the detail',
    diag: { severity: 'error', summary: 'Unsupported argument', detail: 'Did you mean "memory"?', subject: range(2, 3, 14, 2, 9, 20) },
    want:
      '\nError: Unsupported argument\n\n' +
      '  on main.xf.hcl line 2, column 3 (main.xf.hcl:2:3):\n' +
      '    2:   memroy = "2GiB"\n' +
      '         ^^^^^^\n' +
      '\nDid you mean "memory"?\n',
  },
  {
    name: 'a tab before the subject is kept so the carets line up',
    diag: { severity: 'warning', summary: 'Wrong type', subject: range(3, 10, 38, 3, 15, 43) },
    want:
      '\nWarning: Wrong type\n\n' +
      '  on main.xf.hcl line 3, column 10 (main.xf.hcl:3:10):\n' +
      '    3: \tvcpus = "two"\n' +
      '       \t        ^^^^^\n',
  },
  {
    name: 'columns count characters, not bytes',
    diag: { severity: 'error', summary: 'Unknown variable', subject: range(4, 15, 60, 4, 16, 61) },
    want:
      '\nError: Unknown variable\n\n' +
      '  on main.xf.hcl line 4, column 15 (main.xf.hcl:4:15):\n' +
      '    4:   name = "é-${x}"\n' +
      '                     ^\n',
  },
  {
    name: 'an empty range still gets one caret',
    diag: { severity: 'error', summary: 'Missing brace', subject: range(5, 2, 65, 5, 2, 65) },
    want: '\nError: Missing brace\n\n  on main.xf.hcl line 5, column 2 (main.xf.hcl:5:2):\n    5: }\n        ^\n',
  },
  {
    name: 'a range over several lines underlines each line it covers',
    diag: { severity: 'error', summary: 'Bad block', subject: range(1, 10, 9, 2, 9, 20) },
    want:
      '\nError: Bad block\n\n' +
      '  on main.xf.hcl line 1, column 10 (main.xf.hcl:1:10):\n' +
      '    1: vm "web" {\n' +
      '                ^\n' +
      '    2:   memroy = "2GiB"\n' +
      '       ^^^^^^^^\n',
  },
  {
    name: 'a diagnostic without a range prints the summary and detail only',
    diag: { severity: 'error', summary: 'No configuration files', detail: 'Create a *.xf.hcl file.' },
    want: '\nError: No configuration files\n\nCreate a *.xf.hcl file.\n',
  },
  {
    name: 'a file that is not available prints the place without a snippet',
    diag: { severity: 'error', summary: 'Bad', subject: { ...range(1, 1, 0, 1, 2, 1), filename: 'other.hcl' } },
    want: '\nError: Bad\n\n  on other.hcl line 1, column 1 (other.hcl:1:1):\n',
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    t.equal(renderDiagnostics([c.diag], files, { color: false }), c.want);
  });
}

t.test('colour marks the severity, the summary and the carets, and nothing else changes', async (t) => {
  const diag = cases[0].diag;
  const coloured = renderDiagnostics([diag], files, { color: true });
  t.match(coloured, '\x1b[1;31mError\x1b[0m: \x1b[1mUnsupported argument\x1b[0m');
  t.match(coloured, '\x1b[1;31m^^^^^^\x1b[0m');
  t.equal(coloured.replace(/\x1b\[[0-9;]*m/g, ''), cases[0].want);
});

t.test('JSON diagnostics carry severity, summary, detail and the range of DESIGN.md', async (t) => {
  t.same(diagnosticsToJson([cases[0].diag, cases[5].diag]), [
    {
      severity: 'error',
      summary: 'Unsupported argument',
      detail: 'Did you mean "memory"?',
      range: { filename: 'main.xf.hcl', start: { line: 2, column: 3, byte: 14 }, end: { line: 2, column: 9, byte: 20 } },
    },
    { severity: 'error', summary: 'No configuration files', detail: 'Create a *.xf.hcl file.' },
  ]);
});
