// Plan and apply of 200 VMs (4 simulated hosts x 50, created halted) with the state in
// PostgreSQL against the same with the local file, whole `xenform` commands, in one run:
// each backend twice in the order local, pg, pg, local so that a drift in the machine's load
// falls on both. Prints the times and the ratio pg / local (target: within 1.2 x).
// Run: npm run build && node dist/bench/pg-backend.js   (BENCH_VMS changes the count)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startPostgres } from '../test/support/postgres.js';

const VMS = Number(process.env.BENCH_VMS ?? 200);
const HOSTS = 4;
const ROOT = [path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'), path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')].find((d) =>
  fs.existsSync(path.join(d, 'bin', 'xenform.js')),
)!;
const CLI = path.join(ROOT, 'bin', 'xenform.js');

function configText(backend: string): string {
  let text = backend;
  for (let h = 0; h < HOSTS; h++) {
    text += `host "h${h}" {\n  simulator    = true\n  toolstack    = "xapi"\n  max_parallel = 8\n}\n\n`;
    text +=
      `vm "h${h}" {\n  count       = ${VMS / HOSTS}\n  host        = host.h${h}\n  name        = "h${h}-\${count.index}"\n` +
      `  template    = "Debian Bookworm 12"\n  power_state = "halted"\n  memory      = "256MiB"\n  vcpus       = 1\n` +
      `  boot {\n    mode       = "pv"\n    bootloader = "pygrub"\n  }\n}\n\n`;
  }
  return text;
}

function xenform(dir: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [CLI, '--chdir', dir, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => (code === 0 || (code === 2 && args.includes('--detailed-exitcode')) ? resolve(performance.now() - t0) : reject(new Error(`xenform ${args.join(' ')}: exit ${code}: ${stderr}`))));
  });
}

interface Times {
  plan: number; // of the 200 creates, before the first apply
  apply: number; // apply --auto-approve of the 200 creates
  replan: number; // plan with 200 VMs in the state and on the hosts
}

async function round(backend: string, init: boolean): Promise<Times> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xenform-bench-pg-'));
  try {
    fs.writeFileSync(path.join(dir, 'main.xf.hcl'), configText(backend));
    if (init) await xenform(dir, ['init']);
    const plan = await xenform(dir, ['plan']);
    const apply = await xenform(dir, ['apply', '--auto-approve']);
    const replan = await xenform(dir, ['plan', '--detailed-exitcode']);
    return { plan, apply, replan };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const db = await startPostgres();
try {
  let schema = 0;
  const pg = () => round(`xenform {\n  backend "pg" {\n    conn_str    = "${db.url}"\n    schema_name = "bench${schema++}"\n  }\n}\n\n`, true);
  const local = () => round('', false);
  const runs = { local: [await local()], pg: [await pg()] };
  runs.pg.push(await pg());
  runs.local.push(await local());
  const total = (ts: Times[], k: keyof Times) => ts.reduce((s, t) => s + t[k], 0) / ts.length;
  const line = (k: keyof Times, what: string) => {
    const l = total(runs.local, k);
    const p = total(runs.pg, k);
    console.log(`${what.padEnd(34)} local ${l.toFixed(0).padStart(6)} ms   pg ${p.toFixed(0).padStart(6)} ms   ratio ${(p / l).toFixed(2)}`);
    return { l, p };
  };
  console.log(`${VMS} VMs on ${HOSTS} simulated hosts, whole commands, mean of 2 rounds each (load average ${os.loadavg()[0].toFixed(1)})`);
  const a = line('plan', `plan (${VMS} creates)`);
  const b = line('apply', `apply --auto-approve (${VMS} creates)`);
  const c = line('replan', 'plan (no changes)');
  const ratio = (a.p + b.p + c.p) / (a.l + b.l + c.l);
  console.log(`plan + apply + plan: pg / local = ${ratio.toFixed(2)} (target <= 1.20)`);
} finally {
  await db.destroy();
}
