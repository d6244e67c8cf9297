// Through the built command line: what the host cannot carry or give back, and what would
// exhaust the evaluator, is refused by `xenform validate` with the place in the file; with
// --json the answer is always JSON.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { xenform } from './cli.js';

const HOST = 'host "lab" {\n  simulator = true\n  toolstack = "xapi"\n}\n';
const vm = (body: string) => `${HOST}vm "web" {\n  host     = host.lab\n  template = "Debian Bookworm 12"\n  memory   = "1GiB"\n${body}\n}\n`;
const output = (expr: string) => `output "x" {\n  value = ${expr}\n}\n`;

interface Case {
  name: string;
  main: string;
  args?: string[]; // after `validate`
  want: RegExp; // in what the user reads
}

const cases: Case[] = [
  {
    name: 'a heredoc description is refused at its line and column, with chomp() suggested',
    main: vm('  description = <<EOT\nWeb server\nEOT'),
    want: /Unsendable character in "description"\n\n  on main\.xf\.hcl line 9, column 17[\s\S]*a newline at the end of the value[\s\S]*chomp\(\)/,
  },
  {
    name: 'a carriage return inside a name is refused with its place in the value',
    main: vm('  name = "web\\rx"'),
    want: /on main\.xf\.hcl line 9, column 10[\s\S]*"name" contains a carriage return at character 4 \(after "web"\)/,
  },
  {
    name: 'a line separator in a tag is refused at the tag',
    main: vm('  tags = ["a\\u2028b"]'),
    want: /on main\.xf\.hcl line 9, column 11[\s\S]*U\+2028 \(line separator\)/,
  },
  {
    name: 'a NUL byte in an other_config value is refused',
    main: vm('  other_config = { k = "a\\u0000" }'),
    want: /on main\.xf\.hcl line 9, column 24[\s\S]*a NUL byte/,
  },
  {
    name: 'a tag holding ", " is refused',
    main: vm('  tags = ["a, b"]'),
    want: /Tag cannot be read back\n\n  on main\.xf\.hcl line 9, column 11/,
  },
  {
    name: 'an other_config value holding "; " is refused',
    main: vm('  other_config = { k = "a; b" }'),
    want: /other_config value cannot be read back\n\n  on main\.xf\.hcl line 9, column 24/,
  },
  {
    name: 'an other_config key holding "=" is refused',
    main: vm('  other_config = { "a=b" = "x" }'),
    want: /other_config key cannot be read back\n\n  on main\.xf\.hcl line 9, column 20/,
  },
  {
    name: 'the other_config key mac_seed, which xapi owns, is refused',
    main: vm('  other_config = { mac_seed = "x" }'),
    want: /Key owned by xapi\n\n  on main\.xf\.hcl line 9, column 20/,
  },
  {
    name: 'a description over the argv limit is refused',
    main: vm('  description = format("%200000s", "")'),
    want: /Value of "description" too long\n\n  on main\.xf\.hcl line 9, column 17/,
  },
  {
    name: 'a backtracking regular expression answers at once',
    main: output(`regex("(a+)+$", "${'a'.repeat(50_000)}!")`),
    want: /Call to function "regex" failed: pattern did not match/,
  },
  {
    name: 'a chain of locals nesting a value 5,000 deep is refused, as JSON under --json',
    main: `locals {\n  l0 = 1\n${Array.from({ length: 5000 }, (_, i) => `  l${i + 1} = [local.l${i}]`).join('\n')}\n}\n${output('jsonencode(local.l5000)')}`,
    args: ['--json'],
    want: /"summary": "Value nested too deeply"[\s\S]*"line": 502/,
  },
  {
    name: 'a %{for} template past 16 MiB is refused',
    main: output(`length("%{for i in range(1000)}%{for j in range(1000)}${'x'.repeat(40)}%{endfor}%{endfor}")`),
    want: /String too long/,
  },
  {
    name: 'an unknown option under --json is answered in JSON',
    main: HOST,
    args: ['--json', '--bogus'],
    want: /^\{\n  "format_version": "1\.0",\n  "valid": false,[\s\S]*"summary": "Invalid command-line argument",\n\s+"detail": "unknown option '--bogus'"/,
  },
  {
    name: 'a malformed --var under --json is answered in JSON',
    main: HOST,
    args: ['--var', 'x', '--json'],
    want: /^\{[\s\S]*"detail": "--var: \\"x\\" must be a variable name and value/,
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'xenform-validate-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(path.join(dir, 'main.xf.hcl'), c.main);
    const r = xenform(dir, ['validate', ...(c.args ?? [])]);
    t.equal(r.code, 1, 'validate fails');
    const shown = c.args?.includes('--json') ? r.stdout : r.stderr;
    t.match(shown, c.want);
    if (c.args?.includes('--json')) t.doesNotThrow(() => JSON.parse(r.stdout), 'stdout is one JSON document');
    t.notMatch(r.stderr, /^\s+at /m, 'no stack trace');
  });
}
