// The planner against the simulated dom0: plans of random configurations run step by step
// through the provider (the simulator refuses any step its lifecycle forbids), and planning
// again afterwards finds nothing to do.
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config, HostConfig, VmConfig } from '../../planner/config/types.js';
import type { DesiredPowerState, Toolstack } from '../../planner/model/vm.js';
import type { State, StateResource } from '../../planner/model/state.js';
import type { Plan } from '../../planner/plan/types.js';
import { makePlan } from '../../planner/plan/make-plan.js';
import { graphFor } from '../../planner/lifecycle/graphs.js';
import { openProvider } from '../../providers/factory.js';
import type { Provider } from '../../providers/provider.js';
import { attributes, vmConfig } from './builders.js';
import { pick, rng, type Rand } from './random.js';

const MiB = 2 ** 20;
const SEED = Number(process.env.PLANNER_SEED ?? 7);
const ROUNDS = 10;
const range = { filename: 'main.xf.hcl', start: { line: 1, column: 1, byte: 0 }, end: { line: 1, column: 1, byte: 0 } };
const LINEAGE = 'lineage-sim';

function randomVm(r: Rand, i: number, toolstack: Toolstack): VmConfig {
  const mem = pick(r, [256, 512]) * MiB;
  const [vcpus, vcpus_max] = pick(r, [[1, 1], [1, 2], [2, 2]]);
  const hvm = toolstack === 'xapi' && r() < 0.3;
  const base = attributes();
  const a = {
    ...base,
    name: `vm-${i}${r() < 0.3 ? '-b' : ''}`,
    template: 'Other install media',
    power_state: pick<DesiredPowerState>(r, ['running', 'halted', 'paused', 'suspended']),
    memory: { static_min: mem / 2, static_max: mem, dynamic_min: mem, dynamic_max: mem },
    vcpus,
    vcpus_max,
    boot: hvm
      ? { ...base.boot, mode: 'hvm' as const, bootloader: '', args: '', order: pick(r, ['cd', 'dc']) }
      : { ...base.boot, args: pick(r, ['console=hvc0 quiet', 'console=hvc0']) },
    disks: [],
    networks: [],
    tags: pick(r, [['web'], []]),
    other_config: { ...pick<Record<string, string>>(r, [{}, { owner: 'ops' }]) },
  };
  return vmConfig(`vm.v[${i}]`, {
    attributes: a,
    restart_trigger: pick(r, [null, '1', '2']),
    shutdown: { mode: 'clean', timeout_ms: 5000, fallback: 'hard' },
    lifecycle: { prevent_destroy: false, ignore_changes: [], max_disruption: 'replace', apply_boot_changes: r() < 0.2 ? 'next_boot' : 'reboot' },
  });
}

async function apply(plan: Plan, provider: Provider, cfg: Config, before: State | null): Promise<State> {
  const uuids = new Map<string, string | null>(plan.resource_changes.map((c) => [c.address, c.action === 'create' ? null : c.uuid]));
  for (const step of plan.steps) {
    const res = await provider.execute(step, { uuid: step.op === 'create' ? null : (uuids.get(step.address) ?? null), address: step.address });
    uuids.set(step.address, step.op === 'destroy' ? null : res.uuid);
  }
  const previous = new Map((before?.resources ?? []).map((r) => [r.address, r]));
  const resources: StateResource[] = [];
  for (const rc of plan.resource_changes) {
    const uuid = uuids.get(rc.address);
    if (rc.action === 'delete' || !uuid) continue;
    const vm = (await provider.readVm(uuid))!;
    resources.push({
      address: rc.address,
      host: rc.host,
      uuid,
      attributes: vm.attributes,
      booted_with: vm.booted_with,
      // As apply records it: the configuration's trigger, dropped when the configuration drops it.
      restart_trigger: cfg.vms.some((v) => v.address === rc.address) ? cfg.vms.find((v) => v.address === rc.address)!.restart_trigger : (previous.get(rc.address)?.restart_trigger ?? null),
      owned: true,
      pending_reboot: rc.pending_reboot === true,
    });
  }
  return { version: 1, lineage: LINEAGE, serial: (before?.serial ?? 0) + 1, xenform_version: '0.1.0', resources, outputs: {} };
}

