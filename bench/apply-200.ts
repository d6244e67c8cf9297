// Starts 200 halted VMs on 4 hosts (max_parallel = 8, 100 ms per lifecycle operation) and
// prints the apply's wall time against the bound 200 / 4 / 8 x 100 ms = 625 ms, twice:
//  - engine: the engine's walk with an in-memory provider whose `start` takes 100 ms (reads
//    are free): what the scheduling, journal and state cost;
//  - simulator: the whole stack, the XAPI provider on the in-process simulated hosts with
//    XENSIM_FAULTS latency on `vm-start`, plus every other xe command a step needs.
// and against a baseline measured in the same run: one host starting max_parallel VMs
// (one wave) times the number of waves a host needs.
// Run: npm run build && node dist/bench/apply-200.js   (target: within 1.25 x the bound)
// BENCH_LATENCY_ALL=1 puts the simulator's latency on every xe command instead.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runApply } from '../engine/apply.js';
import { runPlan, type PlanRequest } from '../engine/run-plan.js';
import type { Step } from '../planner/model/ops.js';
import { attrs, change, config, FakeHost, hostConfig, plan, vmConfig } from '../test/engine/fake-host.js';

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

// The engine alone: in-memory hosts whose `start` takes LATENCY_MS.
async function engineOnly(hosts: number, perHost: number): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xenform-bench-engine-'));
  try {
    const fakes = Array.from({ length: hosts }, (_, h) => new FakeHost(`h${h}`, { delayMs: (s: Step) => (s.op === 'start' ? LATENCY_MS : 0) }));
    const steps: Step[] = [];
    const changes = [];
    const vms = [];
    for (const f of fakes) {
      for (let i = 0; i < perHost; i++) {
        const address = `vm.${f.name}[${i}]`;
        const vm = f.add(address, attrs(`${f.name}-${i}`, 'halted'));
        steps.push({ id: `s${steps.length + 1}`, address, host: f.name, op: 'start', args: {}, depends_on: [] });
        changes.push(change(address, f.name, vm));
        vms.push(vmConfig(address, f.name));
      }
    }
    const cfg = config(dir, fakes.map((f) => hostConfig(f.name, MAX_PARALLEL)), vms);
    const byName = new Map(fakes.map((f) => [f.name, f]));
    const t0 = performance.now();
    const r = await runApply(plan(steps, changes), { dir, parallelism: 10_000, savedPlan: false, config: cfg, openProvider: async (hc) => byName.get(hc.name)!.provider() }, quiet);
    const ms = performance.now() - t0;
    if (!r.ok) throw new Error(`engine apply failed: ${r.errors.join('; ')}`);
    return ms;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const waves = Math.ceil(PER_HOST / MAX_PARALLEL);
const bound = (VMS / HOSTS / MAX_PARALLEL) * LATENCY_MS;
const row = (label: string, wave: number, wall: number) => {
  console.log(`  ${label}`);
  console.log(`    wall time ${wall.toFixed(0)} ms; bound ${VMS}/${HOSTS}/${MAX_PARALLEL} x ${LATENCY_MS} ms = ${bound.toFixed(0)} ms: ratio ${(wall / bound).toFixed(2)} (target <= 1.25)`);
  console.log(`    baseline one wave ${wave.toFixed(0)} ms x ${waves} waves = ${(wave * waves).toFixed(0)} ms: ratio ${(wall / (wave * waves)).toFixed(2)}`);
};
console.log(`apply-200: start ${VMS} halted VMs on ${HOSTS} hosts, max_parallel = ${MAX_PARALLEL}, ${LATENCY_MS} ms per start`);
row('engine (in-memory provider)', await engineOnly(1, MAX_PARALLEL), await engineOnly(HOSTS, PER_HOST));
if (!process.env.BENCH_ENGINE_ONLY) row('simulator (XAPI provider, in-process simulated hosts)', await scenario(1, MAX_PARALLEL), await scenario(HOSTS, PER_HOST));
