// Whole commands on a repository of N existing, running VMs (one simulated host by default;
// BENCH_HOSTS to spread them): `plan` with no changes, `plan` with one attribute changed on
// every VM (the PV args, through --var: N updates of `set` + `clean_reboot`), `state list`,
// `state show` and `fmt --check`. Each is run as a user runs it (a child process, output to a
// file) and printed with its peak RSS, t(N)/t(previous N), and the ratio to a baseline
// measured in the same run: the JSON floor of its output for the plans (a `node -e` that
// reads the plan JSON and JSON.stringify-s it), a `node -e` that reads and parses the state
// file for the state commands.
// Run: npm run build && node dist/bench/cli-existing.js   (BENCH_SIZES=1000,10000,100000; default 1000,10000)
import fs from 'node:fs';
import path from 'node:path';
import { buildExistingFleet } from './cli/fleet.js';
import { expectCode, jsonFloor, Report, runNode, sizes, tempDir, xenform } from './cli/run.js';

const HOSTS = Number(process.env.BENCH_HOSTS ?? 1);
const CHANGED = ['--var', 'args=console=hvc0 quiet'];

const report = new Report(`cli-existing: whole commands on N existing running VMs (${HOSTS} simulated host${HOSTS > 1 ? 's' : ''})`);
for (const n of sizes([1000, 10_000])) {
  const dir = tempDir('existing');
  try {
    await buildExistingFleet(dir, { hosts: HOSTS, perHost: Math.ceil(n / HOSTS) });
    const noChange = path.join(dir, 'nochange.json');
    const pj = expectCode('no-change plan --json', await xenform(['plan', '--json', '--detailed-exitcode'], { cwd: dir, out: noChange }), [0]);
    const fm = await jsonFloor(noChange, dir);
    const floor = { label: 'JSON floor', ms: fm.ms, cpuMs: fm.cpuMs };
    report.add({ bench: 'plan, no changes', n, m: expectCode('no-change plan', await xenform(['plan', '--detailed-exitcode'], { cwd: dir }), [0]), baseline: floor });
    report.add({ bench: 'plan --json, no changes', n, m: pj, baseline: floor });

    const updates = path.join(dir, 'updates.json');
    const uj = expectCode('plan --json of updates', await xenform(['plan', '--json', '--detailed-exitcode', ...CHANGED], { cwd: dir, out: updates }), [3]);
    const um = await jsonFloor(updates, dir);
    const ufloor = { label: 'JSON floor', ms: um.ms, cpuMs: um.cpuMs };
    report.add({ bench: 'plan, N updates', n, m: expectCode('plan of updates', await xenform(['plan', '--detailed-exitcode', ...CHANGED], { cwd: dir }), [3]), baseline: ufloor });
    report.add({ bench: 'plan --json, N updates', n, m: uj, baseline: ufloor, note: `${(fs.statSync(updates).size / 1e6).toFixed(0)} MB` });
    report.add({ bench: 'plan --markdown, N updates', n, m: expectCode('plan --markdown', await xenform(['plan', '--markdown', ...CHANGED], { cwd: dir }), [0]), baseline: ufloor });

    const readState = { label: 'reading the state', ms: (await runNode(['-e', "const s=JSON.parse(require('fs').readFileSync('xenform.state.json','utf8'));console.log(s.resources.map(r=>r.address).join('\\n'))"], { cwd: dir })).ms };
    report.add({ bench: 'state list', n, m: expectCode('state list', await xenform(['state', 'list'], { cwd: dir }), [0]), baseline: readState });
    report.add({ bench: 'state show', n, m: expectCode('state show', await xenform(['state', 'show', 'vm.h0[0]'], { cwd: dir }), [0]), baseline: readState });
    report.add({ bench: 'fmt --check', n, m: expectCode('fmt --check', await xenform(['fmt', '--check'], { cwd: dir }), [0]), baseline: readState });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
