import t from 'tap';
import { makePlan, TARGETING_WARNING } from '../../planner/plan/make-plan.js';
import { fingerprint } from '../../planner/plan/fingerprint.js';
import { serializePlan, parsePlan, isPlanFileError } from '../../planner/plan/plan-file.js';
import { detailedExitCode } from '../../planner/plan/exit-code.js';
import { attributes, config, inventory, observed, OPTIONS, planOne, resource, state, vmConfig, LINEAGE } from './builders.js';

const ops = (steps: { op: string }[]): string => steps.map((s) => s.op).join(' ');

t.test('a VM started outside xenform is reported as drift and halted again', async (t) => {
  const out = planOne('running', { power_state: 'halted' }, { res: { attributes: attributes({ power_state: 'halted' }) } });
  const plan = out.plan!;
  t.equal(plan.drift[0].kind, 'power_state');
  t.equal(plan.drift[0].before, 'halted');
  t.equal(plan.drift[0].after, 'running');
  t.equal(ops(plan.steps), 'clean_shutdown');
});

t.test('an attribute edited outside xenform is drift, and the configuration wins', async (t) => {
  const out = planOne('running', {}, { observedAttrs: { tags: ['hacked'] }, res: { attributes: attributes() } });
  const plan = out.plan!;
  t.same(plan.drift.map((d) => [d.kind, d.path]), [['attribute', 'tags']]);
  t.same(plan.steps[0].args, { changes: [{ path: 'tags', value: ['web'] }] });
});

t.test('a VM deleted outside xenform is planned for re-creation with a warning', async (t) => {
  const out = makePlan({ config: config([vmConfig('vm.web')]), state: state([resource('vm.web', 'u-gone')]), inventories: inventory([]), options: OPTIONS });
  const plan = out.plan!;
  t.equal(plan.drift[0].kind, 'deleted');
  t.equal(plan.resource_changes[0].action, 'create');
  t.equal(ops(plan.steps), 'create start');
  t.match(plan.warnings.join('\n'), /vm\.web was deleted outside xenform/);
});

t.test('a VM carrying this state\'s ownership markers is adopted, never created twice', async (t) => {
  const out = makePlan({ config: config([vmConfig('vm.web')]), state: state([]), inventories: inventory([observed('u-orphan', 'vm.web')]), options: OPTIONS });
  const plan = out.plan!;
  t.equal(plan.drift[0].kind, 'adopted');
  t.equal(plan.resource_changes[0].uuid, 'u-orphan');
  t.equal(plan.resource_changes[0].action, 'noop');
  t.notOk(plan.steps.some((s) => s.op === 'create'));
});

t.test('VMs without markers are never touched', async (t) => {
  const stranger = observed('u-stranger', null, { name: 'web' });
  const out = makePlan({ config: config([vmConfig('vm.web')]), state: state([]), inventories: inventory([stranger]), options: OPTIONS });
  const plan = out.plan!;
  t.equal(ops(plan.steps), 'create start');
  t.same(plan.resource_changes.map((c) => c.address), ['vm.web']);
  t.equal(plan.resource_changes[0].uuid, null);
});

