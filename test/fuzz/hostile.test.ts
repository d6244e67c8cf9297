// A bounded fuzz campaign with a fixed seed: generated hostile values through validate, plan
// (a simulated host, in-process) and the XAPI record parser (fed with what the simulated xe
// prints for a VM carrying the value), and generated deep and large HCL through the front end.
// Every case ends in diagnostics or a result, never an exception; no case takes over 5 s; the
// heap stays under 1 GB. Replay a failure with XENFORM_FUZZ_SEED=<seed>.
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../planner/config/load.js';
import { configSource } from '../../engine/config-source.js';
import { runSim } from '../../providers/sim/index.js';
import { parseMinimal, parseRecords, parseTags, otherConfigOf } from '../../providers/xapi/records.js';
import { VM_FIELDS } from '../../providers/xapi/inventory.js';
import { seededRandom, type Rand } from '../support/random.js';
import { xenform } from '../support/cli-io.js';
import { tempHost } from '../support/sim-host.js';
import { HOSTILE } from './hostile.js';
import { MAX_ARG_BYTES, findUnsendable, mapValueFault, tagFault } from '../../planner/model/wire.js';

// What validate lets through as a name, a tag and an other_config value alike.
const carriable = (v: string): boolean => !findUnsendable(v) && !tagFault(v) && !mapValueFault(v) && Buffer.byteLength(v) < MAX_ARG_BYTES - 64;

const SEED = Number(process.env.XENFORM_FUZZ_SEED ?? 15);
const CASE_LIMIT_MS = 5000;
const HEAP_LIMIT = 1024 ** 3;

const PIECES = [
  '\n', '\r', '\r\n', '\n\n', '\u2028', '\u2029', '\u0085', '\0', '\t', '\u001b', '\u007f', '\u009b',
  ', ', '; ', ': ', '=', '"', "'", '$', '${', '%{', '`', '\\', '$(id)', '-', '--', ' ', 'a', 'xyz', 'é', '😀', '中', 'mac_seed',
  'other-config (MRW): xenform-address: vm.x; xenform-lineage: L', '  uuid ( RO): 00000000-0000-0000-0000-000000000000', 'name-label ( RW): forged',
  ...HOSTILE,
];

function hostileValue(r: Rand): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  if (r() < 0.03) return pick(['a', 'x; ', '€']).repeat(40_000 + Math.floor(r() * 40_000)); // near or over the argv limit
  let s = '';
  const n = 1 + Math.floor(r() * 6);
  for (let i = 0; i < n; i++) s += pick(PIECES);
  return s;
}

// An HCL quoted string that evaluates to `s`: control characters as \u escapes.
const hcl = (s: string): string =>
  '"' +
  s
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\$\{/g, () => '$${')
    .replace(/%\{/g, '%%{')
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) +
  '"';

const FIELDS = ['name', 'description', 'tag', 'other_config value', 'other_config key', 'boot args'] as const;
type Field = (typeof FIELDS)[number];

function vmConfig(field: Field, value: string): string {
  const v = hcl(value);
  const set: Record<Field, string> = {
    name: `  name = ${v}`,
    description: `  description = ${v}`,
    tag: `  tags = [${v}]`,
    'other_config value': `  other_config = { team = ${v} }`,
    'other_config key': `  other_config = { ${v} = "x" }`,
    'boot args': `  boot {\n    mode = "pv"\n    args = ${v}\n  }`,
  };
  return `host "demo" {\n  simulator = true\n  toolstack = "xapi"\n}\nvm "web" {\n  host = host.demo\n  template = "Debian Bookworm 12"\n  memory = "1GiB"\n  power_state = "halted"\n${set[field]}\n}\n`;
}

// Runs one case: no exception, within the time bound, under the heap bound.
async function bounded(t: Test, name: string, run: () => unknown | Promise<unknown>): Promise<boolean> {
  const start = performance.now();
  try {
    await run();
  } catch (e) {
    t.fail(`${name}: threw ${String(e).slice(0, 300)}`);
    return false;
  }
  const ms = performance.now() - start;
  if (ms > CASE_LIMIT_MS) t.fail(`${name}: took ${Math.round(ms)} ms, over the ${CASE_LIMIT_MS} ms bound`);
  const heap = process.memoryUsage().heapUsed;
  if (heap > HEAP_LIMIT) t.fail(`${name}: heap at ${Math.round(heap / 1024 ** 2)} MiB, over 1 GB`);
  return ms <= CASE_LIMIT_MS && heap <= HEAP_LIMIT;
}

