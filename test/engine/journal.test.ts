import t from 'tap';
import fs from 'node:fs';
import { Journal, journalPath, readJournal } from '../../engine/state/local/journal.js';
import type { JournalEntry } from '../../engine/state/journal.js';
import { adoptPendingCreates, foldJournal as reconcile } from '../../engine/state/transitions.js';
import { localStateManager } from '../../engine/state/local/index.js';
import { openState } from '../../engine/state/session.js';
import { StateStore } from '../../engine/state/local/store.js';
import { emptyState } from '../../engine/state/transitions.js';
import { attrs } from './fake-host.js';

const time = '2026-01-01T00:00:00Z';
const res = (address: string, uuid: string) => ({
  address, host: 'lab', uuid, attributes: attrs(address), booted_with: null, restart_trigger: null, owned: true, pending_reboot: false,
});

t.test('finished steps are folded into the state; unfinished ones are reported', async (t) => {
  const entries: JournalEntry[] = [
    { t: 'begin', lineage: 'L', serial: 3, time },
    { t: 'start', step: 's1', address: 'vm.a', host: 'lab', op: 'create', uuid: null, time },
    { t: 'done', step: 's1', address: 'vm.a', host: 'lab', op: 'create', uuid: 'ua', time, resource: res('vm.a', 'ua') },
    { t: 'start', step: 's2', address: 'vm.b', host: 'lab', op: 'destroy', uuid: 'ub', time },
    { t: 'done', step: 's2', address: 'vm.b', host: 'lab', op: 'destroy', uuid: 'ub', time, resource: null },
    { t: 'start', step: 's3', address: 'vm.c', host: 'lab', op: 'create', uuid: null, time },
  ];
  const base = { ...emptyState('0.1.0', 'L'), resources: [res('vm.b', 'ub')] };
  const r = reconcile(base, entries);
  t.same(r.state.resources.map((x) => [x.address, x.uuid]), [['vm.a', 'ua']]);
  t.same(r.interrupted.map((i) => [i.address, i.op]), [['vm.c', 'create']]);
  t.same(base.resources.length, 1, 'the input state is not modified');
});

t.test('a line torn by a crash is skipped and the entries before it survive', async (t) => {
  const dir = t.testdir();
  const j = await Journal.open(dir);
  await Promise.all([
    j.append({ t: 'begin', lineage: 'L', serial: 0, time }),
    j.append({ t: 'start', step: 's1', address: 'vm.a', host: 'lab', op: 'start', uuid: 'ua', time }),
  ]);
  await j.close();
  fs.appendFileSync(journalPath(dir), '{"t":"done","step":"s1","addr');
  const entries = await readJournal(dir);
  t.same(entries!.map((e) => e.t), ['begin', 'start']);
});

t.test('taking the state folds a journal left behind, writes the state and removes the journal', async (t) => {
  const dir = t.testdir();
  await new StateStore(dir).write(emptyState('0.1.0', 'L'));
  const j = await Journal.open(dir);
  await j.append({ t: 'begin', lineage: 'L', serial: 0, time });
  await j.append({ t: 'done', step: 's1', address: 'vm.a', host: 'lab', op: 'create', uuid: 'ua', time, resource: res('vm.a', 'ua') });
  await j.append({ t: 'start', step: 's2', address: 'vm.b', host: 'lab', op: 'create', uuid: null, time });
  await j.close();
  const session = await openState(localStateManager(dir), { operation: 'plan', xenformVersion: '0.1.0' });
  t.equal(session.state!.serial, 1);
  t.same(session.state!.resources.map((r) => r.uuid), ['ua']);
  t.match(session.notes.join(' '), /vm\.b was being created on lab/);
  t.notOk(fs.existsSync(journalPath(dir)), 'the journal is gone once folded');
  t.same((await new StateStore(dir).read())!.resources.map((r) => r.uuid), ['ua'], 'and the state on disk has it');
  await session.release();
});

t.test('a journal without a state file gives a state with the journal lineage', async (t) => {
  const dir = t.testdir();
  const j = await Journal.open(dir);
  await j.append({ t: 'begin', lineage: 'from-journal', serial: 0, time });
  await j.close();
  const session = await openState(localStateManager(dir), { operation: 'plan', xenformVersion: '0.1.0' });
  t.equal(session.state!.lineage, 'from-journal');
  await session.release();
});

t.test('a create killed before it could mark its VM is found by name among VMs that were not there before', async (t) => {
  const resolvePendingCreates = adoptPendingCreates;
  const { FakeHost } = await import('./fake-host.js');
  const entries: JournalEntry[] = [
    { t: 'begin', lineage: 'L', serial: 0, time },
    { t: 'names', host: 'lab', names: { web: ['old-web'] }, time },
    { t: 'start', step: 's1', address: 'vm.web', host: 'lab', op: 'create', uuid: null, time, name: 'web', template: 'Debian' },
  ];
  const r = reconcile(emptyState('0.1.0', 'L'), entries);
  t.same(r.state.pending_creates, [{ address: 'vm.web', host: 'lab', name: 'web', template: 'Debian', preexisting: ['old-web'] }]);

  const h = new FakeHost('lab');
  const old = h.add('vm.other', attrs('web'), 'old-web'); // a VM of the same name that was already there
  old.markers = {};
  const fresh = h.add('vm.web', attrs('web', 'halted', { template: '' }), 'new-web');
  fresh.markers = {}; // killed between vm-install and marking
  const inv = await h.provider().inventory();
  const resolved = resolvePendingCreates(r.state, { lab: inv });
  t.same(resolved.state.resources.map((x) => [x.address, x.uuid, x.attributes.template]), [['vm.web', 'new-web', 'Debian']]);
  t.equal(resolved.state.pending_creates, undefined, 'nothing is left pending');
  t.match(resolved.notes[0], /found VM new-web on lab, created by the interrupted apply/);

  const nothing = resolvePendingCreates(r.state, { lab: { ...inv, vms: inv.vms.filter((v) => v.uuid === 'old-web') } });
  t.same(nothing.state.resources, [], 'when the create never got that far, nothing is recorded and the plan creates it');
  const notRead = resolvePendingCreates(r.state, {});
  t.equal(notRead.state.pending_creates?.length, 1, 'an unread host keeps the question open');
});
