// Parses a generated, realistic 10,000-VM configuration (about 1 MB: variables, hosts, vm
// blocks of five instances each through `count`, with nested boot, disk and network blocks,
// templates, lists and maps) and prints
// the time against hcl2-parser (HashiCorp's parser compiled to JavaScript) parsing the same
// text in the same run; then parse + evaluate (loadConfig) of it written to a temp dir.
// Run: npm run build && node dist/bench/hcl-parse.js   (targets: under 1 s, >= 10x hcl2-parser)
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../planner/config/load.js';
import { configSource } from '../engine/config-source.js';
import { parse } from '../lang/syntax/parser.js';
import { fleetConfig } from './hcl-fleet.js';

const VMS = Number(process.env.BENCH_VMS ?? 10_000);
const RUNS = 7;

function median(runs: number, f: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const ms = (x: number) => `${x.toFixed(0)} ms`;

const text = fleetConfig(VMS);
const first = parse(text, 'fleet.xf.hcl');
if (first.diagnostics.length > 0) throw new Error(`the generated configuration does not parse: ${first.diagnostics[0].summary}`);

const ours = median(RUNS, () => parse(text, 'fleet.xf.hcl'));

const require = createRequire(import.meta.url);
const oracle = require('hcl2-parser') as { parseToObject(src: string): [unknown, unknown] };
const t0 = performance.now();
const [, err] = oracle.parseToObject(text);
const theirs = performance.now() - t0;
if (err) throw new Error('hcl2-parser rejected the generated configuration');

console.log(`configuration: ${VMS} VMs, ${(Buffer.byteLength(text) / 1e6).toFixed(2)} MB`);
console.log(`hcl2-parser parse (once):          ${ms(theirs)}`);
console.log(`xenform parse (median of ${RUNS}):       ${ms(ours)}   ${(theirs / ours).toFixed(1)}x faster`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xenform-bench-hcl-'));
try {
  fs.writeFileSync(path.join(dir, 'main.xf.hcl'), text);
  const check = loadConfig({ dir, env: {}, source: configSource });
  if (!check.config) {
    console.log(`parse + evaluate: skipped, the configuration does not evaluate: ${check.diagnostics.slice(0, 3).map((d) => d.summary).join('; ')}`);
  } else {
    const full = median(3, () => loadConfig({ dir, env: {}, source: configSource }));
    console.log(`xenform parse + evaluate (median of 3): ${ms(full)}   ${(theirs / full).toFixed(1)}x faster than hcl2-parser parsing alone`);
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
