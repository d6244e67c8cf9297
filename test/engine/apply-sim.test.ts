// The engine with the real planner and the XAPI provider on an in-process simulated host.
import t from 'tap';
import fs from 'node:fs';
import { runApply } from '../../engine/apply.js';
import type { EngineEvent } from '../../engine/events.js';
import { lockPath } from '../../engine/state/local/lock.js';
import { journalPath } from '../../engine/state/local/journal.js';
import { StateStore } from '../../engine/state/local/store.js';
import type { State } from '../../planner/model/state.js';
import type { Config, VmConfig } from '../../planner/config/types.js';
import { makePlan } from '../../planner/plan/make-plan.js';
import { openProvider } from '../../providers/factory.js';
import { attrs, config, hostConfig, vmConfig } from './fake-host.js';

const MiB = 2 ** 20;

function web(i: number, extra: { memory?: number; power?: 'running' | 'halted'; group?: string } = {}): VmConfig {
  const mem = extra.memory ?? 256 * MiB;
  const a = attrs(`web-${i}`, extra.power ?? 'running', {
    template: 'Other install media', // provisions no disks of its own
    boot: { mode: 'hvm', bootloader: '', kernel: '', ramdisk: '', args: '', bootloader_args: '', order: 'cd', firmware: 'bios' },
    memory: { static_min: mem, static_max: mem, dynamic_min: mem, dynamic_max: mem },
  });
  return vmConfig(`vm.web[${i}]`, 'lab', { attributes: a as VmConfig['attributes'], group: extra.group, shutdown: { mode: 'clean', timeout_ms: 5000, fallback: 'hard' } });
}

async function planAndApply(dir: string, cfg: Config, env: Record<string, string | undefined> = {}, events: EngineEvent[] = []) {
  const store = new StateStore(dir);
  const state: State | null = await store.read();
  const p = await openProvider(cfg.hosts[0], { workdir: dir, env });
  const inv = await p.inventory();
  await p.close();
  const outcome = makePlan({
    config: cfg,
    state,
    inventories: { lab: inv },
    options: { destroy: false, refreshOnly: false, targets: [], replace: [], xenformVersion: '0.1.0', lineage: state ? undefined : 'lineage-test' },
  });
  if (!outcome.plan) throw new Error(outcome.errors.join('; '));
  const result = await runApply(outcome.plan, { dir, parallelism: 10, savedPlan: false, config: cfg, env }, (e) => void events.push(e));
  return { plan: outcome.plan, result, state: (await store.read())! };
}

async function hostVms(dir: string, cfg: Config) {
  const p = await openProvider(cfg.hosts[0], { workdir: dir, env: {} });
  try {
    return (await p.inventory()).vms;
  } finally {
    await p.close();
  }
}

t.test('created VMs carry the state lineage in their markers and are recorded at once', async (t) => {
  const dir = t.testdir();
  const cfg = config(dir, [hostConfig('lab', 4)], [web(0), web(1), web(2)]);
  const { result, state } = await planAndApply(dir, cfg);
  t.ok(result.ok, JSON.stringify(result.failed));
  const vms = await hostVms(dir, cfg);
  t.equal(vms.length, 3);
  t.ok(vms.every((v) => v.attributes.power_state === 'running'));
  t.ok(vms.every((v) => v.markers.lineage === state.lineage), 'every VM points at the state lineage');
  t.same(state.resources.map((r) => r.uuid).sort(), vms.map((v) => v.uuid).sort());
  t.notOk(fs.existsSync(journalPath(dir)));
  t.notOk(fs.existsSync(lockPath(dir)));

  const again = await planAndApply(dir, cfg);
  t.equal(again.plan.steps.length, 0, 'a second plan has nothing to do');
  t.same(again.plan.resource_changes.flatMap((c) => c.changes), [], 'and sees no difference');
});

t.test('a memory change halts, sets and starts each VM; a failed start is restored and reported', async (t) => {
  const dir = t.testdir();
  const base = config(dir, [hostConfig('lab', 4)], [web(0), web(1)]);
  t.ok((await planAndApply(dir, base)).result.ok);
  const bigger = config(dir, [hostConfig('lab', 4)], [web(0, { memory: 512 * MiB }), web(1, { memory: 512 * MiB })]);
  const events: EngineEvent[] = [];
  // The first vm-start of this apply fails (calls are counted while faults are on): that VM is left halted by the plan's steps.
  const faults = JSON.stringify({ fail: [{ command: 'vm-start', nth: 1, code: 'VM_BAD_POWER_STATE' }] });
  const { result, plan } = await planAndApply(dir, bigger, { XENSIM_FAULTS: faults }, events);
  t.same([...new Set(plan.steps.map((s) => s.op))].sort(), ['clean_shutdown', 'set', 'start'].sort());
  t.notOk(result.ok);
  t.equal(result.failed.length, 1);
  t.match(result.failed[0].error, /start needs a halted VM/, 'the host error is the reason');
  t.equal(result.restored?.length, 1, 'the failed VM is brought back');
  t.ok(result.restored?.[0].ok, result.restored?.[0].error ?? 'restored');
  t.ok(events.some((e) => e.type === 'vm_restore' && e.to === 'running'));
  const vms = await hostVms(dir, base);
  t.ok(vms.every((v) => v.attributes.power_state === 'running'), 'both VMs run again');
  t.ok(vms.every((v) => v.attributes.memory.static_max === 512 * MiB), 'the memory change itself went through before the start failed');
});
