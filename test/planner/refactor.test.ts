// What moved, import and removed blocks make of a plan: moves without steps, imports with
// their attribute changes, forgets, and the refusals that keep one VM under one address.
import t from 'tap';
import { makePlan } from '../../planner/plan/make-plan.js';
import type { Config, ImportConfig, MovedConfig, RemovedConfig } from '../../planner/config/types.js';
import { config, GiB, inventory, observed, OPTIONS, resource, state, vmConfig } from './builders.js';

const at = { filename: 'main.xf.hcl', start: { line: 7, column: 1, byte: 60 }, end: { line: 7, column: 8, byte: 67 } };
const moved = (from: string, to: string): MovedConfig => ({ from, to, range: at });
const imp = (to: string, id: string): ImportConfig => ({ to, id, range: at });
const removed = (from: string, destroy: boolean): RemovedConfig => ({ from, destroy, range: at });
const withBlocks = (c: Config, blocks: Partial<Config>): Config => ({ ...c, ...blocks });

t.test('moves: the plan sees each VM under its new address, with no step', async (t) => {
  const cases: { name: string; moves: MovedConfig[]; recorded: string[]; configured: string[]; want: [string, string | undefined][] }[] = [
    { name: 'count index to for_each key', moves: [moved('vm.web[0]', 'vm.web["a"]')], recorded: ['vm.web[0]'], configured: ['vm.web["a"]'], want: [['vm.web["a"]', 'vm.web[0]']] },
    { name: 'a whole vm renamed keeps its keys', moves: [moved('vm.web', 'vm.app')], recorded: ['vm.web[0]', 'vm.web[1]'], configured: ['vm.app[0]', 'vm.app[1]'], want: [['vm.app[0]', 'vm.web[0]'], ['vm.app[1]', 'vm.web[1]']] },
    { name: 'a single vm becomes instance 0', moves: [moved('vm.web', 'vm.web[0]')], recorded: ['vm.web'], configured: ['vm.web[0]'], want: [['vm.web[0]', 'vm.web']] },
    { name: 'a chain ends at its last address, reported from the first', moves: [moved('vm.a', 'vm.b'), moved('vm.b', 'vm.c')], recorded: ['vm.a'], configured: ['vm.c'], want: [['vm.c', 'vm.a']] },
    { name: 'a vm moves into a module', moves: [moved('vm.web', 'module.site["a"].vm.web')], recorded: ['vm.web'], configured: ['module.site["a"].vm.web'], want: [['module.site["a"].vm.web', 'vm.web']] },
    { name: 'a module instance moves to a key', moves: [moved('module.site[0]', 'module.site["a"]')], recorded: ['module.site[0].vm.web'], configured: ['module.site["a"].vm.web'], want: [['module.site["a"].vm.web', 'module.site[0].vm.web']] },
    { name: 'a whole module renamed keeps its keys', moves: [moved('module.old', 'module.new')], recorded: ['module.old[1].vm.web'], configured: ['module.new[1].vm.web'], want: [['module.new[1].vm.web', 'module.old[1].vm.web']] },
    { name: 'a move that matches nothing recorded does nothing', moves: [moved('vm.gone', 'vm.web')], recorded: ['vm.web'], configured: ['vm.web'], want: [['vm.web', undefined]] },
  ];
  for (const c of cases) {
    const res = c.recorded.map((a, i) => resource(a, `u-${i}`));
    const obs = c.recorded.map((a, i) => observed(`u-${i}`, a));
    const out = makePlan({ config: withBlocks(config(c.configured.map((a) => vmConfig(a))), { moved: c.moves }), state: state(res), inventories: inventory(obs), options: OPTIONS });
    t.same(out.errors, [], `${c.name}: no refusal`);
    t.same(out.plan?.resource_changes.map((rc) => [rc.address, rc.previous_address]), c.want, c.name);
    t.same(out.plan?.steps, [], `${c.name}: no step`);
    t.ok(out.plan?.resource_changes.every((rc) => rc.action === 'noop' && rc.disruption === 'none'), `${c.name}: nothing else changes`);
  }
});

t.test('a move onto an address the state already holds is refused at the moved block', async (t) => {
  const out = makePlan({
    config: withBlocks(config([vmConfig('vm.b')]), { moved: [moved('vm.a', 'vm.b')] }),
    state: state([resource('vm.a', 'u-1'), resource('vm.b', 'u-2')]),
    inventories: inventory([observed('u-1', 'vm.a'), observed('u-2', 'vm.b')]),
    options: OPTIONS,
  });
  t.equal(out.plan, null);
  t.match(out.errors[0], { summary: 'Move onto an address already in use', subject: at, detail: /both VM u-1 and VM u-2 as vm\.b/ });
});

