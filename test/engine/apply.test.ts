import t from 'tap';
import fs from 'node:fs';
import { runApply, type ApplyRequest } from '../../engine/apply.js';
import type { EngineEvent } from '../../engine/events.js';
import { createInterrupter } from '../../engine/interrupt.js';
import { journalPath } from '../../engine/state/local/journal.js';
import { lockPath } from '../../engine/state/local/lock.js';
import { StateStore } from '../../engine/state/local/store.js';
import { emptyState } from '../../engine/state/transitions.js';
import type { Step } from '../../planner/model/ops.js';
import { ProviderError } from '../../providers/provider.js';
import { attrs, change, config, FakeHost, hostConfig, plan, step, vmConfig } from './fake-host.js';

function request(dir: string, hosts: FakeHost[], extra: Partial<ApplyRequest> = {}, maxParallel = 4): ApplyRequest {
  const byName = new Map(hosts.map((h) => [h.name, h]));
  const vms = hosts.flatMap((h) => [...h.vms.values()].map((v) => vmConfig(v.markers.address!, h.name)));
  return {
    dir,
    parallelism: 10,
    savedPlan: false,
    config: config(dir, hosts.map((h) => hostConfig(h.name, maxParallel)), vms),
    openProvider: async (hc) => byName.get(hc.name)!.provider(),
    ...extra,
  };
}

const collect = () => {
  const events: EngineEvent[] = [];
  return { events, sink: (e: EngineEvent) => void events.push(e) };
};

// `perHost` halted VMs on each host, each with a start step.
function haltedOn(hosts: FakeHost[], perHost: number) {
  const steps: Step[] = [];
  const changes = [];
  for (const h of hosts) {
    for (let i = 0; i < perHost; i++) {
      const vm = h.add(`vm.${h.name}[${i}]`, attrs(`${h.name}-${i}`, 'halted'));
      steps.push(step(`s${steps.length + 1}`, `vm.${h.name}[${i}]`, h.name, 'start'));
      changes.push(change(`vm.${h.name}[${i}]`, h.name, vm));
    }
  }
  return { steps, changes };
}

t.test('independent VMs start in parallel, at most max_parallel per host', async (t) => {
  const dir = t.testdir();
  const hosts = [new FakeHost('a', { delayMs: 30 }), new FakeHost('b', { delayMs: 30 })];
  const { steps, changes } = haltedOn(hosts, 6);
  const { sink } = collect();
  const r = await runApply(plan(steps, changes), request(dir, hosts, {}, 3), sink);
  t.ok(r.ok, 'the apply succeeds');
  t.equal(r.succeeded.length, 12);
  for (const h of hosts) {
    t.equal(h.maxRunning, 3, `host ${h.name} ran exactly max_parallel steps at once`);
    t.ok([...h.vms.values()].every((v) => v.attributes.power_state === 'running'), `every VM on ${h.name} runs`);
  }
  t.notOk(fs.existsSync(lockPath(dir)), 'the lock is released');
  t.notOk(fs.existsSync(journalPath(dir)), 'the journal is gone after a complete apply');
});

t.test('the overall parallelism caps every host together', async (t) => {
  const dir = t.testdir();
  const hosts = [new FakeHost('a', { delayMs: 20 }), new FakeHost('b', { delayMs: 20 })];
  let now = 0;
  let peak = 0;
  const wrap = hosts.map((h) => {
    const p = h.provider();
    return { name: h.name, p: { ...p, execute: async (...args: Parameters<typeof p.execute>) => { peak = Math.max(peak, ++now); try { return await p.execute(...args); } finally { now--; } } } };
  });
  const { steps, changes } = haltedOn(hosts, 5);
  const req = request(dir, hosts, { parallelism: 3, openProvider: async (hc) => wrap.find((w) => w.name === hc.name)!.p });
  const r = await runApply(plan(steps, changes), req, () => undefined);
  t.ok(r.ok);
  t.equal(peak, 3);
});

