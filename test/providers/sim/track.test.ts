// The change-tracking view the simulator's store writes by: what it notes, and that the
// state itself never ends up holding a proxy.
import t from 'tap';
import { types } from 'node:util';
import { rawOf, trackChanges, where } from '../../../providers/sim/track.js';

const host = () => ({
  nextDomid: 1,
  host: { name: 'xcp1', memory: 100 },
  vms: {
    a: { power: 'halted', ops: [] as { op: string }[], other: { k: 'v' } },
    b: { power: 'running', ops: [{ op: 'start' }], other: {} as Record<string, string> },
  } as Record<string, { power: string; ops: { op: string }[]; other: Record<string, string> }>,
  domains: [{ domid: 0, state: 'running' }],
});

t.test('reading, or writing a value already there, changes nothing', async (t) => {
  const st = host();
  const tr = trackChanges(st);
  void Object.values(tr.proxy.vms).map((vm) => vm.ops.length + vm.power.length);
  tr.proxy.vms.a.power = 'halted';
  t.same(tr.changes(), []);
});

t.test('a change is named by at most three keys; a list is written whole', async (t) => {
  const st = host();
  const tr = trackChanges(st);
  tr.proxy.vms.a.power = 'running';
  tr.proxy.vms.b.ops.push({ op: 'pause' });
  tr.proxy.vms.b.other.owner = 'ops';
  tr.proxy.host.name = 'xcp2';
  tr.proxy.nextDomid++;
  tr.proxy.domains[0].state = 'paused';
  t.same(
    tr.changes().map((k) => k.join('.')).sort(),
    ['domains', 'host.name', 'nextDomid', 'vms.a.power', 'vms.b.ops', 'vms.b.other'],
  );
  t.equal(st.vms.b.ops.length, 2, 'the change is made on the state itself');
});

t.test('a part replaced or removed whole covers the changes made inside it', async (t) => {
  const st = host();
  const tr = trackChanges(st);
  tr.proxy.vms.a.power = 'running';
  delete tr.proxy.vms.a;
  tr.proxy.vms.c = { power: 'halted', ops: [], other: {} };
  tr.proxy.vms.c.power = 'running';
  t.same(tr.changes().map((k) => k.join('.')).sort(), ['vms.a', 'vms.c']);
  t.notOk('a' in st.vms);
});

t.test('objects taken through the view and put back are stored unwrapped', async (t) => {
  const st = host();
  const tr = trackChanges(st);
  const vm = tr.proxy.vms.b;
  vm.ops = vm.ops.filter((o) => o.op === 'start');
  tr.proxy.vms.d = { ...tr.proxy.vms.b, other: { ...vm.other } };
  t.notOk(types.isProxy(st.vms.b.ops), 'a new list');
  t.notOk(types.isProxy(st.vms.b.ops[0]), 'holding the old objects themselves');
  t.notOk(types.isProxy(st.vms.d.ops), 'a copy made from the view');
  t.equal(rawOf(tr.proxy), st, 'rawOf gives the object behind the view');
  t.equal(rawOf(st), st, 'and leaves an object that is not a view as it is');
});

t.test('where picks entries by their plain objects and hands them back through the view', async (t) => {
  const st = host();
  const tr = trackChanges(st);
  const running = where(tr.proxy.vms, (vm) => !types.isProxy(vm) && vm.power === 'running');
  t.equal(running.length, 1, 'the test sees plain objects');
  running[0].power = 'paused';
  t.same(tr.changes().map((k) => k.join('.')), ['vms.b.power'], 'a change made to what it returns is noted');
});
