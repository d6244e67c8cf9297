// `xenform apply --auto-approve --json` of N creates (VMs started after creation) on 20
// simulated hosts (max_parallel = 8), run as a user runs it. Prints the wall time and peak
// RSS, the same command's `plan` (the baseline, measured in the same run), and the engine's
// time beyond the simulated operations, per step. The simulated hosts run inside the xenform
// process, so the apply is profiled (--cpu-prof) and its CPU time split by where it was spent:
// the engine (engine/, cli/, planner/), the XAPI provider and transport, the simulator
// (providers/sim/), and the rest (Node internals, garbage collection). The wall time of one
// step on the simulator with no engine around it is the busiest host's summed step time
// (from the step_done events) divided by max_parallel.
// Run: npm run build && node dist/bench/cli-apply.js    (BENCH_SIZES=1000,10000; default 1000)
// Target (issue 16): engine overhead under 0.5 ms per step at 10,000 steps.
import fs from 'node:fs';
import path from 'node:path';
import { writeConfig } from './cli/fleet.js';
import { expectCode, Report, runNode, sizes, tempDir, XENFORM, xenform } from './cli/run.js';

interface Profile {
  nodes: { id: number; callFrame: { url: string } }[];
  samples: number[];
  timeDeltas: number[];
}

// Self time (ms) per part of the program in a .cpuprofile.
function split(file: string): Record<string, number> {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const part = new Map<number, string>();
  for (const n of p.nodes) {
    const url = n.callFrame.url;
    part.set(n.id, /dist\/(engine|cli|planner|lang)\//.test(url) ? 'engine' : /dist\/providers\/sim\//.test(url) ? 'simulator' : /dist\/providers\//.test(url) ? 'provider' : 'other');
  }
  const ms: Record<string, number> = { engine: 0, provider: 0, simulator: 0, other: 0 };
  p.samples.forEach((id, i) => (ms[part.get(id)!] += (p.timeDeltas[i] ?? 0) / 1000));
  return ms;
}

const HOSTS = 20;
const MAX_PARALLEL = 8;

const report = new Report(`cli-apply: apply of N creates + starts on ${HOSTS} simulated hosts (max_parallel ${MAX_PARALLEL})`);
for (const n of sizes([1000])) {
  const dir = tempDir('apply');
  try {
    writeConfig(dir, { hosts: HOSTS, perHost: Math.ceil(n / HOSTS), maxParallel: MAX_PARALLEL });
    const plan = expectCode('plan', await xenform(['plan'], { cwd: dir }), [0]);
    const prof = path.join(dir, 'prof');
    const applyArgs = ['apply', '--auto-approve', '--json', '--parallelism', String(HOSTS * MAX_PARALLEL)];
    const m = expectCode('apply', await runNode(['--cpu-prof', '--cpu-prof-dir', prof, XENFORM, ...applyArgs], { cwd: dir }), [0]);
    const cpu = split(path.join(prof, fs.readdirSync(prof)[0]));
    const perHost = new Map<string, number>();
    let steps = 0;
    for (const line of fs.readFileSync(m.out, 'utf8').split('\n')) {
      if (!line.includes('"step_done"')) continue;
      const e = JSON.parse(line) as { step: { host: string }; ms: number };
      perHost.set(e.step.host, (perHost.get(e.step.host) ?? 0) + e.ms);
      steps++;
    }
    const busiest = Math.max(...perHost.values()) / MAX_PARALLEL;
    const per = (x: number) => `${(x / steps).toFixed(2)}`;
    report.add({
      bench: 'apply (creates + starts)',
      n,
      m,
      baseline: { label: 'plan', ms: plan.ms },
      note: `${steps} steps; CPU ms/step: engine ${per(cpu.engine)}, provider ${per(cpu.provider)}, simulator ${per(cpu.simulator)}, other ${per(cpu.other)}; steps on the busiest host ${(busiest / 1000).toFixed(1)} s`,
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