t.test('no plan holds one VM under two addresses: refused naming both', async (t) => {
  const cases: { name: string; blocks: Partial<Config>; recorded: [string, string][]; configured: string[]; want: RegExp }[] = [
    { name: 'an import of a VM already recorded elsewhere', blocks: { imports: [imp('vm.b', 'u-1')] }, recorded: [['vm.a', 'u-1']], configured: ['vm.a', 'vm.b'], want: /VM u-1 is already recorded as vm\.a; importing it as vm\.b/ },
    { name: 'a state that records one VM twice', blocks: {}, recorded: [['vm.a', 'u-1'], ['vm.b', 'u-1']], configured: ['vm.a', 'vm.b'], want: /VM u-1 on host "lab" would be managed as both vm\.a and vm\.b/ },
  ];
  for (const c of cases) {
    const out = makePlan({
      config: withBlocks(config(c.configured.map((a) => vmConfig(a))), c.blocks),
      state: state(c.recorded.map(([a, u]) => resource(a, u))),
      inventories: inventory([observed('u-1', null)]),
      options: OPTIONS,
    });
    t.equal(out.plan, null, c.name);
    t.match(out.errors.map((e) => e.detail).join('\n'), c.want, c.name);
  }
});

t.test('imports: the VM is planned as it is, with the changes the configuration brings', async (t) => {
  const cases: { name: string; desired: Record<string, unknown>; observedPower: 'running' | 'halted'; action: string; disruption: string; paths: string[] }[] = [
    { name: 'a VM that matches its block: nothing but the import', desired: {}, observedPower: 'running', action: 'noop', disruption: 'none', paths: [] },
    { name: 'a live change comes with the import', desired: { description: 'adopted' }, observedPower: 'running', action: 'update', disruption: 'none', paths: ['description'] },
    { name: 'a memory change needs a halt', desired: { memory: { static_min: GiB, static_max: 4 * GiB, dynamic_min: 4 * GiB, dynamic_max: 4 * GiB } }, observedPower: 'running', action: 'update', disruption: 'halt', paths: ['memory.dynamic_min', 'memory.dynamic_max', 'memory.static_max'] },
  ];
  for (const c of cases) {
    const out = makePlan({
      config: withBlocks(config([vmConfig('vm.x', {}, c.desired)]), { imports: [imp('vm.x', 'u-7')] }),
      state: null,
      inventories: inventory([observed('u-7', null, { power_state: c.observedPower })]),
      options: OPTIONS,
    });
    t.same(out.errors, [], `${c.name}: no refusal`);
    const rc = out.plan!.resource_changes[0];
    t.same([rc.address, rc.importing, rc.action, rc.disruption, rc.uuid], ['vm.x', { id: 'u-7' }, c.action, c.disruption, 'u-7'], c.name);
    t.same(rc.changes.map((x) => x.path).filter((p) => p !== 'power_state'), c.paths, `${c.name}: the changes`);
  }
});

t.test('imports that cannot be planned are refused at the import block', async (t) => {
  const cases: { name: string; vms: string[]; inv: ReturnType<typeof inventory>; generate?: boolean; want?: RegExp; unconfigured?: string[] }[] = [
    { name: 'no VM of that uuid on the host', vms: ['vm.x'], inv: inventory([]), want: /Host "lab" \(the host of vm\.x\) has no VM with uuid u-7/ },
    { name: 'no vm block for the target', vms: [], inv: inventory([observed('u-7', null)]), want: /no vm block for vm\.x.*--generate-config-out/ },
    { name: 'no vm block, with --generate-config-out: handed back', vms: [], inv: inventory([observed('u-7', null)]), generate: true, unconfigured: ['vm.x'] },
    { name: 'the host was not read', vms: ['vm.x'], inv: {}, want: /which this plan did not read/ },
  ];
  for (const c of cases) {
    const out = makePlan({ config: withBlocks(config(c.vms.map((a) => vmConfig(a))), { imports: [imp('vm.x', 'u-7')] }), state: null, inventories: c.inv, options: { ...OPTIONS, generateConfig: c.generate } });
    if (c.want) {
      t.equal(out.plan, null, c.name);
      t.match(out.errors[0], { subject: at, detail: c.want }, c.name);
    } else {
      t.same(out.errors, [], c.name);
      t.same(out.unconfigured?.map((u) => u.target.to), c.unconfigured, c.name);
    }
  }
});

t.test('a VM whose block is gone: removed blocks decide between forgetting and destroying', async (t) => {
  const cases: { name: string; owned: boolean; removed?: RemovedConfig; action: string }[] = [
    { name: 'created by xenform, no removed block: destroyed', owned: true, action: 'delete' },
    { name: 'created by xenform, destroy = false: forgotten', owned: true, removed: removed('vm.old', false), action: 'forget' },
    { name: 'imported, no removed block: forgotten', owned: false, action: 'forget' },
    { name: 'imported, destroy = true: destroyed', owned: false, removed: removed('vm.old', true), action: 'delete' },
    { name: 'a removed block naming its module: forgotten', owned: true, removed: removed('module.m', false), action: 'forget' },
  ];
  for (const c of cases) {
    const address = c.removed?.from === 'module.m' ? 'module.m.vm.old' : 'vm.old';
    const out = makePlan({
      config: withBlocks(config([]), { removed: c.removed ? [c.removed] : [] }),
      state: state([resource(address, 'u-1', {}, { owned: c.owned })]),
      inventories: inventory([observed('u-1', address)]),
      options: OPTIONS,
    });
    t.same(out.errors, [], c.name);
    t.equal(out.plan?.resource_changes[0].action, c.action, c.name);
    t.equal(out.plan?.steps.length === 0, c.action === 'forget', `${c.name}: steps only to destroy`);
  }
});