t.test('a create whose address marker is on the host with another lineage is refused, never twinned', async (t) => {
  const other = observed('u-other', 'vm.web', {}, { markers: { address: 'vm.web', lineage: 'someone-else' } });
  const out = makePlan({ config: config([vmConfig('vm.web')]), state: state([]), inventories: inventory([other]), options: OPTIONS });
  t.equal(out.plan, null);
  t.match(out.errors[0].detail, /vm\.web would be created on host "lab", but VM u-other on host "lab" \(of lineage someone-else, not this state's\)/);
  t.match(out.errors[0].detail, /xenform state rebuild.*xenform import vm\.web u-other/);
});

t.test('one VM under two addresses is refused, naming both', async (t) => {
  const out = makePlan({
    config: config([vmConfig('vm.a'), vmConfig('vm.b')]),
    state: state([resource('vm.a', 'u-1'), resource('vm.b', 'u-1')]),
    inventories: inventory([observed('u-1', 'vm.a')]),
    options: OPTIONS,
  });
  t.equal(out.plan, null);
  t.match(out.errors.map((e) => e.detail).join('\n'), /VM u-1 on host "lab" would be managed as both vm\.a and vm\.b/);
});

t.test('a VM recorded under another address is never adopted as a second one through its old marker', async (t) => {
  const out = makePlan({
    config: config([vmConfig('vm.web'), vmConfig('vm.installer')]),
    state: state([resource('vm.installer', 'u-web')]),
    inventories: inventory([observed('u-web', 'vm.web')]),
    options: OPTIONS,
  });
  t.equal(out.plan, null);
  t.match(out.errors[0].detail, /vm\.web would be created on host "lab", but VM u-web on host "lab" \(recorded in the state as vm\.installer\)/);
});

t.test('a changed restart_trigger plans exactly one reboot', async (t) => {
  const vm = { restart_trigger: '2' };
  const running = planOne('running', {}, { vm, res: { restart_trigger: '1' } }).plan!;
  t.equal(ops(running.steps), 'clean_reboot');
  t.match(running.resource_changes[0].reasons.join(), /restart_trigger changed/);
  const withHalt = planOne('running', { vcpus_max: 4 }, { vm, res: { restart_trigger: '1' } }).plan!;
  t.equal(ops(withHalt.steps), 'clean_shutdown set start', 'a halt already gives the VM a new domain');
  const halted = planOne('halted', { power_state: 'halted' }, { vm, res: { restart_trigger: '1' } }).plan!;
  t.equal(ops(halted.steps), '', 'a halted VM has nothing to restart');
  const same = planOne('running', {}, { vm: { restart_trigger: '1' }, res: { restart_trigger: '1' } }).plan!;
  t.equal(ops(same.steps), '', 'an unchanged trigger does nothing');
});

t.test('a VM configured but not yet booted is drift; it is rebooted unless boot changes wait for the next boot', async (t) => {
  const boot = { ...attributes().boot, args: 'old' };
  const reboot = planOne('running', {}, { res: { pending_reboot: true } }).plan!;
  t.equal(reboot.drift[0].kind, 'pending_reboot');
  t.equal(ops(reboot.steps), 'clean_reboot');
  const wait = planOne('running', {}, {
    res: { pending_reboot: true },
    vm: { lifecycle: { prevent_destroy: false, ignore_changes: [], max_disruption: 'replace', apply_boot_changes: 'next_boot' } },
  }).plan!;
  t.equal(ops(wait.steps), '');
  t.equal(wait.resource_changes[0].pending_reboot, true, 'the mark stays');
  const out = makePlan({
    config: config([vmConfig('vm.web')]),
    state: state([resource('vm.web', 'u-1')]),
    inventories: inventory([observed('u-1', 'vm.web', {}, { booted_with: boot })]),
    options: OPTIONS,
  }).plan!;
  t.match(out.drift.find((d) => d.kind === 'pending_reboot')!.message, /booted with a different boot configuration/);
});

t.test('prevent_destroy refuses a plan that would destroy the VM, naming it', async (t) => {
  const lifecycle = { prevent_destroy: true, ignore_changes: [], max_disruption: 'replace' as const, apply_boot_changes: 'reboot' as const };
  const out = planOne('running', { template: 'Other' }, { vm: { lifecycle } });
  t.equal(out.plan, null);
  t.match(out.errors[0], { severity: 'error', summary: 'Instance cannot be destroyed', address: 'vm.web', detail: /vm\.web has lifecycle\.prevent_destroy = true/ });
  const destroy = planOne('running', {}, { vm: { lifecycle }, options: { destroy: true } });
  t.match(destroy.errors, [{ address: 'vm.web', detail: /vm\.web has lifecycle\.prevent_destroy/ }]);
});

t.test('a disruption above max_disruption refuses the plan, naming the VM and its steps', async (t) => {
  const lifecycle = { prevent_destroy: false, ignore_changes: [], max_disruption: 'none' as const, apply_boot_changes: 'reboot' as const };
  const out = planOne('running', { boot: { ...attributes().boot, args: 'x' } }, { vm: { lifecycle } });
  t.equal(out.plan, null);
  t.same(out.errors, [
    {
      severity: 'error',
      summary: 'Disruption above the limit',
      detail: 'vm.web would suffer disruption "reboot" (steps: set, clean_reboot), above lifecycle.max_disruption = "none"',
      address: 'vm.web',
    },
  ]);
  const flag = planOne('running', { vcpus_max: 8 }, { options: { maxDisruption: 'reboot' } });
  t.same(flag.errors.map((d) => d.detail), ['vm.web would suffer disruption "halt" (steps: clean_shutdown, set, start), above --max-disruption = "reboot"']);
  const fine = planOne('running', { name: 'x' }, { options: { maxDisruption: 'none' } });
  t.same(fine.errors, []);
});

const two = () => {
  const db = vmConfig('vm.db', {}, { name: 'db' });
  const web = vmConfig('vm.web', { depends_on: ['vm.db'] }, { name: 'web' });
  const other = vmConfig('vm.other', {}, { name: 'other' });
  return [db, web, other];
};

t.test('dependencies are created and started first; dependants wait for them', async (t) => {
  const plan = makePlan({ config: config(two()), state: null, inventories: inventory([]), options: { ...OPTIONS, lineage: 'new' } }).plan!;
  t.same(plan.steps.map((s) => `${s.id} ${s.address} ${s.op} [${s.depends_on.join(',')}]`), [
    's1 vm.db create []',
    's2 vm.db start [s1]',
    's3 vm.web create [s2]',
    's4 vm.web start [s3]',
    's5 vm.other create []',
    's6 vm.other start [s5]',
  ]);
  t.same((plan.steps[0].args as { markers: unknown }).markers, { address: 'vm.db', lineage: 'new' });
});

t.test('destroying stops and destroys dependants first, and targets pull in dependants', async (t) => {
  const res = [resource('vm.db', 'u-db', { name: 'db' }), resource('vm.web', 'u-web', { name: 'web' }), resource('vm.other', 'u-o', { name: 'other' })];
  const inv = inventory([observed('u-db', 'vm.db', { name: 'db' }), observed('u-web', 'vm.web', { name: 'web' }), observed('u-o', 'vm.other', { name: 'other' })]);
  const plan = makePlan({ config: config(two()), state: state(res), inventories: inv, options: { ...OPTIONS, destroy: true, targets: ['vm.db'] } }).plan!;
  t.same(plan.steps.map((s) => `${s.address} ${s.op} [${s.depends_on.join(',')}]`), [
    'vm.web clean_shutdown []',
    'vm.web destroy [s1]',
    'vm.db clean_shutdown [s2]',
    'vm.db destroy [s3]',
  ]);
  t.same(plan.warnings, [TARGETING_WARNING]);
  t.equal(plan.summary.delete, 2);
});

t.test('a target plans only that VM and its dependencies', async (t) => {
  const plan = makePlan({ config: config(two()), state: null, inventories: inventory([]), options: { ...OPTIONS, targets: ['vm.web'] } }).plan!;
  t.same([...new Set(plan.steps.map((s) => s.address))], ['vm.db', 'vm.web']);
  const bad = makePlan({ config: config(two()), state: null, inventories: inventory([]), options: { ...OPTIONS, targets: ['web'] } });
  t.match(bad.errors, [{ summary: 'Invalid target address', detail: /--target web: not a resource address/ }]);
  t.notOk('address' in bad.errors[0], 'an address that does not parse is not a subject');
});

t.test('--replace replaces a VM that has no changes', async (t) => {
  const plan = planOne('running', {}, { options: { replace: ['vm.web'] } }).plan!;
  t.equal(plan.resource_changes[0].action, 'replace');
  t.equal(ops(plan.steps), 'clean_shutdown destroy create start');
  t.same((plan.steps[1].args as { disks: unknown[] }).disks.length, 1, 'the disks xenform created go with it');
});

t.test('a VM removed from the configuration is shut down and destroyed', async (t) => {
  const plan = makePlan({ config: config([]), state: state([resource('vm.web', 'u-1')]), inventories: inventory([observed('u-1', 'vm.web')]), options: OPTIONS }).plan!;
  t.equal(ops(plan.steps), 'clean_shutdown destroy');
  t.equal(plan.resource_changes[0].disruption, 'destroy');
});

t.test('a refresh-only plan has no steps but reports the drift', async (t) => {
  const plan = planOne('running', { power_state: 'halted' }, { res: { attributes: attributes({ power_state: 'halted' }) }, options: { refreshOnly: true } }).plan!;
  t.same(plan.steps, []);
  t.equal(plan.drift.length, 1);
  t.equal(plan.resource_changes[0].action, 'read');
  t.equal(detailedExitCode(plan), 2);
});

t.test('without a refreshed host, the state stands for what the host has', async (t) => {
  const out = makePlan({ config: config([vmConfig('vm.web', {}, { name: 'renamed' })]), state: state([resource('vm.web', 'u-1')]), inventories: {}, options: OPTIONS });
  t.same(out.plan!.drift, []);
  t.equal(ops(out.plan!.steps), 'set');
  t.equal(out.plan!.resource_changes[0].fingerprint, null);
});

t.test('fingerprints change with power state, domain and attributes, and nothing else', async (t) => {
  const a = observed('u-1', 'vm.web');
  t.equal(fingerprint(a), fingerprint(observed('u-1', 'vm.web', { tags: ['web'] })), 'equal VMs hash equally');
  t.equal(fingerprint({ ...a, attributes: { ...a.attributes, tags: ['b', 'a'] } }), fingerprint({ ...a, attributes: { ...a.attributes, tags: ['a', 'b'] } }), 'tag order does not matter');
  t.not(fingerprint(a), fingerprint({ ...a, dom_id: 9 }));
  t.not(fingerprint(a), fingerprint(observed('u-1', 'vm.web', { power_state: 'paused' })));
  t.not(fingerprint(a), fingerprint(observed('u-1', 'vm.web', { vcpus: 1 })));
  const plan = planOne('running', { name: 'x' }).plan!;
  t.equal(plan.resource_changes[0].fingerprint, fingerprint(observed('u-1', 'vm.web')));
});

t.test('a saved plan reads back the same, and other versions are refused', async (t) => {
  const plan = planOne('running', { boot: { ...attributes().boot, args: 'x' } }).plan!;
  t.same(parsePlan(serializePlan(plan)), plan);
  const old = parsePlan(JSON.stringify({ ...plan, format_version: '0' }));
  t.ok(isPlanFileError(old));
  t.match((old as { error: string }).error, /format_version "0".*reads format_version "1"/);
  t.match((parsePlan('{nope') as { error: string }).error, /not JSON/);
  t.match((parsePlan('{"format_version":"1"}') as { error: string }).error, /"resource_changes" is missing/);
});

t.test('the detailed exit code tells no changes, changes, and disruptive changes apart', async (t) => {
  t.equal(detailedExitCode(planOne('running', {}).plan!), 0);
  t.equal(detailedExitCode(planOne('running', { name: 'x' }).plan!), 2);
  t.equal(detailedExitCode(planOne('running', { boot: { ...attributes().boot, args: 'x' } }).plan!), 3);
});

t.test('the state lineage is the one the markers must carry to be adopted', async (t) => {
  t.equal(LINEAGE, state([]).lineage);
});

t.test('a VM gone from both the configuration and its host is only forgotten from the state', async (t) => {
  const plan = makePlan({ config: config([]), state: state([resource('vm.web', 'u-1')]), inventories: inventory([]), options: OPTIONS }).plan!;
  t.same(plan.steps, []);
  t.equal(plan.resource_changes[0].action, 'delete');
  t.equal(plan.resource_changes[0].uuid, 'u-1', 'the uuid tells apply which state entry to drop');
  t.equal(plan.drift[0].kind, 'deleted');
  t.equal(detailedExitCode(plan), 2);
});

t.test('a disk the SR rounded up is the disk asked for; one outside the SR\'s allocation unit is grown, or refused as a shrink', async (t) => {
  const MiB = 1024 ** 2;
  const disk = (size: number) => [{ name: 'root', size, sr: 'Local storage', bootable: true }];
  const cases: { name: string; desired: number; observed: number; unit?: number; action: string }[] = [
    { name: 'a 1001 MiB disk given 1002 MiB by a 2 MiB SR is unchanged', desired: 1001 * MiB, observed: 1002 * MiB, unit: 2 * MiB, action: 'noop' },
    { name: 'a disk of exactly the desired size is unchanged', desired: 1000 * MiB, observed: 1000 * MiB, unit: 2 * MiB, action: 'noop' },
    { name: 'a disk one whole unit larger was not made from this size: shrinking it is refused', desired: 1000 * MiB, observed: 1002 * MiB, unit: 2 * MiB, action: 'refused' },
    { name: 'a disk smaller than desired is grown in place', desired: 1002 * MiB, observed: 1001 * MiB, unit: 2 * MiB, action: 'update' },
    { name: 'without a known unit sizes compare exactly', desired: 1001 * MiB, observed: 1002 * MiB, action: 'refused' },
  ];
  for (const c of cases) {
    const inv = inventory([observed('u-1', 'vm.web', { disks: disk(c.observed) })]);
    inv.lab.srs = [{ uuid: 'sr-1', name: 'Local storage', type: 'ext', ...(c.unit ? { allocation_unit: c.unit } : {}) }];
    const out = makePlan({
      config: config([vmConfig('vm.web', {}, { disks: disk(c.desired) })]),
      state: state([resource('vm.web', 'u-1', { disks: disk(c.observed) })]),
      inventories: inv,
      options: OPTIONS,
    });
    t.equal(out.plan?.resource_changes[0].action ?? (out.errors.length > 0 ? 'refused' : 'none'), c.action, c.name);
  }
});

t.test('a VM with more vCPUs than its host has CPUs is refused, naming the VM, its vcpus_max and the host\'s count', async (t) => {
  const cases: { name: string; vcpus_max: number; pcpus?: number; refused: boolean }[] = [
    { name: 'vcpus_max above the host\'s CPUs is refused', vcpus_max: 8, pcpus: 4, refused: true },
    { name: 'vcpus_max equal to the host\'s CPUs is planned', vcpus_max: 4, pcpus: 4, refused: false },
    { name: 'an unknown CPU count refuses nothing', vcpus_max: 64, refused: false },
  ];
  for (const c of cases) {
    for (const existing of [false, true]) {
      const inv = inventory(existing ? [observed('u-1', 'vm.web')] : []);
      if (c.pcpus !== undefined) inv.lab.pcpus = c.pcpus;
      const out = makePlan({
        config: config([vmConfig('vm.web', {}, { vcpus: 2, vcpus_max: c.vcpus_max })]),
        state: state(existing ? [resource('vm.web', 'u-1')] : []),
        inventories: inv,
        options: OPTIONS,
      });
      const what = `${c.name} (${existing ? 'an existing VM' : 'a new VM'})`;
      if (c.refused) {
        t.equal(out.plan, null, what);
        t.match(out.errors, [{ severity: 'error', address: 'vm.web', host: 'lab', detail: new RegExp(`vm\\.web has vcpus_max = ${c.vcpus_max}, but its host "lab" has ${c.pcpus} physical CPUs`) }], what);
      } else {
        t.same(out.errors, [], what);
      }
    }
  }
  const destroy = makePlan({ config: config([vmConfig('vm.web', {}, { vcpus_max: 8 })]), state: state([resource('vm.web', 'u-1')]), inventories: { lab: { ...inventory([observed('u-1', 'vm.web')]).lab, pcpus: 4 } }, options: { ...OPTIONS, destroy: true } });
  t.same(destroy.errors, [], 'destroying such a VM is never refused');
});

t.test('two VMs carrying one address of this lineage are refused, naming the address and both uuids', async (t) => {
  const cases: { name: string; resources: ReturnType<typeof resource>[]; configured: boolean; destroy?: boolean }[] = [
    { name: 'a clone beside the recorded VM is refused, not ignored', resources: [resource('vm.web', 'u-1')], configured: true },
    { name: 'two candidates for adoption are refused, neither adopted', resources: [], configured: true },
    { name: 'destroy refuses rather than pick one to destroy', resources: [resource('vm.web', 'u-1')], configured: true, destroy: true },
    { name: 'a VM gone from the configuration is destroyed by neither copy', resources: [resource('vm.web', 'u-1')], configured: false },
  ];
  for (const c of cases) {
    const out = makePlan({
      config: config(c.configured ? [vmConfig('vm.web')] : []),
      state: state(c.resources),
      inventories: inventory([observed('u-1', 'vm.web'), observed('u-2', 'vm.web', { name: 'web-clone' })]),
      options: { ...OPTIONS, destroy: c.destroy ?? false },
    });
    t.equal(out.plan, null, c.name);
    t.match(out.errors, [{ severity: 'error', address: 'vm.web', host: 'lab', detail: /VMs u-1 and u-2 on host "lab" both carry the ownership markers of vm\.web/ }], c.name);
  }
  const other = makePlan({
    config: config([vmConfig('vm.web')]),
    state: state([resource('vm.web', 'u-1')]),
    inventories: inventory([observed('u-1', 'vm.web'), observed('u-2', 'vm.web', {}, { markers: { address: 'vm.web', lineage: 'someone-else' } })]),
    options: OPTIONS,
  });
  t.same(other.errors, [], 'a copy carrying another lineage\'s markers is no twin');
});
