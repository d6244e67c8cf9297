// Starts 200 halted VMs on 4 simulated hosts (max_parallel = 8, 100 ms per lifecycle operation)
// and prints the apply's wall time against the bound 200 / 4 / 8 x 100 ms = 625 ms, and
// against a baseline measured in the same run: one host starting max_parallel VMs (one wave),
// times the number of waves a host needs.
// Run: npm run build && node dist/bench/apply-200.js   (target: within 1.25 x the bound)
//
// The latency applies to the lifecycle operation itself (`vm-start`), which is what the bound
// counts; reads that frame a step (the fingerprint re-read, the provider's read-back) cost no
// simulated time. BENCH_LATENCY_ALL=1 puts the latency on every xe command instead.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runApply } from '../engine/apply.js';
import { runPlan, type PlanRequest } from '../engine/run-plan.js';

const VMS = Number(process.env.BENCH_VMS ?? 200);
const HOSTS = 4;
const MAX_PARALLEL = 8;
const LATENCY_MS = 100;
const PER_HOST = VMS / HOSTS;

function configText(hosts: number, perHost: number): string {
  let text = 'variable "power" {\n  default = "halted"\n}\n\n';
  for (let h = 0; h < hosts; h++) {
    text += `host "h${h}" {\n  simulator    = true\n  toolstack    = "xapi"\n  max_parallel = ${MAX_PARALLEL}\n}\n\n`;
    text +=
      `vm "h${h}" {\n  count       = ${perHost}\n  host        = host.h${h}\n  name        = "h${h}-\${count.index}"\n` +
      `  template    = "Debian Bookworm 12"\n  power_state = var.power\n  memory      = "256MiB"\n  vcpus       = 1\n` +
      `  boot {\n    mode       = "pv"\n    bootloader = "pygrub"\n  }\n}\n\n`;
  }
  return text;
}

const quiet = () => undefined;

async function apply(dir: string, power: string, env: Record<string, string | undefined>): Promise<number> {
  const req: PlanRequest = {
    dir,
    vars: { power },
    varFiles: [],
    destroy: false,
    refreshOnly: false,
    refresh: true,
    targets: [],
    replace: [],
    env: { ...process.env, XENSIM_FAULTS: undefined },
  };
  const planned = await runPlan(req, quiet);
  if (!planned.plan || planned.errors.length > 0) {
    throw new Error(`plan failed: ${[...planned.errors, ...planned.diagnostics.map((d) => d.summary)].join('; ')}`);
  }
  const t0 = performance.now();
  const r = await runApply(planned.plan, { dir, parallelism: 10_000, savedPlan: false, config: planned.config!, vars: { power }, env }, quiet);
  const ms = performance.now() - t0;
  if (!r.ok) throw new Error(`apply failed: ${[...r.errors, ...r.failed.map((f) => f.error)].slice(0, 3).join('; ')}`);
  return ms;
}

async function scenario(hosts: number, perHost: number): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xenform-bench-apply-'));
  try {
    fs.writeFileSync(path.join(dir, 'main.xf.hcl'), configText(hosts, perHost));
    await apply(dir, 'halted', { ...process.env, XENSIM_FAULTS: undefined }); // create them, untimed
    const latency = process.env.BENCH_LATENCY_ALL ? { '*': LATENCY_MS } : { 'vm-start': LATENCY_MS };
    return await apply(dir, 'running', { ...process.env, XENSIM_FAULTS: JSON.stringify({ latency_ms: latency }) });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const waves = Math.ceil(PER_HOST / MAX_PARALLEL);
const baselineWave = await scenario(1, MAX_PARALLEL);
const wall = await scenario(HOSTS, PER_HOST);
const bound = (VMS / HOSTS / MAX_PARALLEL) * LATENCY_MS;
console.log(`apply-200: started ${VMS} VMs on ${HOSTS} simulated hosts, max_parallel = ${MAX_PARALLEL}, ${LATENCY_MS} ms per vm-start`);
console.log(`  wall time                       ${wall.toFixed(0)} ms`);
console.log(`  bound ${VMS}/${HOSTS}/${MAX_PARALLEL} x ${LATENCY_MS} ms         ${bound.toFixed(0)} ms   ratio ${(wall / bound).toFixed(2)}  (target <= 1.25)`);
console.log(`  baseline: one wave (${baselineWave.toFixed(0)} ms) x ${waves} waves  ${(baselineWave * waves).toFixed(0)} ms   ratio ${(wall / (baselineWave * waves)).toFixed(2)}`);
