// Deposed objects through the journal fold: an apply stopped anywhere in a create_before_destroy
// replace leaves a state whose next plan never makes a twin and never destroys the new VM.
import t from 'tap';
import type { JournalEntry } from '../../engine/state/journal.js';
import { adoptPendingCreates, foldJournal, isRefusal, rebuildState } from '../../engine/state/transitions.js';
import { makePlan } from '../../planner/plan/make-plan.js';
import { DEFAULT_SHUTDOWN } from '../../planner/plan/recorded-policy.js';
import { config, inventory, observed, OPTIONS, resource, state, vmConfig } from '../planner/builders.js';

const time = '2026-01-01T00:00:00Z';
const OLD = 'u-old';
const NEW = 'u-new';
const running = { power_state: 'running' as const };
const journal: JournalEntry[] = [
  { t: 'begin', lineage: 'lineage-1', serial: 3, time },
  { t: 'start', step: 's1', address: 'vm.web', host: 'lab', op: 'create', uuid: null, time, name: 'web', template: 'Debian', deposes: OLD },
  { t: 'done', step: 's1', address: 'vm.web', host: 'lab', op: 'create', uuid: NEW, time, deposed: OLD, resource: resource('vm.web', NEW, { power_state: 'halted' }) },
  { t: 'start', step: 's2', address: 'vm.web', host: 'lab', op: 'start', uuid: NEW, time },
  { t: 'done', step: 's2', address: 'vm.web', host: 'lab', op: 'start', uuid: NEW, time, resource: resource('vm.web', NEW, running) },
  { t: 'start', step: 's3', address: 'vm.web', host: 'lab', op: 'clean_shutdown', uuid: OLD, time },
  { t: 'done', step: 's3', address: 'vm.web', host: 'lab', op: 'clean_shutdown', uuid: OLD, time, resource: resource('vm.web', OLD, { power_state: 'halted' }) },
  { t: 'start', step: 's4', address: 'vm.web', host: 'lab', op: 'destroy', uuid: OLD, time },
  { t: 'done', step: 's4', address: 'vm.web', host: 'lab', op: 'destroy', uuid: OLD, time, resource: null },
];

const cases = [
  { name: 'stopped during the create: the old VM stays the address\'s, nothing is deposed', upTo: 2, live: OLD, deposed: [] as string[] },
  { name: 'stopped after the create: the new VM is the address\'s and the old one is deposed', upTo: 3, live: NEW, deposed: [OLD] },
  { name: 'stopped after the old VM\'s shutdown: its deposed record says halted, the live one is untouched', upTo: 7, live: NEW, deposed: [OLD] },
  { name: 'stopped after the old VM\'s destroy: nothing is left deposed', upTo: 9, live: NEW, deposed: [] },
];
for (const c of cases) {
  t.test(c.name, async (t) => {
    const folded = foldJournal(state([resource('vm.web', OLD, running)]), journal.slice(0, c.upTo)).state;
    t.same(folded.resources.map((r) => [r.address, r.uuid]), [['vm.web', c.live]]);
    t.same((folded.deposed ?? []).map((d) => d.uuid), c.deposed);
    if (c.upTo === 7) {
      t.equal(folded.deposed![0].attributes.power_state, 'halted');
      t.equal(folded.resources[0].attributes.power_state, 'running', 'the deposed VM\'s shutdown never lands on the new VM\'s record');
    }
  });
}

t.test('the plan after a fold that left the old VM deposed destroys it, and only it', async (t) => {
  const folded = foldJournal(state([resource('vm.web', OLD, running)]), journal.slice(0, 3)).state;
  const hosts = inventory([observed(OLD, 'vm.web#deposed', running), observed(NEW, 'vm.web', running)]);
  const { plan, errors } = makePlan({ config: config([vmConfig('vm.web', { lifecycle: { prevent_destroy: false, ignore_changes: [], max_disruption: 'replace', apply_boot_changes: 'reboot', create_before_destroy: true } }, running)]), state: folded, inventories: hosts, options: OPTIONS });
  t.same(errors, []);
  t.same(plan!.resource_changes.filter((c) => c.action !== 'noop').map((c) => [c.address, c.action, c.uuid, c.deposed]), [['vm.web', 'delete', OLD, OLD]]);
  t.same(plan!.steps.map((s) => [s.op, s.deposed]), [['clean_shutdown', OLD], ['destroy', OLD]], 'every step names the deposed VM');
});

