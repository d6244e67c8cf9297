// `xenform apply --auto-approve --json` of N creates (VMs started after creation) on 20
// simulated hosts (max_parallel = 8), run as a user runs it. Prints the wall time and peak
// RSS, the same command's `plan` (the baseline, measured in the same run), and the engine's
// time beyond the simulated operations, per step. The simulated hosts run inside the xenform
// process, so the apply is profiled (--cpu-prof) and its CPU time split by where it was spent:
// the engine (engine/, cli/, planner/, lang/: planning included), the XAPI provider and
// transport, the simulator (providers/sim/), garbage collection and the rest (start-up); Node's
// own code counts for the xenform function that called it. The process's whole CPU time
// (user + system) is printed beside it, and the engine's costliest functions after the table
// (BENCH_TOP=N of them, default 8). The profile samples on the clock, so each part is its share
// of the busy samples (all but '(idle)' and '(program)', where the process waits) times the
// process's CPU time. The wall time of one
// step on the simulator with no engine around it is the busiest host's summed step time
// (from the step_done events) divided by max_parallel.
// Run: npm run build && node dist/bench/cli-apply.js    (BENCH_SIZES=1000,10000; default 1000)
// Target (issue 16): engine overhead under 0.5 ms per step at 10,000 steps.
import fs from 'node:fs';
import path from 'node:path';
import { writeConfig } from './cli/fleet.js';
import { expectCode, Report, runNode, sizes, tempDir, XENFORM, xenform } from './cli/run.js';

interface Profile {
  nodes: { id: number; callFrame: { url: string; functionName: string }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

const partOf = (url: string): string | null =>
  /dist\/(engine|cli|planner|lang)\//.test(url) ? 'engine' : /dist\/providers\/sim\//.test(url) ? 'simulator' : /dist\/providers\//.test(url) ? 'provider' : null;

// CPU ms per part of the program in a .cpuprofile. A sample in Node's own code (streams, fs,
// JSON, Buffer) counts for the nearest xenform function above it, so a state write or a
// progress line is the engine's; garbage collection, start-up and module loading have no such
// caller and are counted apart ('gc', 'other').
function split(file: string, cpuMs: number): Record<string, number> {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const part = new Map<number, string>();
  const resolve = (id: number): string => {
    const known = part.get(id);
    if (known) return known;
    const n = byId.get(id)!;
    const fn = n.callFrame.functionName;
    const own = fn === '(garbage collector)' ? 'gc' : fn === '(idle)' || fn === '(program)' ? 'idle' : partOf(n.callFrame.url);
    const up = parent.get(id);
    const result = own ?? (up === undefined ? 'other' : resolve(up));
    part.set(id, result);
    return result;
  };
  const ms: Record<string, number> = { engine: 0, provider: 0, simulator: 0, gc: 0, other: 0, idle: 0 };
  const fns = new Map<string, number>(); // the engine's self time by function, Node's code below it included
  p.samples.forEach((id, i) => {
    const d = (p.timeDeltas[i] ?? 0) / 1000;
    const where = resolve(id);
    ms[where] += d;
    if (where !== 'engine') return;
    let f = byId.get(id)!;
    while (partOf(f.callFrame.url) === null) f = byId.get(parent.get(f.id)!)!;
    const name = `${f.callFrame.functionName || '(anonymous)'} ${f.callFrame.url.replace(/.*\/dist\//, '')}`;
    fns.set(name, (fns.get(name) ?? 0) + d);
  });
  // The samples are taken on the clock, not on CPU time: on a loaded machine a process waiting
  // for a core is sampled too. Each part is its share of the busy samples times the process's
  // CPU time (user + system).
  const busy = ms.engine + ms.provider + ms.simulator + ms.gc + ms.other;
  const scale = cpuMs / busy;
  for (const k of Object.keys(ms)) ms[k] *= scale;
  for (const [k, t] of fns) fns.set(k, t * scale);
  const top = [...fns].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.BENCH_TOP ?? 8));
  engineTop.push(...top.map(([name, t]) => `  ${t.toFixed(0).padStart(7)} ms  ${name}`));
  return ms;
}

const engineTop: string[] = [];

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
    const cpu = split(path.join(prof, fs.readdirSync(prof)[0]), m.cpuMs);
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
      baseline: { label: 'plan', ms: plan.ms, cpuMs: plan.cpuMs },
      note: `${steps} steps; CPU ms/step: process ${per(m.cpuMs)} (profiled) = engine ${per(cpu.engine)}, provider ${per(cpu.provider)}, simulator ${per(cpu.simulator)}, GC ${per(cpu.gc)}, start-up and other ${per(cpu.other)}; steps on the busiest host ${(busiest / 1000).toFixed(1)} s`,
    });
    console.log(`  engine CPU by function at N = ${n} (self time, profiled):\n${engineTop.splice(0).join('\n')}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
