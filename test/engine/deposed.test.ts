// Deposed objects through the journal fold: an apply stopped anywhere in a create_before_destroy
// replace leaves a state whose next plan never makes a twin and never destroys the new VM.
import t from 'tap';
import type { JournalEntry } from '../../engine/state/journal.js';
import { foldJournal } from '../../engine/state/transitions.js';
import { makePlan } from '../../planner/plan/make-plan.js';
import { config, inventory, observed, OPTIONS, resource, state, vmConfig } from '../planner/builders.js';

const time = '2026-01-01T00:00:00Z';
const OLD = 'u-old';
const NEW = 'u-new';
const running = { power_state: 'running' as const };
const journal: JournalEntry[] = [
  { t: 'begin', lineage: 'lineage-1', serial: 3, time },
  { t: 'start', step: 's1', address: 'vm.web', host: 'lab', op: 'create', uuid: null, time, name: 'web', template: 'Debian' },
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