t.test('when the overall parallelism binds, every host gets its share of it', async (t) => {
  const dir = t.testdir();
  const hosts = ['a', 'b', 'c', 'd'].map((name) => new FakeHost(name));
  const parallelism = 10;
  // The first steps are held until `parallelism` of them run, then released together.
  const running = new Map<string, number>();
  let firstWave: Record<string, number> | null = null;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const wrap = hosts.map((h) => {
    const p = h.provider();
    const execute = async (...args: Parameters<typeof p.execute>) => {
      running.set(h.name, (running.get(h.name) ?? 0) + 1);
      if (!firstWave && [...running.values()].reduce((a, b) => a + b, 0) === parallelism) {
        firstWave = Object.fromEntries(running);
        release();
      }
      await gate;
      return p.execute(...args);
    };
    return { name: h.name, p: { ...p, execute } };
  });
  const { steps, changes } = haltedOn(hosts, 6);
  const req = request(dir, hosts, { parallelism, openProvider: async (hc) => wrap.find((w) => w.name === hc.name)!.p }, 3);
  const r = await runApply(plan(steps, changes), req, () => undefined);
  t.ok(r.ok, 'the apply succeeds');
  t.same(firstWave, { a: 3, b: 3, c: 2, d: 2 }, 'the first 10 steps are spread over the 4 hosts, none left to finish alone');
});

t.test('dependencies are respected: dependants shut down first and start last', async (t) => {
  const dir = t.testdir();
  const h = new FakeHost('a', { delayMs: 5 });
  const db = h.add('vm.db', attrs('db'));
  const web = h.add('vm.web', attrs('web'));
  const steps = [
    step('s1', 'vm.web', 'a', 'hard_shutdown'),
    step('s2', 'vm.db', 'a', 'hard_shutdown', ['s1']),
    step('s3', 'vm.db', 'a', 'start', ['s2']),
    step('s4', 'vm.web', 'a', 'start', ['s3']),
  ];
  const r = await runApply(plan(steps, [change('vm.db', 'a', db), change('vm.web', 'a', web)]), request(dir, [h]), () => undefined);
  t.ok(r.ok);
  t.same(h.log, ['hard_shutdown vm.web', 'hard_shutdown vm.db', 'start vm.db', 'start vm.web']);
});

t.test('a failed step stops its VM and its dependants, lets the others finish, and restores the power state', async (t) => {
  const dir = t.testdir();
  const h = new FakeHost('a', {
    delayMs: 5,
    fail: (s) => (s.op === 'set' && s.address === 'vm.db' ? new ProviderError('a', 'MEMORY_CONSTRAINT_VIOLATION', {}, 'Memory limits must satisfy: static_min <= dynamic_min <= dynamic_max <= static_max') : null),
  });
  const db = h.add('vm.db', attrs('db'));
  const app = h.add('vm.app', attrs('app'));
  const other = h.add('vm.other', attrs('other', 'halted'));
  const steps = [
    step('s1', 'vm.db', 'a', 'hard_shutdown'),
    step('s2', 'vm.db', 'a', 'set', ['s1'], { changes: [{ path: 'memory.static_max', value: 1 }] }),
    step('s3', 'vm.db', 'a', 'start', ['s2']),
    step('s4', 'vm.app', 'a', 'clean_reboot', ['s3']),
    step('s5', 'vm.other', 'a', 'start'),
  ];
  const { events, sink } = collect();
  const r = await runApply(plan(steps, [change('vm.db', 'a', db), change('vm.app', 'a', app), change('vm.other', 'a', other)]), request(dir, [h]), sink);
  t.notOk(r.ok, 'the apply reports failure');
  t.same(r.failed.map((f) => f.step), ['s2']);
  t.match(r.failed[0].error, /static_min <= dynamic_min/, 'the host error is kept as the reason');
  t.same(r.skipped.map((s) => s.step).sort(), ['s3', 's4'], 'the VM\'s later step and its dependant are skipped');
  t.match(r.skipped.find((s) => s.step === 's4')!.reason, /waits for a step of vm\.db that did not run/);
  t.ok(r.succeeded.includes('s5'), 'an independent VM finishes');
  t.equal(h.vms.get(db.uuid)!.attributes.power_state, 'running', 'the failed VM is running again, as before apply');
  t.same(r.restored, [{ address: 'vm.db', to: 'running', ok: true }]);
  t.ok(events.some((e) => e.type === 'vm_restore' && e.address === 'vm.db' && e.ok));
  const done = events.find((e) => e.type === 'apply_done');
  t.match(done, { succeeded: 2, failed: 1, skipped: 2 });
  t.notOk(fs.existsSync(lockPath(dir)));
});

