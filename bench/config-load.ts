// Parses and evaluates a generated 10,000-VM configuration (about 1 MB) with loadConfig,
// and prints the time against baselines measured in the same run: hcl2-parser (HashiCorp's
// parser compiled to JavaScript) parsing the same text, and xenform's parse() alone.
// Run: npm run build && node dist/bench/config-load.js   (targets: under 1 s, >= 10x hcl2-parser)
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../planner/config/load.js';
import { configSource } from '../engine/config-source.js';
import { parse } from '../lang/syntax/parser.js';

const VMS = Number(process.env.BENCH_VMS ?? 10_000);

function configText(): string {
  let text = 'variable "template" {\n  default = "Debian Bookworm 12"\n}\n\nhost "lab" {\n  simulator = true\n  toolstack = "xapi"\n}\n\n';
  for (let i = 0; i < VMS; i++) {
    text += `vm "w${i}" {\n  host     = host.lab\n  template = var.template\n  memory   = "${(i % 4) + 1}GiB"\n}\n`;
  }
  return text;
}

function best(runs: number, f: () => void): number {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

const text = configText();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xenform-bench-config-'));
fs.writeFileSync(path.join(dir, 'main.xf.hcl'), text);
try {
  const check = loadConfig({ dir, env: {}, source: configSource });
  if (!check.config || check.config.vms.length !== VMS) {
    throw new Error(`the generated configuration did not load: ${check.diagnostics.map((d) => d.summary).join('; ')}`);
  }
  const require = createRequire(import.meta.url);
  const hcl2 = require('hcl2-parser') as { parseToObject: (s: string) => unknown };
  const reference = best(1, () => hcl2.parseToObject(text));
  const parseOnly = best(3, () => parse(text, 'main.xf.hcl'));
  const full = best(3, () => loadConfig({ dir, env: {}, source: configSource }));
  const mb = (Buffer.byteLength(text) / 1e6).toFixed(2);
  console.log(`config-load: ${VMS} VMs, ${mb} MB of configuration`);
  console.log(`  hcl2-parser parse (baseline)   ${reference.toFixed(0)} ms`);
  console.log(`  xenform parse()                ${parseOnly.toFixed(0)} ms   ratio ${(reference / parseOnly).toFixed(1)}x faster`);
  console.log(`  xenform loadConfig()           ${full.toFixed(0)} ms   ratio ${(reference / full).toFixed(1)}x faster (target >= 10x, < 1000 ms)`);
  console.log(`  evaluation share               ${(full - parseOnly).toFixed(0)} ms   (${((100 * (full - parseOnly)) / full).toFixed(0)}% of loadConfig)`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