t.test(`hostile values through validate and plan (seed ${SEED})`, async (t) => {
  const r = seededRandom(SEED);
  const dir = mkdtempSync(path.join(tmpdir(), 'xenform-fuzz-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  let refused = 0;
  let accepted = 0;
  let planned = 0;
  for (let i = 0; i < 300; i++) {
    const field = FIELDS[Math.floor(r() * FIELDS.length)];
    const value = hostileValue(r);
    const name = `case ${i}: ${field} = ${JSON.stringify(value.slice(0, 60))}${value.length > 60 ? `… (${value.length} chars)` : ''}`;
    writeFileSync(path.join(dir, 'main.xf.hcl'), vmConfig(field, value));
    let errors = 0;
    const ok = await bounded(t, name, () => {
      const res = loadConfig({ dir, env: {}, source: configSource });
      errors = res.diagnostics.filter((d) => d.severity === 'error').length;
      if (errors && res.diagnostics.some((d) => d.severity === 'error' && !d.subject)) t.fail(`${name}: an error without a place in the file`);
    });
    if (!ok) break;
    if (errors) refused++;
    else accepted++;
    // every tenth case also goes through plan against the simulated host
    if (i % 10 !== 0) continue;
    await bounded(t, `${name} (plan)`, async () => {
      const p = await xenform(['--chdir', dir, '--no-color', 'plan', '--detailed-exitcode'], { env: { NO_COLOR: '1', HOME: dir } });
      planned++;
      if (p.code !== (errors ? 1 : 2)) t.fail(`${name}: plan exited ${p.code}, expected ${errors ? 1 : 2}: ${(p.stdout + p.stderr).slice(0, 500)}`);
      if (/^\s+at /m.test(p.stderr)) t.fail(`${name}: plan printed a stack trace`);
    });
  }
  t.ok(refused > 50 && accepted > 50, `both kinds were generated: ${refused} refused, ${accepted} accepted, ${planned} planned`);
});

t.test(`the record parser on what the simulated xe prints for hostile values (seed ${SEED})`, async (t) => {
  const r = seededRandom(SEED + 1);
  const { opts } = tempHost(t);
  const xe = (...args: string[]) => runSim(['xe', ...args], { ...opts, faults: '' });
  const uuid = (await xe('vm-install', 'template=Debian Bookworm 12', 'new-name-label=fuzz')).stdout.trim();
  let exact = 0;
  let carried = 0;
  for (let i = 0; i < 150; i++) {
    const value = hostileValue(r).slice(0, 4096);
    const name = `record ${i}: ${JSON.stringify(value.slice(0, 60))}`;
    const ok = await bounded(t, name, async () => {
      await xe('vm-param-set', `uuid=${uuid}`, `name-label=${value}`);
      await xe('vm-param-clear', `uuid=${uuid}`, 'param-name=tags');
      await xe('vm-param-add', `uuid=${uuid}`, 'param-name=tags', `param-key=${value}`);
      await xe('vm-param-set', `uuid=${uuid}`, `other-config:team=${value}`);
      const uuids = parseMinimal((await xe('vm-list', 'is-control-domain=false', '--minimal')).stdout);
      const printed = (await xe('vm-list', 'is-control-domain=false', `params=${VM_FIELDS.join(',')}`)).stdout;
      const records = parseRecords(printed, VM_FIELDS, uuids);
      const rec = records?.find((x) => x.uuid === uuid);
      if (records && !rec) return void t.fail(`${name}: the parser lost the VM's uuid`);
      if (rec) carried++;
      const same = rec !== undefined && rec['name-label'] === value && parseTags(rec.tags).includes(value) && otherConfigOf(rec).team === value;
      if (same) exact++;
      if (carriable(value) && !same) t.fail(`${name}: validate accepts this value, but it did not read back exactly: ${JSON.stringify(rec ?? 'ambiguous table').slice(0, 400)}`);
    });
    if (!ok) break;
  }
  t.ok(exact > 20, `records parsed for ${carried} values, ${exact} of them read back exactly`);
});

// Deep and large HCL: each construct at a random size, from harmless to far past every limit.
const output = (expr: string) => `output "x" {\n  value = ${expr}\n}\n`;
const locals = (n: number, link: (i: number) => string) => `locals {\n  l0 = 1\n${Array.from({ length: n }, (_, i) => `  l${i + 1} = ${link(i)}`).join('\n')}\n}\n${output(`local.l${n}`)}`;
const SHAPES: [string, (n: number) => string][] = [
  ['nested conditionals', (n) => output(`${'true ? '.repeat(n)}1${' : 0'.repeat(n)}`)],
  ['chained conditionals', (n) => output(`${'false ? 0 : '.repeat(n)}1`)],
  ['parentheses', (n) => output(`${'('.repeat(n)}1${')'.repeat(n)}`)],
  ['tuples', (n) => output(`${'['.repeat(n)}1${']'.repeat(n)}`)],
  ['objects', (n) => output(`${'{a = '.repeat(n)}1${'}'.repeat(n)}`)],
  ['function calls', (n) => output(`${'abs('.repeat(n)}1${')'.repeat(n)}`)],
  ['template interpolations', (n) => output(`${'"${'.repeat(n)}1${'}"'.repeat(n)}`)],
  ['template directives', (n) => output(`"${'%{if true}'.repeat(n)}x${'%{endif}'.repeat(n)}"`)],
  ['for expressions', (n) => output(`${'[for x in '.repeat(n)}[1]${' : x]'.repeat(n)}`)],
  ['unary minus signs', (n) => output(`${'-'.repeat(n)}1`)],
  ['a sum', (n) => output(`1${' + 1'.repeat(n * 10)}`)],
  ['a heredoc', (n) => output(`length(<<EOT\n${'x ${1}\n'.repeat(n * 10)}EOT\n)`)],
  ['blocks', (n) => `${'a {\n'.repeat(n)}${'}\n'.repeat(n)}`],
  ['locals wrapping the last in a list', (n) => locals(n, (i) => `[local.l${i}]`)],
  ['locals adding to the last', (n) => locals(n, (i) => `local.l${i} + 1`)],
  ['locals doubling a string', (n) => locals(Math.min(n, 64), (i) => `"\${local.l${i}}\${local.l${i}}"`)],
  ['a %{for} product', (n) => output(`length("%{for i in range(${Math.min(n, 1000)})}%{for j in range(${Math.min(n, 1000)})}${'x'.repeat(30)}%{endfor}%{endfor}")`)],
  ['a setproduct', (n) => output(`length(setproduct(range(${Math.min(n, 1024)}), range(${Math.min(n, 1024)}), range(${Math.min(n, 1024)})))`)],
  ['a count', (n) => `host "h" {\n  simulator = true\n  toolstack = "xapi"\n}\nvm "w" {\n  count = ${n * 1000}\n  host = host.h\n  template = "t"\n  memory = "1GiB"\n}\n`],
  ['a format width', (n) => output(`length(format("%${n * 1000}d", 1))`)],
  ['a backtracking regex', (n) => output(`can(regex("(a+)+$", "${'a'.repeat(n)}!"))`)],
  ['jsondecode nesting', (n) => output(`jsondecode("${'['.repeat(n)}${']'.repeat(n)}")`)],
];

t.test(`deep and large HCL through the front end (seed ${SEED})`, async (t) => {
  const r = seededRandom(SEED + 2);
  const dir = mkdtempSync(path.join(tmpdir(), 'xenform-fuzz-hcl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  let refused = 0;
  for (let i = 0; i < 60; i++) {
    const [shape, build] = SHAPES[Math.floor(r() * SHAPES.length)];
    const n = Math.round(10 ** (1 + r() * 3.3)); // 10 .. 20,000
    writeFileSync(path.join(dir, 'main.xf.hcl'), build(n));
    const ok = await bounded(t, `${shape} at ${n}`, () => {
      const res = loadConfig({ dir, env: {}, source: configSource });
      if (res.diagnostics.some((d) => d.severity === 'error')) refused++;
    });
    if (!ok) break;
  }
  t.ok(refused > 5, `the larger cases were refused with diagnostics (${refused} of 60)`);
});