t.test('created VMs are recorded in the state with their uuid and owned', async (t) => {
  const dir = t.testdir();
  const h = new FakeHost('a');
  const steps = [
    step('s1', 'vm.new', 'a', 'create', [], { attributes: attrs('new', 'running'), markers: { address: 'vm.new', lineage: 'LIN' } }),
    step('s2', 'vm.new', 'a', 'start', ['s1']),
  ];
  const r = await runApply(plan(steps, [change('vm.new', 'a', null)]), request(dir, [h]), () => undefined);
  t.ok(r.ok);
  const state = (await new StateStore(dir).read())!;
  t.equal(state.lineage, 'LIN', 'a first apply takes the lineage its ownership markers carry');
  t.equal(state.resources.length, 1);
  t.equal(state.resources[0].uuid, [...h.vms.keys()][0]);
  t.equal(state.resources[0].attributes.power_state, 'running');
  t.ok(state.resources[0].owned);
});

t.test('a plan made against another serial is refused as a whole', async (t) => {
  const dir = t.testdir();
  const store = new StateStore(dir);
  const s0 = await store.write(emptyState('0.1.0', 'L'));
  await store.write({ ...s0, outputs: { x: { value: 1, sensitive: false } } });
  const h = new FakeHost('a');
  const vm = h.add('vm.a', attrs('a', 'halted'));
  const r = await runApply(plan([step('s1', 'vm.a', 'a', 'start')], [change('vm.a', 'a', vm)], { lineage: 'L', serial: 0 }), request(dir, [h], { savedPlan: true }), () => undefined);
  t.notOk(r.ok);
  t.match(r.errors[0], /saved plan was made against state serial 0, but the state is now at serial 1/);
  t.same(h.log, [], 'nothing ran');
  const other = await runApply(plan([step('s1', 'vm.a', 'a', 'start')], [change('vm.a', 'a', vm)], { lineage: 'OTHER', serial: 1 }), request(dir, [h], { savedPlan: true }), () => undefined);
  t.match(other.errors[0], /lineage OTHER, but the state has lineage L/);
});

const policyCases: { name: string; ignores: { names: string[]; haltsAfterMs?: number }; fallback: 'hard' | 'fail'; ok: boolean; log: string[]; note?: RegExp; error?: RegExp }[] = [
  { name: 'a guest that ignores the clean shutdown is forced off after the timeout', ignores: { names: ['g'] }, fallback: 'hard', ok: true, log: ['hard_shutdown vm.g'], note: /no clean shutdown within 100ms; forcing it/ },
  { name: 'with fallback = "fail" the step fails after the timeout', ignores: { names: ['g'] }, fallback: 'fail', ok: false, log: [], error: /no clean shutdown within 100ms.*fallback = "fail"/ },
  { name: 'a guest that halts by itself while xenform waits is not forced', ignores: { names: ['g'], haltsAfterMs: 50 }, fallback: 'hard', ok: true, log: [], note: /halted by itself/ },
  { name: 'a cooperative guest shuts down cleanly', ignores: { names: [] }, fallback: 'hard', ok: true, log: ['clean_shutdown vm.g'] },
];
for (const c of policyCases) {
  t.test(c.name, async (t) => {
    const dir = t.testdir();
    const h = new FakeHost('a', { ignoresCleanShutdown: c.ignores });
    const vm = h.add('vm.g', attrs('g'));
    const s = step('s1', 'vm.g', 'a', 'clean_shutdown', [], { shutdown: { mode: 'clean', timeout_ms: 100, fallback: c.fallback } });
    const { events, sink } = collect();
    const r = await runApply(plan([s], [change('vm.g', 'a', vm)]), request(dir, [h]), sink);
    t.equal(r.ok, c.ok);
    t.same(h.log, c.log);
    if (c.note) t.ok(events.some((e) => e.type === 'step_note' && c.note!.test(e.message)), 'the output says what happened');
    if (c.error) t.match(r.failed[0]?.error, c.error);
    if (c.ok) t.equal(h.vms.get(vm.uuid)!.attributes.power_state, 'halted');
  });
}

