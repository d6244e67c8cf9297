// Hostile configurations: deep nesting, long chains, huge texts and values, and functions
// asked for too much each give a diagnostic at the offending source, never an exception.
import fs from 'node:fs';
import t from 'tap';
import { loadConfig } from '../../planner/config/load.js';
import { configSource } from '../../engine/config-source.js';
import type { Diagnostic } from '../../lang/diagnostics.js';
import { writeDir } from '../support/files.js';

const N = 10_000;
const output = (expr: string) => `output "x" {\n  value = ${expr}\n}\n`;
const HOST = 'host "lab" {\n  simulator = true\n  toolstack = "xapi"\n}\n';
const vm = (args: string) => `${HOST}vm "web" {\n  host = host.lab\n  template = "debian-12"\n  ${args}\n}\n`;

interface Case {
  name: string;
  main: string;
  extra?: Record<string, string>; // more files beside main.xf.hcl
  summary: RegExp;
  at: string; // file:line:column of the diagnostic's subject
}

const BIG = 5 * 1024 * 1024;
const cases: Case[] = [
  { name: 'a conditional nested ten thousand deep in its true branch', main: output(`${'true ? '.repeat(N)}1${' : 0'.repeat(N)}`), summary: /nested too deeply/, at: 'main.xf.hcl:2:' },
  { name: 'a conditional chained ten thousand deep in its false branch', main: output(`${'false ? 0 : '.repeat(N)}1`), summary: /nested too deeply/, at: 'main.xf.hcl:2:' },
  { name: 'ten thousand nested parentheses', main: output(`${'('.repeat(N)}1${')'.repeat(N)}`), summary: /nested too deeply/, at: 'main.xf.hcl:2:' },
  { name: 'ten thousand nested tuples', main: output(`${'['.repeat(N)}1${']'.repeat(N)}`), summary: /nested too deeply/, at: 'main.xf.hcl:2:' },
  { name: 'ten thousand nested objects', main: output(`${'{a = '.repeat(N)}1${'}'.repeat(N)}`), summary: /nested too deeply/, at: 'main.xf.hcl:2:' },
  { name: 'ten thousand nested template interpolations', main: output(`${'"${'.repeat(N)}1${'}"'.repeat(N)}`), summary: /nested too deeply/, at: 'main.xf.hcl:2:' },
  { name: 'ten thousand nested template directives', main: output(`"${'%{if true}'.repeat(N)}x${'%{endif}'.repeat(N)}"`), summary: /nested too deeply/, at: 'main.xf.hcl:2:' },
  { name: 'ten thousand nested for expressions', main: output(`${'[for x in '.repeat(N)}[1]${' : x]'.repeat(N)}`), summary: /nested too deeply/, at: 'main.xf.hcl:2:' },
  { name: 'ten thousand nested function calls', main: output(`${'abs('.repeat(N)}1${')'.repeat(N)}`), summary: /nested too deeply/, at: 'main.xf.hcl:2:' },
  { name: 'ten thousand unary minus signs', main: output(`${'-'.repeat(N)}1`), summary: /nested too deeply/, at: 'main.xf.hcl:2:' },
  { name: 'ten thousand nested blocks', main: `${'a {\n'.repeat(N)}${'}\n'.repeat(N)}`, summary: /nested too deeply/, at: 'main.xf.hcl:' },
  { name: 'a sum of one hundred thousand terms', main: output(`1${' + 1'.repeat(100_000)}`), summary: /nested too deeply/, at: 'main.xf.hcl:2:' },
  { name: 'a chain of one hundred thousand && operators', main: output(`true${' && true'.repeat(100_000)}`), summary: /nested too deeply/, at: 'main.xf.hcl:2:' },
  { name: 'a heredoc of five hundred thousand lines evaluates, at most a few MiB', main: output(`length(<<EOT\n${'x\n'.repeat(500_000)}EOT\n)`), summary: /^$/, at: '' },
  { name: 'a heredoc of five hundred thousand interpolations', main: output(`length(<<EOT\n${'${1}\n'.repeat(500_000)}EOT\n)`), summary: /^$/, at: '' },
  { name: 'a format width of almost a billion', main: output('format("%999999999d", 1)'), summary: /Error in function call|Invalid function argument/, at: 'main.xf.hcl:2:11' },
  { name: 'an indent of almost a billion spaces', main: output('indent(999999999, "a\\nb")'), summary: /Invalid function argument/, at: 'main.xf.hcl:2:18' },
  { name: 'a string doubled by locals past the string size limit', main: `locals {\n${Array.from({ length: 30 }, (_, i) => `  s${i + 1} = "\${local.s${i}}\${local.s${i}}"`).join('\n')}\n  s0 = "xxxxxxxxxxxxxxxx"\n}\n${output('length(local.s30)')}`, summary: /too long|too large/, at: 'main.xf.hcl:' },
  { name: 'a join whose result is past the string size limit', main: output('join(format("%9000000s", ""), range(3))'), summary: /Error in function call/, at: 'main.xf.hcl:2:11' },
  { name: 'a setproduct of a billion elements', main: output('length(setproduct(range(1000), range(1000), range(1000)))'), summary: /Error in function call/, at: 'main.xf.hcl:2:18' },
  { name: 'a count of a hundred million instances', main: vm('count = 100000000'), summary: /Too many instances/, at: 'main.xf.hcl:8:11' },
  { name: 'a for_each of two hundred thousand keys', main: vm('for_each = toset(flatten([for i in range(200) : [for j in range(1000) : "${i}-${j}"]]))'), summary: /Too many instances/, at: 'main.xf.hcl:8:14' },
  { name: 'file() of a device that never ends', main: output('file("/dev/zero")'), summary: /Invalid function argument/, at: 'main.xf.hcl:2:16' },
  { name: 'file() of a regular file over the size limit', main: output('length(file("big.txt"))'), extra: { 'big.txt': 'x'.repeat(BIG) }, summary: /Invalid function argument/, at: 'main.xf.hcl:2:23' },
  { name: 'templatefile() of a regular file over the size limit', main: output('templatefile("big.txt", {})'), extra: { 'big.txt': 'x'.repeat(BIG) }, summary: /Invalid function argument/, at: 'main.xf.hcl:2:24' },
  { name: 'jsondecode() of ten thousand nested arrays', main: output(`jsondecode("${'['.repeat(N)}${']'.repeat(N)}")`), summary: /nested too deeply|Invalid function argument/, at: 'main.xf.hcl:2:' },
  { name: 'a backtracking regular expression over a long text', main: output(`regex("(a+)+$", "${'a'.repeat(100_000)}!")`), summary: /Error in function call/, at: 'main.xf.hcl:2:11' },
  { name: 'twenty thousand locals each wrapping the last in a list', main: `locals {\n  l0 = 1\n${Array.from({ length: 20_000 }, (_, i) => `  l${i + 1} = [local.l${i}]`).join('\n')}\n}\n${output('jsonencode(local.l20000)')}`, summary: /nested too deeply/, at: 'main.xf.hcl:502:10' },
  { name: 'twenty thousand locals each adding one to the last', main: `locals {\n  l0 = 1\n${Array.from({ length: 20_000 }, (_, i) => `  l${i + 1} = local.l${i} + 1`).join('\n')}\n}\n${output('local.l20000')}`, summary: /^$/, at: '' },
  { name: 'nested %{for} directives whose output passes the string size limit', main: output(`"%{for i in range(1000)}%{for j in range(1000)}${'x'.repeat(40)}%{endfor}%{endfor}"`), summary: /String too long/, at: 'main.xf.hcl:2:' },
];

