// The simulated `xe` executable (providers/sim/bin/xe, a client of the simulator daemon) as a
// test bed sees it, two measurements in one run:
// 1. one invocation: the median wall time of `xe host-list --minimal` against a warm daemon,
//    beside the same command run by Node directly (what each `xe` cost before the daemon, and
//    still the fallback) and bare `node -e 0`;
// 2. issue 16's apply at fleet scale over SSH: 24 starts of 1 s (XENSIM_FAULTS latency) on 4
//    hosts, each its own sshd on 127.0.0.1, with max_parallel = 3: the apply's time beyond an
//    apply with nothing to do, against its bound: with --parallelism=12, every host's slots at
//    once, 24 starts / 12 x 1 s = 2 s; with the default --parallelism=10, 3 rounds = 3 s.
// Run: npm run build && node dist/bench/sim-executables.js [invocations]
// Target (issue 16): one invocation under 20 ms; the starts within 2x of their bound.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { SIM_BIN, startSshd, type Sshd } from '../test/support/sshd.js';
import { buildExistingFleet, simHostFile, writeConfig } from './cli/fleet.js';
import { expectCode, ROOT, tempDir, xenform } from './cli/run.js';

const INVOCATIONS = Number(process.argv[2] ?? 40);
const HOSTS = 4;
const PER_HOST = 6;
const MAX_PARALLEL = 3;
const START_MS = 1000;
const DEFAULT_PARALLELISM = 10; // as Terraform's -parallelism

// The environment a dom0's shell gives the executable: none of this process's Node options.
function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'NODE_OPTIONS' && !k.startsWith('XENSIM_')) env[k] = v;
  return { ...env, ...extra };
}

function run(cmd: string, args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}

async function median(times: number, once: () => Promise<number>): Promise<number> {
  await once(); // warm-up: the daemon starts, caches fill
  const xs: number[] = [];
  for (let i = 0; i < times; i++) xs.push(await once());
  xs.sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)];
}

const fmt = (ms: number) => `${ms.toFixed(1).padStart(7)} ms`;

console.log(`sim-executables (${os.cpus().length} CPUs ${os.cpus()[0]?.model ?? ''}, load ${os.loadavg()[0].toFixed(1)}, node ${process.version})`);
console.log('Ratios are within this run; absolute times depend on what else the machine runs.\n');

const dir = tempDir('simexe');
const sshds: Sshd[] = [];
try {
  // 1. One invocation.
  const env = cleanEnv({ XENSIM_STATE: path.join(dir, 'one.json') });
  const xe = path.join(SIM_BIN, 'xe');
  const node = await median(INVOCATIONS, () => run(process.execPath, ['-e', '0'], env));
  const client = await median(INVOCATIONS, () => run(xe, ['host-list', '--minimal'], env));
  const direct = await median(Math.max(5, INVOCATIONS / 4), () => run(process.execPath, [path.join(ROOT, 'dist', 'providers', 'sim', 'main.js'), xe, 'host-list', '--minimal'], env));
  console.log(`one invocation, median of ${INVOCATIONS} (xe host-list --minimal)`);
  console.log(`  node -e 0                          ${fmt(node)}`);
  console.log(`  xe, the simulator run by Node       ${fmt(direct)}  ${(direct / node).toFixed(2)} x node -e 0`);
  console.log(`  xe, client of the daemon            ${fmt(client)}  ${(client / node).toFixed(3)} x node -e 0, ${(client / direct).toFixed(3)} x Node's xe  (target: under 20 ms)\n`);

  // 2. 24 starts of 1 s on 4 hosts over SSH.
  await buildExistingFleet(dir, { hosts: HOSTS, perHost: PER_HOST });
  fs.mkdirSync(path.join(dir, 'hosts'));
  const faults = JSON.stringify({ latency_ms: { 'vm-start': START_MS } });
  for (let h = 0; h < HOSTS; h++) {
    const file = path.join(dir, 'hosts', `h${h}.json`);
    fs.renameSync(simHostFile(dir, h), file);
    sshds.push(await startSshd({ env: { XENSIM_STATE: file, XENSIM_FAULTS: faults } }));
  }
  writeConfig(dir, { hosts: HOSTS, perHost: PER_HOST, ssh: sshds, maxParallel: MAX_PARALLEL });
  // BENCH_LOG=FILE keeps the starts' command log (XENFORM_LOG=debug), with each command's timing.
  const log = process.env.BENCH_LOG ? { XENFORM_LOG: 'debug', XENFORM_LOG_PATH: process.env.BENCH_LOG } : {};
  const apply = async (power: string, what: string, flags: string[] = [], env = {}) =>
    expectCode(what, await xenform(['apply', '--auto-approve', '--var', `power=${power}`, ...flags], { cwd: dir, env }), [0]).ms;
  await apply('halted', 'halting the VMs');
  const idle = await apply('halted', 'an apply with nothing to do');
  const n = HOSTS * PER_HOST;
  console.log(`${n} starts of ${START_MS / 1000} s on ${HOSTS} hosts over sshd, max_parallel = ${MAX_PARALLEL}`);
  console.log(`  apply with nothing to do            ${fmt(idle)}`);
  // The bound: the starts in rounds of as many as run at once, each round one start's latency.
  const every = HOSTS * MAX_PARALLEL;
  for (const parallelism of [DEFAULT_PARALLELISM, every]) {
    const starts = await apply('running', 'the starts', [`--parallelism=${parallelism}`], log);
    await apply('halted', 'halting the VMs');
    const bound = Math.ceil(n / Math.min(parallelism, every)) * START_MS;
    const beyond = starts - idle;
    const why = parallelism === every ? 'all hosts\' slots' : 'the default';
    console.log(`  apply, --parallelism=${parallelism} (${why})`.padEnd(37) + fmt(starts));
    console.log(`    beyond the idle apply             ${fmt(beyond)}  ${(beyond / bound).toFixed(2)} x the bound of ${bound / 1000} s  (target: within 2 x)`);
  }
} finally {
  await Promise.all(sshds.map((s) => s.stop()));
  fs.rmSync(dir, { recursive: true, force: true });
}