t.test('the disruption budget keeps at most N VMs of a group down at once', async (t) => {
  const dir = t.testdir();
  const h = new FakeHost('a', { delayMs: 10 });
  const steps: Step[] = [];
  const changes = [];
  const vms = [];
  for (let i = 0; i < 5; i++) {
    const address = `vm.web[${i}]`;
    const vm = h.add(address, attrs(`web-${i}`));
    steps.push(step(`d${i}`, address, 'a', 'hard_shutdown'), step(`u${i}`, address, 'a', 'start', [`d${i}`]));
    changes.push(change(address, 'a', vm, { disruption: 'halt' }));
    vms.push(vmConfig(address, 'a', { group: 'web' }));
  }
  let down = 0;
  let peak = 0;
  const base = h.provider();
  const req = request(dir, [h], {
    maxUnavailable: 2,
    config: config(dir, [hostConfig('a', 8)], vms),
    openProvider: async () => ({
      ...base,
      execute: async (s, target, signal) => {
        const r = await base.execute(s, target, signal);
        if (s.op === 'hard_shutdown') peak = Math.max(peak, ++down);
        if (s.op === 'start') down--;
        return r;
      },
    }),
  });
  const r = await runApply(plan(steps, changes), req, () => undefined);
  t.ok(r.ok);
  t.equal(peak, 2, 'two VMs of the group were down at once, never three');
});

t.test('a first interrupt finishes the steps in flight and skips the rest; state written, lock released', async (t) => {
  const dir = t.testdir();
  const h = new FakeHost('a', { delayMs: 60 });
  const steps: Step[] = [];
  const changes = [];
  for (let i = 0; i < 6; i++) {
    const vm = h.add(`vm.v[${i}]`, attrs(`v${i}`, 'halted'));
    steps.push(step(`s${i}`, `vm.v[${i}]`, 'a', 'start'));
    changes.push(change(`vm.v[${i}]`, 'a', vm));
  }
  const ctl = createInterrupter();
  const { events, sink } = collect();
  let started = 0;
  const wrapped = (e: EngineEvent) => {
    sink(e);
    if (e.type === 'step_start' && ++started === 2) ctl.interrupt(); // both slots busy
  };
  const r = await runApply(plan(steps, changes), request(dir, [h], { signal: ctl.signal, abortSignal: ctl.abortSignal }, 2), wrapped);
  t.notOk(r.ok);
  t.ok(r.interrupted);
  t.equal(r.succeeded.length, 2, 'the two steps in flight finished');
  t.equal(r.skipped.length, 4);
  t.match(r.skipped[0].reason, /interrupted/);
  t.ok(events.some((e) => e.type === 'interrupt' && e.count === 1));
  t.notOk(fs.existsSync(lockPath(dir)));
  t.ok((await new StateStore(dir).read()) !== null, 'the state is written');
});

