// Plans 10,000 VMs (configuration already evaluated) and prints the time against a baseline
// measured in the same run: serialising the same configuration, state and inventories to JSON.
// Run: npm run build && node dist/bench/plan-10k.js   (target: under 300 ms)
import { performance } from 'node:perf_hooks';
import type { Config, VmConfig } from '../planner/config/types.js';
import type { HostInventory, ObservedVm, VmAttributes } from '../planner/model/vm.js';
import type { State, StateResource } from '../planner/model/state.js';
import { makePlan, type PlanInput } from '../planner/plan/make-plan.js';
import { attributes, GiB } from '../test/planner/builders.js';

const N = Number(process.env.BENCH_VMS ?? 10_000);
const HOSTS = 10;
const range = { filename: 'main.xf.hcl', start: { line: 1, column: 1, byte: 0 }, end: { line: 1, column: 1, byte: 0 } };

function attrs(i: number): VmAttributes {
  return attributes({ name: `web-${i}`, tags: ['web', `rack-${i % 40}`], other_config: { owner: 'ops' } });
}

// 70% unchanged, 10% PV args (reboot), 5% static memory (halt), 5% renamed (live),
// 5% to be created, 5% halted to be started; every tenth VM depends on the one before.
function input(): PlanInput {
  const vms: VmConfig[] = [];
  const resources: StateResource[] = [];
  const observed: ObservedVm[][] = Array.from({ length: HOSTS }, () => []);
  for (let i = 0; i < N; i++) {
    const address = `vm.web[${i}]`;
    const host = `h${i % HOSTS}`;
    const desired = attrs(i);
    const actual = attrs(i);
    const kind = i % 20;
    if (kind === 0 || kind === 1) desired.boot = { ...desired.boot, args: 'console=hvc0' };
    if (kind === 2) desired.memory = { ...desired.memory, static_max: 4 * GiB, dynamic_max: 4 * GiB, dynamic_min: 4 * GiB };
    if (kind === 3) desired.name = `web-${i}-new`;
    if (kind === 4) actual.power_state = 'halted';
    vms.push({
      address,
      host,
      attributes: { ...desired, power_state: 'running' },
      shutdown: { mode: 'clean', timeout_ms: 120_000, fallback: 'hard' },
      restart_trigger: null,
      depends_on: i % 10 === 1 ? [`vm.web[${i - 1}]`] : [],
      lifecycle: { prevent_destroy: false, ignore_changes: [], max_disruption: 'replace', apply_boot_changes: 'reboot' },
      range,
      attributeRanges: {},
    });
    if (kind === 5) continue;
    const uuid = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    resources.push({ address, host, uuid, attributes: actual, booted_with: actual.boot, restart_trigger: null, owned: true, pending_reboot: false });
    observed[i % HOSTS].push({
      uuid,
      host,
      attributes: actual,
      markers: { address, lineage: 'bench' },
      dom_id: actual.power_state === 'running' ? i + 1 : -1,
      booted_with: actual.power_state === 'running' ? { ...actual.boot } : null,
      requires_reboot: false,
    });
  }
  const config: Config = {
    dir: '/bench',
    hosts: Array.from({ length: HOSTS }, (_, h) => ({ name: `h${h}`, simulator: true, toolstack: h % 2 === 0 ? 'xapi' : 'xl', max_parallel: 4, range })),
    vms,
    outputs: [],
    variables: {},
  };
  const state: State = { version: 1, lineage: 'bench', serial: 1, xenform_version: 'bench', resources, outputs: {} };
  const inventories: Record<string, HostInventory> = Object.fromEntries(
    observed.map((vms, h) => [`h${h}`, { host: `h${h}`, toolstack: h % 2 === 0 ? 'xapi' : 'xl', vms, templates: [], srs: [], networks: [] }]),
  );
  return { config, state, inventories, options: { destroy: false, refreshOnly: false, targets: [], replace: [], xenformVersion: 'bench' } };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(f: () => unknown, runs: number): number {
  f();
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

const inp = input();
const baseline = time(() => JSON.stringify([inp.config.vms, inp.state, inp.inventories]), 5);
let steps = 0;
const planned = time(() => {
  const out = makePlan(inp);
  if (!out.plan) throw new Error(out.errors.map((d) => d.detail).join('\n'));
  steps = out.plan.steps.length;
}, 5);
console.log(`plan-10k: ${N} VMs on ${HOSTS} hosts, ${steps} steps`);
console.log(`  baseline (JSON.stringify of config, state and inventories): ${baseline.toFixed(1)} ms`);
console.log(`  makePlan: ${planned.toFixed(1)} ms (${(planned / baseline).toFixed(2)}x baseline; target < 300 ms: ${planned < 300 ? 'met' : 'NOT met'})`);