t.test('a deposed VM already gone from its host is forgotten without a step', async (t) => {
  const folded = foldJournal(state([resource('vm.web', OLD, running)]), journal.slice(0, 3)).state;
  const { plan } = makePlan({ config: config([vmConfig('vm.web', {}, running)]), state: folded, inventories: inventory([observed(NEW, 'vm.web', running)]), options: OPTIONS });
  t.same(plan!.resource_changes.filter((c) => c.action !== 'noop').map((c) => [c.action, c.deposed]), [['forget', OLD]]);
  t.same(plan!.steps, []);
});

// The twin window: the apply journaled the create (with the VM it deposes), rewrote the old VM's
// marker to vm.web#deposed, and the create made and marked the new VM, but the apply was killed
// before the create's `done` entry. The old VM is still recorded under vm.web.
const names: JournalEntry = { t: 'names', host: 'lab', names: { web: [OLD] }, time };
const cbd = { lifecycle: { prevent_destroy: false, ignore_changes: [], max_disruption: 'replace' as const, apply_boot_changes: 'reboot' as const, create_before_destroy: true } };
const twinWindow = [
  {
    name: 'killed after the replacement was made and marked, before its create was recorded: the replacement is adopted and the old VM is deposed',
    vms: [observed(OLD, 'vm.web#deposed', running), observed(NEW, 'vm.web', { power_state: 'halted' })],
    live: NEW,
    deposed: [OLD],
  },
  {
    name: 'killed after the old VM\'s marker was rewritten, before the replacement was made: the old VM stays the address\'s',
    vms: [observed(OLD, 'vm.web#deposed', running)],
    live: OLD,
    deposed: [] as string[],
  },
];
for (const c of twinWindow) {
  t.test(c.name, async (t) => {
    const folded = foldJournal(state([resource('vm.web', OLD, running)]), [names, ...journal.slice(0, 2)]);
    t.same(folded.state.pending_creates?.map((p) => [p.address, p.deposes]), [['vm.web', OLD]], 'the fold keeps the create pending, with the VM it deposes');
    const adopted = adoptPendingCreates(folded.state, inventory(c.vms));
    t.same(adopted.state.resources.map((r) => [r.address, r.uuid]), [['vm.web', c.live]], 'one record for the address, never two');
    t.same((adopted.state.deposed ?? []).map((d) => d.uuid), c.deposed);
    t.equal(adopted.state.pending_creates, undefined);
    const { plan, errors } = makePlan({ config: config([vmConfig('vm.web', cbd, running)]), state: adopted.state, inventories: inventory(c.vms), options: OPTIONS });
    t.same(errors, []);
    t.notOk(plan!.steps.some((s) => s.op === 'create'), 'no third VM is created');
    if (c.live === NEW) {
      t.same(plan!.steps.map((s) => `${s.op} ${s.deposed ?? 'vm.web'}`).sort(), ['clean_shutdown u-old', 'destroy u-old', 'start vm.web'], 'the replacement is started and the old VM destroyed, nothing else');
    }
  });
}

t.test('killed in the twin window with no record of the names before the create: the plan refuses, naming the old VM and its replacement', async (t) => {
  const folded = foldJournal(state([resource('vm.web', OLD, running)]), journal.slice(0, 2)).state;
  const vms = [observed(OLD, 'vm.web#deposed', running), observed(NEW, 'vm.web', running)];
  const adopted = adoptPendingCreates(folded, inventory(vms)).state;
  const { plan, errors } = makePlan({ config: config([vmConfig('vm.web', cbd, running)]), state: adopted, inventories: inventory(vms), options: OPTIONS });
  t.equal(plan, null);
  t.equal(errors.length, 1);
  t.match(errors[0].summary, /interrupted create_before_destroy replace left two VMs/);
  t.match(errors[0].detail, new RegExp(`${OLD}.*${NEW}`));
});