t.test('a second interrupt aborts the waits in flight', async (t) => {
  const dir = t.testdir();
  const h = new FakeHost('a', { delayMs: 5_000 });
  const vm = h.add('vm.slow', attrs('slow', 'halted'));
  const ctl = createInterrupter();
  const t0 = Date.now();
  const sink = (e: EngineEvent) => {
    if (e.type === 'step_start') {
      setTimeout(() => ctl.interrupt(), 20);
      setTimeout(() => ctl.interrupt(), 40);
    }
  };
  const r = await runApply(plan([step('s1', 'vm.slow', 'a', 'start')], [change('vm.slow', 'a', vm)]), request(dir, [h], { signal: ctl.signal, abortSignal: ctl.abortSignal }), sink);
  t.ok(Date.now() - t0 < 2000, 'it does not wait for the slow step');
  t.match(r.failed[0].error, /aborted by a second interrupt/);
  t.notOk(fs.existsSync(lockPath(dir)), 'the lock is released');
});

t.test('an apply started while another holds the lock fails at once naming the holder', async (t) => {
  const dir = t.testdir();
  const h = new FakeHost('a', { delayMs: 3000 });
  const vm = h.add('vm.a', attrs('a', 'halted'));
  const p = plan([step('s1', 'vm.a', 'a', 'start')], [change('vm.a', 'a', vm)]);
  const first = runApply(p, request(dir, [h]), () => undefined);
  await new Promise((r) => setTimeout(r, 50));
  const t0 = Date.now();
  const second = await runApply(p, request(dir, [h]), () => undefined);
  t.ok(Date.now() - t0 < 1500, 'the second does not wait for the first to finish');
  t.match(second.errors[0], new RegExp(`locked.*pid ${process.pid}.*"apply"`));
  t.ok((await first).ok, 'the first completes');
});

t.test('in an apply without a saved plan (or with --allow-partial), a VM that changed since the plan is refused with what changed; the others proceed', async (t) => {
  const { fingerprint } = await import('../../planner/plan/fingerprint.js');
  const dir = t.testdir();
  const h = new FakeHost('a');
  const moved = h.add('vm.moved', attrs('moved'));
  const calm = h.add('vm.calm', attrs('calm'));
  const steps = [
    step('s1', 'vm.moved', 'a', 'hard_reboot'),
    step('s2', 'vm.moved', 'a', 'set', ['s1'], { changes: [{ path: 'tags', value: ['x'] }] }),
    step('s3', 'vm.calm', 'a', 'hard_reboot'),
  ];
  const p = plan(steps, [
    change('vm.moved', 'a', moved, { fingerprint: fingerprint(moved) }),
    change('vm.calm', 'a', calm, { fingerprint: fingerprint(calm) }),
  ]);
  h.vms.get(moved.uuid)!.attributes.power_state = 'paused'; // someone paused it after the plan
  const { events, sink } = collect();
  const r = await runApply(p, request(dir, [h]), sink);
  t.notOk(r.ok);
  t.equal(r.refused.length, 1);
  t.equal(r.refused[0].address, 'vm.moved');
  t.match(r.refused[0].reason, /power state running -> paused/);
  t.same(h.log, ['hard_reboot vm.calm'], 'the unchanged VM ran, the changed one was not touched');
  t.same(r.skipped.map((s) => s.step).sort(), ['s1', 's2']);
  t.ok(events.some((e) => e.type === 'vm_refused' && e.address === 'vm.moved'));
});

t.test('a VM deleted since the plan is refused as gone', async (t) => {
  const { fingerprint } = await import('../../planner/plan/fingerprint.js');
  const dir = t.testdir();
  const h = new FakeHost('a');
  const vm = h.add('vm.gone', attrs('gone'));
  const p = plan([step('s1', 'vm.gone', 'a', 'hard_reboot')], [change('vm.gone', 'a', vm, { fingerprint: fingerprint(vm) })]);
  h.vms.delete(vm.uuid);
  const r = await runApply(p, request(dir, [h]), () => undefined);
  t.match(r.refused[0].reason, /no longer exists on a/);
});