const where = (d: Diagnostic) => (d.subject ? `${d.subject.filename}:${d.subject.start.line}:${d.subject.start.column}` : '');

for (const c of cases) {
  t.test(`${c.name}: ${c.summary.source === '^$' ? 'no error' : 'a diagnostic at the source'}, no exception`, async (t) => {
    const dir = writeDir({ 'main.xf.hcl': c.main, ...c.extra });
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
    let errors: Diagnostic[];
    try {
      errors = loadConfig({ dir, env: {}, source: configSource }).diagnostics.filter((d) => d.severity === 'error');
    } catch (e) {
      t.fail(`threw ${String(e).slice(0, 200)}`);
      return;
    }
    if (c.summary.source === '^$') {
      t.same(errors.map((d) => `${where(d)} ${d.summary}: ${d.detail}`), []);
      return;
    }
    const hit = errors.find((d) => c.summary.test(d.summary) || c.summary.test(d.detail ?? ''));
    t.ok(hit, `a diagnostic matching ${c.summary}; got ${JSON.stringify(errors.map((d) => `${where(d)} ${d.summary}: ${d.detail}`)).slice(0, 400)}`);
    if (!hit) return;
    t.ok(where(hit).startsWith(c.at), `at ${c.at}..., got ${where(hit)}`);
    t.ok(hit.detail && hit.detail.length < 2000, 'a detail of readable length');
  });
}
