// The median time of each xenform lifecycle step (plan with refresh + apply, through the engine)
// on the real Xen 4.17 host under QEMU, next to the same step on the simulated xl host, with the
// ratio real / simulated, and the SSH round trips each plan's refresh costs per host.
// Run: bash bench/xen-lifecycle.sh   (builds and boots the host, runs this, stops the host)
//   or, with a host booted by test/xen-host/boot.sh and its env file sourced:
//   npm run build && node dist/bench/xen-lifecycle.js      (BENCH_ROUNDS, default 3)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runApply } from '../engine/apply.js';
import { runPlan, type PlanRequest } from '../engine/run-plan.js';
import type { HostConfig } from '../planner/config/types.js';
import { openTransport, type ProviderContext } from '../providers/factory.js';
import type { Provider, Transport } from '../providers/provider.js';
import { XlProvider } from '../providers/xl/provider.js';
import { resetDom0 } from '../test/xen/dom0.js';
import { hostBlock, tinyVmBlock, type TinyVm } from '../test/xen/xenform.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface Step {
  name: string;
  vm: Partial<TinyVm> | null; // null: destroy
}

const STEPS = (round: number): Step[] => [
  { name: 'create + start', vm: { power_state: 'running', args: 'console=hvc0 xf_bench=a' } },
  { name: 'no-op plan + apply', vm: {} },
  { name: 'pause', vm: { power_state: 'paused' } },
  { name: 'unpause', vm: { power_state: 'running' } },
  { name: 'suspend (save file)', vm: { power_state: 'suspended' } },
  { name: 'resume', vm: { power_state: 'running' } },
  { name: 'args change (reboot)', vm: { args: `console=hvc0 xf_bench=b${round}` } },
  { name: 'clean shutdown', vm: { power_state: 'halted' } },
  { name: 'start', vm: { power_state: 'running' } },
  { name: 'destroy', vm: null },
];

class Target {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xf-bench-xen-'));
  private readonly opened: Transport[] = [];
  private vm: TinyVm = { name: 'xf-bench', power_state: 'running', args: '' };
  readonly times = new Map<string, number[]>();
  readonly planTrips: number[] = [];

  constructor(readonly label: string, private readonly hostText: string) {
    // The simulated host resolves dom0 paths under its file root.
    const root = path.join(this.dir, '.xenform', 'sim', 'xen.root', 'root', 'guest');
    fs.mkdirSync(root, { recursive: true });
    for (const f of ['vmlinuz', 'initrd.gz']) fs.writeFileSync(path.join(root, f), '');
  }

  private openProvider = async (host: HostConfig, ctx: ProviderContext): Promise<Provider> => {
    const transport = openTransport(host, ctx);
    this.opened.push(transport);
    return new XlProvider(host.name, transport, { configDir: host.config_dir, suspendDir: host.suspend_dir });
  };

  async step(step: Step): Promise<void> {
    if (step.vm) this.vm = { ...this.vm, ...step.vm };
    fs.writeFileSync(path.join(this.dir, 'main.xf.hcl'), this.hostText + (step.vm ? tinyVmBlock('bench', this.vm) : ''));
    const req: PlanRequest = {
      dir: this.dir,
      vars: {},
      varFiles: [],
      destroy: step.vm === null,
      refreshOnly: false,
      refresh: true,
      targets: [],
      replace: [],
      openProvider: this.openProvider,
    };
    const quiet = () => undefined;
    const t0 = performance.now();
    this.opened.length = 0;
    const planned = await runPlan(req, quiet);
    this.planTrips.push(this.opened.reduce((n, t) => n + t.roundTrips(), 0) / Math.max(1, this.opened.length));
    if (!planned.plan || planned.errors.length > 0) {
      throw new Error(`${this.label}: plan of "${step.name}" failed: ${[...planned.errors, ...planned.diagnostics.map((d) => d.summary)].join('; ')}`);
    }
    const r = await runApply(planned.plan, { dir: this.dir, parallelism: 10, savedPlan: false, config: planned.config!, openProvider: this.openProvider }, quiet);
    if (!r.ok) throw new Error(`${this.label}: apply of "${step.name}" failed: ${[...r.errors, ...r.failed.map((f) => f.error)].join('; ')}`);
    const ms = performance.now() - t0;
    this.times.set(step.name, [...(this.times.get(step.name) ?? []), ms]);
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function main(): Promise<void> {
  const real = new Target('real Xen', hostBlock('xen'));
  const sim = new Target('simulated xl', 'host "xen" {\n  simulator = true\n  toolstack = "xl"\n}\n\n');
  await resetDom0();
  for (let round = 0; round < ROUNDS; round++) {
    for (const step of STEPS(round)) {
      await real.step(step);
      await sim.step(step);
      process.stderr.write(`round ${round + 1}/${ROUNDS}: ${step.name} done\n`);
    }
  }
  const rows = STEPS(0).map((s) => {
    const r = median(real.times.get(s.name)!);
    const m = median(sim.times.get(s.name)!);
    return [s.name, r.toFixed(0), m.toFixed(1), (r / m).toFixed(0)];
  });
  const header = ['step (plan + apply)', 'real ms', 'sim ms', 'real/sim'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`xenform lifecycle, median of ${ROUNDS} rounds`);
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  const trips = (t: Target) => `${median(t.planTrips)} (max ${Math.max(...t.planTrips)})`;
  console.log(`SSH round trips per plan refresh, per host: real ${trips(real)}, simulated ${trips(sim)}`);
  const total = (t: Target) => [...t.times.values()].flat().reduce((a, b) => a + b, 0);
  console.log(`whole run: real ${(total(real) / 1000).toFixed(1)} s, simulated ${(total(sim) / 1000).toFixed(1)} s, ratio ${(total(real) / total(sim)).toFixed(0)}`);
  await resetDom0();
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
