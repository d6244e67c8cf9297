// No-change `plan` of N existing VMs on 20 hosts over real SSH: each host its own OpenSSH
// server on 127.0.0.1 (test/support/sshd.ts) running the simulated `xe`, with N/20 VMs.
// Prints the plan's time and peak RSS, `plan --refresh=false` (the same without reading the
// hosts), and the baseline measured in the same run: the 20 raw inventory round trips (the
// xe commands of one refresh) done in parallel by `ssh` itself, and how much of that 20 bare
// ssh connections take.
// Run: npm run build && node dist/bench/cli-ssh.js     (BENCH_SIZES=1000,10000,100000; default 1000)
// Target (issue 16): at 10,000 VMs under 3 s, refresh (the plan beyond --refresh=false) at
// most 1.5x the raw round trips.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { inventoryQueries } from '../providers/xapi/inventory.js';
import { queryCommands } from '../providers/xapi/tables.js';
import { shq, sshArgs, startSshd, type Sshd } from '../test/support/sshd.js';
import { buildExistingFleet, simHostFile, writeConfig } from './cli/fleet.js';
import { expectCode, Report, sizes, tempDir, xenform } from './cli/run.js';

const HOSTS = 20;
const INVENTORY = inventoryQueries().flatMap(queryCommands).map((argv) => argv.map(shq).join(' ')).join('; ');

function rawRoundTrips(sshds: Sshd[], command = INVENTORY): Promise<number> {
  const t0 = performance.now();
  return Promise.all(
    sshds.map(
      (s) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn('ssh', [...sshArgs(s), command], { stdio: ['ignore', 'ignore', 'inherit'] });
          child.on('error', reject);
          child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ssh exited with ${code}`))));
        }),
    ),
  ).then(() => performance.now() - t0);
}

const report = new Report(`cli-ssh: no-change plan of N existing VMs on ${HOSTS} hosts, each its own sshd on 127.0.0.1`);
for (const n of sizes([1000])) {
  const dir = tempDir('ssh');
  const sshds: Sshd[] = [];
  try {
    const perHost = Math.ceil(n / HOSTS);
    await buildExistingFleet(dir, { hosts: HOSTS, perHost });
    fs.mkdirSync(path.join(dir, 'hosts'));
    for (let h = 0; h < HOSTS; h++) {
      const file = path.join(dir, 'hosts', `h${h}.json`);
      fs.renameSync(simHostFile(dir, h), file);
      sshds.push(await startSshd({ env: { XENSIM_STATE: file } }));
    }
    writeConfig(dir, { hosts: HOSTS, perHost, ssh: sshds });
    // Both are measured against warm hosts: the first round trip starts each host's simulator
    // daemon (providers/sim/daemon.ts), as the first command after a boot would start xapi.
    await rawRoundTrips(sshds);
    const raw = { label: 'raw ssh round trips', ms: await rawRoundTrips(sshds) };
    // What the round trips cost before any xe runs: 20 ssh connections that run `true`.
    const connect = await rawRoundTrips(sshds, 'true');
    console.log(`  N = ${n}: the 20 raw round trips took ${(raw.ms / 1000).toFixed(2)} s, of which ${(connect / 1000).toFixed(2)} s (${((100 * connect) / raw.ms).toFixed(0)}%) is what 20 ssh connections that run \`true\` take`);
    const plan = expectCode('plan over ssh', await xenform(['plan', '--detailed-exitcode'], { cwd: dir }), [0]);
    const offline = expectCode('plan --refresh=false', await xenform(['plan', '--refresh=false'], { cwd: dir }), [0, 2]);
    report.add({ bench: 'plan over ssh, no changes', n, m: plan, baseline: raw });
    report.add({ bench: 'plan --refresh=false', n, m: offline, baseline: raw });
    // The refresh's share: the plan's time beyond the same plan without reading the hosts.
    const refresh = plan.ms - offline.ms;
    console.log(`  N = ${n}: refresh (plan minus plan --refresh=false) ${(refresh / 1000).toFixed(2)} s = ${(refresh / raw.ms).toFixed(2)} x the raw round trips (target: at most 1.5 x)`);
  } finally {
    await Promise.all(sshds.map((s) => s.stop()));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