const rebuildCases = [
  {
    name: 'state rebuild records a VM marked vm.web#deposed as deposed and its replacement as vm.web, never two records for the address',
    vms: [observed(OLD, 'vm.web#deposed', running), observed(NEW, 'vm.web', running)],
    resources: [['vm.web', NEW]],
  },
  {
    name: 'state rebuild records a VM marked vm.web#deposed as deposed, not as the resource, even when no VM carries vm.web',
    vms: [observed(OLD, 'vm.web#deposed', running)],
    resources: [] as string[][],
  },
];
for (const c of rebuildCases) {
  t.test(c.name, async (t) => {
    const addresses = new Map([['vm.web', { host: 'lab', restartTrigger: null, shutdown: DEFAULT_SHUTDOWN }]]);
    const rebuilt = rebuildState(null, { addresses, inventories: inventory(c.vms), xenformVersion: '0.1.0' });
    if (isRefusal(rebuilt)) return t.fail(rebuilt.error);
    t.same(rebuilt.state.resources.map((r) => [r.address, r.uuid]), c.resources);
    t.same((rebuilt.state.deposed ?? []).map((d) => [d.address, d.uuid]), [['vm.web', OLD]]);
    t.match(rebuilt.notes.join('\n'), /recorded as deposed/);
    const { plan } = makePlan({ config: config([vmConfig('vm.web', cbd, running)]), state: rebuilt.state, inventories: inventory(c.vms), options: OPTIONS });
    t.same(plan!.steps.filter((s) => s.deposed !== undefined).map((s) => s.op), ['clean_shutdown', 'destroy'], 'the next plan destroys the deposed VM');
    t.ok(plan!.steps.every((s) => s.op === 'create' || s.op === 'start' || s.deposed === OLD), 'and no step of the address acts on the old VM as if it were vm.web');
  });
}

// prevent_destroy guards the resource: a create_before_destroy replace destroys the old VM, so it
// is refused at plan like any replace. A deposed object already in the state is no longer the
// resource and is destroyed whatever the block says, as OpenTofu's
// internal/tofu/node_resource_plan_destroy_deposed.go plans it (only orphans are checked, in
// node_resource_plan_orphan.go checkPreventDestroy).
const guarded = { lifecycle: { ...cbd.lifecycle, prevent_destroy: true } };
t.test('prevent_destroy refuses a create_before_destroy replace at plan, since its old VM would be destroyed', async (t) => {
  const { plan, errors } = makePlan({ config: config([vmConfig('vm.web', guarded, running)]), state: state([resource('vm.web', OLD, running)]), inventories: inventory([observed(OLD, 'vm.web', running)]), options: { ...OPTIONS, replace: ['vm.web'] } });
  t.equal(plan, null);
  t.match(errors.map((e) => e.summary), ['Instance cannot be destroyed']);
  t.match(errors[0].detail, /vm\.web has lifecycle\.prevent_destroy = true/);
});

t.test('prevent_destroy does not keep a deposed object: the plan destroys it and leaves the live VM alone, as OpenTofu does', async (t) => {
  const folded = foldJournal(state([resource('vm.web', OLD, running)]), journal.slice(0, 3)).state;
  const hosts = inventory([observed(OLD, 'vm.web#deposed', running), observed(NEW, 'vm.web', running)]);
  const { plan, errors } = makePlan({ config: config([vmConfig('vm.web', guarded, running)]), state: folded, inventories: hosts, options: OPTIONS });
  t.same(errors, []);
  t.same(plan!.steps.map((s) => [s.op, s.deposed]), [['clean_shutdown', OLD], ['destroy', OLD]]);
});
