// Whole commands on a repository of N VMs to create (one simulated host, one `vm` block of
// `count = N`), each run as a user runs it: `node bin/xenform.js …` in a child process, its
// output to a file. Prints time, peak RSS and t(N)/t(previous N) for `validate`, `plan`
// (text, --json, --markdown, --out) and `fmt --check`, against baselines measured in the same
// run: the JSON floor (a `node -e` that reads the plan JSON and JSON.stringify-s it) for the
// plans, and a `node -e` that reads the configuration and splits it into lines for validate
// and fmt.
// Run: npm run build && node dist/bench/cli-plan.js      (BENCH_SIZES=1000,10000,100000; default 1000,10000;
// BENCH_ONLY=plan picks benchmarks by the start of their names)
// Targets (issue 16): plan of 10,000 under 2 s and within 3x of the JSON floor; of 100,000
// under 20 s and 1.5 GB, t(100k)/t(10k) <= 12.
import fs from 'node:fs';
import path from 'node:path';
import { writeConfig } from './cli/fleet.js';
import { expectCode, jsonFloor, Report, runNode, sizes, tempDir, wanted, xenform } from './cli/run.js';

const report = new Report('cli-plan: whole commands on N VMs to create (1 simulated host)');
for (const n of sizes([1000, 10_000])) {
  const dir = tempDir('plan');
  try {
    writeConfig(dir, { hosts: Number(process.env.BENCH_HOSTS ?? 1), perHost: n });
    const text = await runNode(['-e', "const fs=require('fs');let n=0;for(const f of fs.readdirSync('.'))if(f.endsWith('.xf.hcl'))n+=fs.readFileSync(f,'utf8').split('\\n').length;console.log(n)"], { cwd: dir });
    const readLines = { label: 'reading the files', ms: text.ms, cpuMs: text.cpuMs };
    if (wanted('validate')) report.add({ bench: 'validate', n, m: expectCode('validate', await xenform(['validate'], { cwd: dir }), [0]), baseline: readLines });
    if (wanted('fmt --check')) report.add({ bench: 'fmt --check', n, m: expectCode('fmt --check', await xenform(['fmt', '--check'], { cwd: dir }), [0]), baseline: readLines });
    const json = path.join(dir, 'plan.json');
    const pj = expectCode('plan --json', await xenform(['plan', '--json'], { cwd: dir, out: json }), [0]);
    const fm = await jsonFloor(json, dir);
    const floor = { label: 'JSON floor', ms: fm.ms, cpuMs: fm.cpuMs };
    if (wanted('plan (text)')) report.add({ bench: 'plan (text)', n, m: expectCode('plan', await xenform(['plan'], { cwd: dir }), [0]), baseline: floor });
    report.add({ bench: 'plan --json', n, m: pj, baseline: floor, note: `${(fs.statSync(json).size / 1e6).toFixed(0)} MB` });
    if (wanted('plan --markdown')) report.add({ bench: 'plan --markdown', n, m: expectCode('plan --markdown', await xenform(['plan', '--markdown'], { cwd: dir }), [0]), baseline: floor });
    if (wanted('plan --out')) report.add({ bench: 'plan --out FILE', n, m: expectCode('plan --out', await xenform(['plan', '--out', 'saved.plan'], { cwd: dir }), [0]), baseline: floor });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
