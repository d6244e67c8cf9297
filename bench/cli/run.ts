// Runs whole commands as a user does (`node bin/xenform.js …` as a child process, its output
// to a file) and measures each: wall time and peak RSS. Shared by the bench/cli-*.ts scripts.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const here = path.dirname(fileURLToPath(import.meta.url)); // dist/bench/cli
export const ROOT = path.resolve(here, '..', '..', '..');
export const XENFORM = path.join(ROOT, 'bin', 'xenform.js');
const RSS_HOOK = pathToFileURL(path.join(here, 'rss.js')).href;

export interface Measured {
  ms: number;
  rssMb: number;
  cpuMs: number; // user + system CPU time of the process: what the load of other jobs disturbs least
  code: number;
  out: string; // the file holding stdout
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  out?: string; // where stdout goes; default a temp file
  stdin?: string;
}

// BENCH_SIZES=1000,10000,100000 picks the sizes; the default is a quick set.
export function sizes(quick: number[]): number[] {
  const raw = process.env.BENCH_SIZES;
  if (!raw) return quick;
  const list = raw.split(',').map((s) => Number(s.replace(/_/g, '').trim()));
  if (list.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`BENCH_SIZES must be a comma-separated list of VM counts, not "${raw}"`);
  return list;
}

// BENCH_ONLY=plan,plan --json runs only the benchmarks whose names start with one of these.
export function wanted(bench: string): boolean {
  const only = process.env.BENCH_ONLY;
  return !only || only.split(',').some((p) => bench.startsWith(p.trim()));
}

export function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `xenform-bench-${label}-`));
}

// Runs `node ARGS` and measures it; the child's peak RSS comes from rss.ts.
export function runNode(args: string[], opts: RunOptions): Promise<Measured> {
  const rssFile = path.join(os.tmpdir(), `xenform-bench-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const out = opts.out ?? `${rssFile}.out`;
  const fd = fs.openSync(out, 'w');
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', RSS_HOOK, ...args], {
      cwd: opts.cwd,
      env: { ...process.env, NO_COLOR: '1', ...opts.env, BENCH_RSS_FILE: rssFile },
      stdio: ['pipe', fd, 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d.toString()));
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(opts.stdin ?? '');
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      fs.closeSync(fd);
      let kib = 0;
      let cpuMs = 0;
      try {
        const [rss, user, system] = fs.readFileSync(rssFile, 'utf8').split(' ').map(Number);
        kib = rss;
        cpuMs = (user + system) / 1000;
        fs.rmSync(rssFile);
      } catch {
        // the child died before its exit handler ran
      }
      resolve({ ms, rssMb: kib / 1024, cpuMs, code: code ?? -1, out, stderr });
    });
  });
}

// The simulated hosts get RAM for every VM a benchmark starts (the default 256 GiB holds about
// 1,000 of its 256 MiB VMs; plan refuses starts beyond a member's free memory).
const ROOMY_HOSTS = JSON.stringify({ host_memory_mib: 64 * 1024 * 1024 });

export function xenform(args: string[], opts: RunOptions): Promise<Measured> {
  return runNode([XENFORM, ...args], { ...opts, env: { XENSIM_FAULTS: ROOMY_HOSTS, ...opts.env } });
}

// Fails the benchmark when a command did not do what it was timed for.
export function expectCode(what: string, m: Measured, codes: number[]): Measured {
  if (!codes.includes(m.code)) {
    const out = fs.existsSync(m.out) ? fs.readFileSync(m.out, 'utf8').slice(0, 2000) : '';
    throw new Error(`${what} exited with ${m.code} (expected ${codes.join(' or ')}):\n${m.stderr.slice(0, 2000)}${out}`);
  }
  return m;
}

// The floor of printing a plan's JSON in this runtime: a process that reads the JSON file,
// parses it and writes it out again with JSON.stringify.
export function jsonFloor(file: string, cwd: string): Promise<Measured> {
  const script = `const fs=require('fs');const v=JSON.parse(fs.readFileSync(${JSON.stringify(file)},'utf8'));process.stdout.write(JSON.stringify(v)+'\\n')`;
  return runNode(['-e', script], { cwd });
}

export interface Row {
  bench: string;
  n: number;
  m: Measured;
  baseline?: { label: string; ms: number; cpuMs?: number };
  note?: string;
}

const fmtS = (ms: number) => (ms / 1000).toFixed(2).padStart(7);

// One line per measurement: time, peak RSS, the ratio to the same benchmark at the previous
// size, and the ratio to its baseline measured in the same run.
export class Report {
  private readonly last = new Map<string, { n: number; ms: number }>();
  readonly rows: Row[] = [];

  constructor(title: string) {
    console.log(`${title}\n(${os.cpus().length} CPUs ${os.cpus()[0]?.model ?? ''}, load ${os.loadavg()[0].toFixed(1)}, node ${process.version})`);
    console.log(`${'benchmark'.padEnd(34)} ${'N'.padStart(7)} ${'time s'.padStart(7)} ${'CPU s'.padStart(7)} ${'RSS MB'.padStart(7)} ${'t/t(prev N)'.padStart(15)}  baseline (wall; CPU)`);
  }

  add(row: Row): void {
    this.rows.push(row);
    const prev = this.last.get(row.bench);
    this.last.set(row.bench, { n: row.n, ms: row.m.ms });
    const growth = prev ? `${(row.m.ms / prev.ms).toFixed(2)} (x${(row.n / prev.n).toFixed(0)} N)` : '';
    const b = row.baseline;
    const cpuBase = b?.cpuMs ? `; CPU ${(row.m.cpuMs / b.cpuMs).toFixed(2)} x (${fmtS(b.cpuMs).trim()} s)` : '';
    const base = b ? `${(row.m.ms / b.ms).toFixed(2)} x ${b.label} (${fmtS(b.ms).trim()} s${cpuBase})` : '';
    const load = `load ${os.loadavg()[0].toFixed(1)}`; // the machine is shared: say how busy it was
    console.log(`${row.bench.padEnd(34)} ${String(row.n).padStart(7)} ${fmtS(row.m.ms)} ${fmtS(row.m.cpuMs)} ${row.m.rssMb.toFixed(0).padStart(7)} ${growth.padStart(15)}  ${base}${row.note ? `  ${row.note}` : ''}  ${load}`);
  }
}