// A simulator that cannot list VMs yet (xl before it lands) skips its test, saying why.
async function unsupported(toolstack: Toolstack): Promise<string | false> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xenform-probe-'));
  const provider = await openProvider({ name: 'probe', simulator: true, toolstack, max_parallel: 1, range }, { workdir: dir, env: {} });
  try {
    const message = await provider.inventory().then(() => null, (e: Error) => e.message);
    return message !== null && /not simulated/.test(message) ? `the ${toolstack} simulator cannot list VMs yet` : false;
  } finally {
    await provider.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

for (const toolstack of ['xapi', 'xl'] as const) {
  const skip = await unsupported(toolstack);
  t.test(`on a simulated ${toolstack} host, applying a plan's steps and planning again gives no changes`, { skip }, async (t) => {
    const dir = t.testdir();
    const host: HostConfig = { name: 'lab', simulator: true, toolstack, max_parallel: 4, range };
    const provider = await openProvider(host, { workdir: dir, env: {} });
    t.teardown(() => provider.close());

    const r = rng(SEED + (toolstack === 'xl' ? 1 : 0));
    let state: State | null = null;
    const failures: string[] = [];
    let ran = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const count = 1 + Math.floor(r() * 3);
      const cfg: Config = { dir, hosts: [host], vms: Array.from({ length: count }, (_, i) => randomVm(r, i, toolstack)), outputs: [], variables: {} };
      const plan = makePlan({ config: cfg, state, inventories: { lab: await provider.inventory() }, options: { destroy: false, refreshOnly: false, targets: [], replace: [], xenformVersion: '0.1.0', lineage: LINEAGE } });
      if (!plan.plan) {
        failures.push(`round ${round}: refused: ${plan.errors.map((d) => d.detail).join('; ')}`);
        break;
      }
      try {
        state = await apply(plan.plan, provider, cfg, state);
      } catch (e) {
        failures.push(`round ${round}: ${(e as Error).message}\n  steps: ${plan.plan.steps.map((s) => `${s.address} ${s.op}`).join(', ')}`);
        break;
      }
      ran += plan.plan.steps.length;
      const again = makePlan({ config: cfg, state, inventories: { lab: await provider.inventory() }, options: { destroy: false, refreshOnly: false, targets: [], replace: [], xenformVersion: '0.1.0' } });
      const left = again.plan?.resource_changes.filter((c) => c.action !== 'noop') ?? [];
      if (!again.plan || again.plan.steps.length > 0 || left.length > 0) {
        failures.push(`round ${round}: the second plan is not empty: ${JSON.stringify(again.errors)} ${JSON.stringify(left.map((c) => ({ address: c.address, action: c.action, changes: c.changes.map((x) => [x.path, x.before, x.after]), reasons: c.reasons })))}`);
        break;
      }
      // Someone else changes a power state between applies: the next plan must cope with the drift.
      const vms = (await provider.inventory()).vms;
      if (vms.length > 0 && r() < 0.6) {
        const vm = pick(r, vms);
        const moves = graphFor(toolstack).transitions.filter((tr) => tr.from === vm.attributes.power_state);
        const tr = pick(r, moves);
        await provider.execute(
          { id: 'x1', address: vm.markers.address ?? '', host: 'lab', op: tr.op, args: {}, from: tr.from, to: tr.to, depends_on: [] },
          { uuid: vm.uuid, address: vm.markers.address ?? '' },
        );
      }
    }
    t.same(failures, [], 'every round converges');
    t.ok(ran > 0, `${ran} steps ran on the simulator`);
  });
}
