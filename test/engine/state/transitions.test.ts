// Every state transition, table-tested: what it records, what it says, and that it never
// changes the state it is given.
import type { Test } from 'tap';
import t from 'tap';
import type { State, StateResource } from '../../../planner/model/state.js';
import type { ObservedVm } from '../../../planner/model/vm.js';
import type { JournalEntry } from '../../../engine/state/journal.js';
import {
  adoptPendingCreates,
  emptyState,
  foldJournal,
  importVm,
  isRefusal,
  moveResources,
  recordStep,
  removeResources,
  setOutputs,
  settleUnstepped,
  stepRecord,
  type Refusal,
  type Transition,
} from '../../../engine/state/transitions.js';
import { attrs, change, plan } from '../fake-host.js';

const time = '2026-01-01T00:00:00Z';
const res = (address: string, uuid: string, extra: Partial<StateResource> = {}): StateResource => ({
  address, host: 'lab', uuid, attributes: attrs(address), booted_with: null, restart_trigger: null, owned: true, pending_reboot: false, ...extra,
});
const state = (resources: StateResource[], extra: Partial<State> = {}): State => ({ ...emptyState('0.1.0', 'L'), resources, ...extra });
const observed = (uuid: string, name: string, extra: Partial<ObservedVm> = {}): ObservedVm => ({
  uuid, host: 'lab', attributes: attrs(name), markers: {}, dom_id: 1, booted_with: null, requires_reboot: false, ...extra,
});
const rows = (s: State) => s.resources.map((r) => `${r.address}=${r.uuid}`);
const frozen = (s: State) => JSON.stringify(s);

t.test('recordStep', async (t) => {
  const cases: { name: string; before: State; entry: JournalEntry; want: string[]; pending?: string[] }[] = [
    {
      name: 'a finished create adds the VM and clears its pending create',
      before: state([], { pending_creates: [{ address: 'vm.a', host: 'lab', name: 'a', template: 'T', preexisting: [] }] }),
      entry: { t: 'done', step: 's1', address: 'vm.a', host: 'lab', op: 'create', uuid: 'ua', time, resource: res('vm.a', 'ua') },
      want: ['vm.a=ua'],
      pending: [],
    },
    {
      name: 'a finished step replaces the record of its address',
      before: state([res('vm.a', 'old')]),
      entry: { t: 'done', step: 's1', address: 'vm.a', host: 'lab', op: 'start', uuid: 'new', time, resource: res('vm.a', 'new') },
      want: ['vm.a=new'],
    },
    {
      name: 'a destroy removes the VM it destroyed',
      before: state([res('vm.a', 'ua'), res('vm.b', 'ub')]),
      entry: { t: 'done', step: 's1', address: 'vm.a', host: 'lab', op: 'destroy', uuid: 'ua', time, resource: null },
      want: ['vm.b=ub'],
    },
    {
      name: 'a destroy of the old VM of a replacement keeps the new one recorded',
      before: state([res('vm.a', 'new')]),
      entry: { t: 'done', step: 's1', address: 'vm.a', host: 'lab', op: 'destroy', uuid: 'old', time, resource: null },
      want: ['vm.a=new'],
    },
    {
      name: 'a started or failed step changes nothing',
      before: state([res('vm.a', 'ua')]),
      entry: { t: 'fail', step: 's1', address: 'vm.a', host: 'lab', op: 'start', error: 'no', time },
      want: ['vm.a=ua'],
    },
  ];
  for (const c of cases) {
    const before = frozen(c.before);
    const after = recordStep(c.before, c.entry);
    t.same(rows(after), c.want, c.name);
    if (c.pending) t.same((after.pending_creates ?? []).map((p) => p.address), c.pending, `${c.name}: pending creates`);
    t.equal(frozen(c.before), before, `${c.name}: the input is unchanged`);
  }
});

t.test('stepRecord', async (t) => {
  const prev = state([res('vm.a', 'ua', { restart_trigger: '1', owned: false, pending_reboot: true })]);
  const cases: { name: string; input: Parameters<typeof stepRecord>[1]; want: Partial<StateResource> | null }[] = [
    { name: 'a destroy leaves no record', input: { address: 'vm.a', host: 'lab', op: 'destroy', uuid: 'ua', observed: null }, want: null },
    {
      name: 'the VM the step observed is recorded, keeping ownership and trigger',
      input: { address: 'vm.a', host: 'lab', op: 'start', uuid: 'ua', observed: observed('ua', 'seen', { requires_reboot: false }) },
      want: { uuid: 'ua', owned: false, restart_trigger: '1', pending_reboot: false },
    },
    {
      name: 'the last step records the configuration trigger and the plan pending reboot',
      input: { address: 'vm.a', host: 'lab', op: 'set', uuid: 'ua', observed: null, restartTrigger: '2', pendingReboot: true },
      want: { uuid: 'ua', restart_trigger: '2', pending_reboot: true, owned: false },
    },
    {
      name: 'a create without an observed VM records the attributes it created, owned',
      input: { address: 'vm.b', host: 'lab', op: 'create', uuid: 'ub', observed: null, created: attrs('made') },
      want: { uuid: 'ub', owned: true, restart_trigger: null },
    },
  ];
  for (const c of cases) {
    const r = stepRecord(prev, c.input);
    if (c.want === null) t.equal(r, null, c.name);
    else t.match(r, c.want, c.name);
  }
});

t.test('foldJournal', async (t) => {
  const cases: { name: string; before: State; entries: JournalEntry[]; want: string[]; interrupted: string[]; pending: string[]; notes: RegExp[] }[] = [
    {
      name: 'finished steps are folded in and an unfinished create becomes a pending create',
      before: state([res('vm.b', 'ub')]),
      entries: [
        { t: 'begin', lineage: 'L', serial: 3, time },
        { t: 'names', host: 'lab', names: { c: ['old-c'] }, time },
        { t: 'start', step: 's1', address: 'vm.a', host: 'lab', op: 'create', uuid: null, time },
        { t: 'done', step: 's1', address: 'vm.a', host: 'lab', op: 'create', uuid: 'ua', time, resource: res('vm.a', 'ua') },
        { t: 'done', step: 's2', address: 'vm.b', host: 'lab', op: 'destroy', uuid: 'ub', time, resource: null },
        { t: 'start', step: 's3', address: 'vm.c', host: 'lab', op: 'create', uuid: null, time, name: 'c', template: 'T' },
      ],
      want: ['vm.a=ua'],
      interrupted: ['vm.c create'],
      pending: ['vm.c'],
      notes: [/journal was folded into the state \(recorded vm\.a, vm\.b\)/, /vm\.c was being created on lab/],
    },
    {
      name: 'an interrupted power operation is reported and the plan reads the host again',
      before: state([res('vm.a', 'ua')]),
      entries: [{ t: 'start', step: 's1', address: 'vm.a', host: 'lab', op: 'clean_shutdown', uuid: 'ua', time }],
      want: ['vm.a=ua'],
      interrupted: ['vm.a clean_shutdown'],
      pending: [],
      notes: [/journal was folded into the state\.$/, /"clean_shutdown" was in progress on lab/],
    },
    {
      name: 'a journal whose steps all ended says nothing more',
      before: state([res('vm.a', 'ua')]),
      entries: [
        { t: 'begin', lineage: 'L', serial: 0, time },
        { t: 'start', step: 's1', address: 'vm.a', host: 'lab', op: 'start', uuid: 'ua', time },
        { t: 'fail', step: 's1', address: 'vm.a', host: 'lab', op: 'start', error: 'no', time },
      ],
      want: ['vm.a=ua'],
      interrupted: [],
      pending: [],
      notes: [],
    },
  ];
  for (const c of cases) {
    const before = frozen(c.before);
    const r = foldJournal(c.before, c.entries);
    t.same(rows(r.state), c.want, c.name);
    t.same(r.interrupted.map((i) => `${i.address} ${i.op}`), c.interrupted, `${c.name}: interrupted`);
    t.same((r.state.pending_creates ?? []).map((p) => p.address), c.pending, `${c.name}: pending creates`);
    t.equal(r.notes.length, c.notes.length, `${c.name}: notes`);
    c.notes.forEach((re, i) => t.match(r.notes[i], re, `${c.name}: note ${i}`));
    t.equal(frozen(c.before), before, `${c.name}: the input is unchanged`);
  }
});

t.test('adoptPendingCreates', async (t) => {
  const pending = { address: 'vm.web', host: 'lab', name: 'web', template: 'Debian', preexisting: ['old'] };
  const inv = (...vms: ObservedVm[]) => ({ lab: { host: 'lab', toolstack: 'xapi' as const, vms, templates: [], srs: [], networks: [] } });
  const cases: { name: string; before: State; inventories: ReturnType<typeof inv> | Record<string, never>; want: string[]; left: string[]; note: RegExp | null }[] = [
    {
      name: 'the one new VM of that name is recorded',
      before: state([], { pending_creates: [pending] }),
      inventories: inv(observed('old', 'web'), observed('new', 'web')),
      want: ['vm.web=new'],
      left: [],
      note: /found VM new on lab/,
    },
    {
      name: 'two new VMs of that name: none is adopted and the user is told how to choose',
      before: state([], { pending_creates: [pending] }),
      inventories: inv(observed('n1', 'web'), observed('n2', 'web')),
      want: [],
      left: [],
      note: /2 unrecorded VMs named "web".*xenform import vm\.web UUID/,
    },
    {
      name: 'a VM marked for another lineage is not adopted',
      before: state([], { pending_creates: [pending] }),
      inventories: inv(observed('new', 'web', { markers: { lineage: 'other' } })),
      want: [],
      left: [],
      note: null,
    },
    {
      name: 'a host that was not read keeps its pending create for later',
      before: state([], { pending_creates: [pending] }),
      inventories: {},
      want: [],
      left: ['vm.web'],
      note: null,
    },
  ];
  for (const c of cases) {
    const before = frozen(c.before);
    const r = adoptPendingCreates(c.before, c.inventories);
    t.same(rows(r.state), c.want, c.name);
    t.same((r.state.pending_creates ?? []).map((p) => p.address), c.left, `${c.name}: left pending`);
    if (c.note) t.match(r.notes.join('\n'), c.note, `${c.name}: note`);
    else t.same(r.notes, [], `${c.name}: no note`);
    t.equal(frozen(c.before), before, `${c.name}: the input is unchanged`);
  }
});

t.test('settleUnstepped', async (t) => {
  const vmA = observed('ua', 'vm.a');
  const cases: { name: string; before: State; plan: ReturnType<typeof plan>; stepped: string[]; want: string[]; check?: (s: State) => void }[] = [
    {
      name: 'a VM deleted outside xenform is forgotten',
      before: state([res('vm.a', 'ua')]),
      plan: plan([], [change('vm.a', 'lab', vmA, { action: 'delete' })], { drift: [{ address: 'vm.a', host: 'lab', uuid: 'ua', kind: 'deleted', message: 'deleted outside xenform' }] }),
      stepped: [],
      want: [],
    },
    {
      name: 'a VM adopted through its markers is recorded',
      before: state([]),
      plan: plan([], [change('vm.a', 'lab', vmA, { action: 'noop' })]),
      stepped: [],
      want: ['vm.a=ua'],
    },
    {
      name: 'a refresh-only plan records what the host reports now',
      before: state([res('vm.a', 'ua')]),
      plan: plan([], [change('vm.a', 'lab', observed('ua', 'renamed'), { action: 'noop' })], { options: { destroy: false, refresh_only: true, targets: [], replace: [] } }),
      stepped: [],
      want: ['vm.a=ua'],
      check: (s) => t.equal(s.resources[0].attributes.name, 'renamed', 'a refresh-only plan records the observed name'),
    },
    {
      name: 'a VM the plan has steps for is left to its steps',
      before: state([res('vm.a', 'ua')]),
      plan: plan([], [change('vm.a', 'lab', vmA, { action: 'delete' })], { drift: [{ address: 'vm.a', host: 'lab', uuid: 'ua', kind: 'deleted', message: 'deleted outside xenform' }] }),
      stepped: ['vm.a'],
      want: ['vm.a=ua'],
    },
  ];
  for (const c of cases) {
    const before = frozen(c.before);
    const s = settleUnstepped(c.before, c.plan, new Set(c.stepped));
    t.same(rows(s), c.want, c.name);
    c.check?.(s);
    t.equal(frozen(c.before), before, `${c.name}: the input is unchanged`);
  }
});

t.test('setOutputs replaces the recorded outputs', async (t) => {
  const before = state([], { outputs: { gone: { value: 1, sensitive: false } } });
  const s = setOutputs(before, [{ name: 'ip', value: '10.0.0.1', sensitive: false }, { name: 'pw', value: 'x', sensitive: true }]);
  t.same(s.outputs, { ip: { value: '10.0.0.1', sensitive: false }, pw: { value: 'x', sensitive: true } });
  t.same(before.outputs, { gone: { value: 1, sensitive: false } }, 'the input is unchanged');
});

type EditCase = { name: string; before: State; edit: (s: State) => Transition | Refusal; want: string[] | RegExp; notes?: RegExp };

function runEdits(t: Test, cases: EditCase[]): void {
  for (const c of cases) {
    const before = frozen(c.before);
    const r = c.edit(c.before);
    if (c.want instanceof RegExp) {
      t.ok(isRefusal(r), `${c.name}: refused`);
      if (isRefusal(r)) t.match(r.error, c.want, c.name);
    } else {
      t.notOk(isRefusal(r), `${c.name}: accepted`);
      if (!isRefusal(r)) {
        t.same(rows(r.state), c.want, c.name);
        if (c.notes) t.match(r.notes.join('\n'), c.notes, `${c.name}: notes`);
      }
    }
    t.equal(frozen(c.before), before, `${c.name}: the input is unchanged`);
  }
}

t.test('importVm', async (t) => {
  const base = state([res('vm.a', 'ua')]);
  runEdits(t, [
    { name: 'an unrecorded VM is recorded under a free address', before: base, edit: (s) => importVm(s, { address: 'vm.b', host: 'lab', vm: observed('ub', 'b'), restartTrigger: null }), want: ['vm.a=ua', 'vm.b=ub'] },
    { name: 'an address already recorded is refused', before: base, edit: (s) => importVm(s, { address: 'vm.a', host: 'lab', vm: observed('ub', 'b'), restartTrigger: null }), want: /vm\.a is already in the state \(uuid ua\)/ },
    { name: 'a VM recorded under another address is refused, pointing to state mv', before: base, edit: (s) => importVm(s, { address: 'vm.b', host: 'lab', vm: observed('ua', 'a'), restartTrigger: null }), want: /state mv vm\.a vm\.b/ },
  ]);
  const r = importVm(base, { address: 'vm.b', host: 'lab', vm: observed('ub', 'b', { requires_reboot: true }), restartTrigger: '7' });
  t.match(!isRefusal(r) && r.state.resources[1], { owned: false, restart_trigger: '7', pending_reboot: true }, 'an imported VM is not owned');
});

t.test('removeResources', async (t) => {
  const base = state([res('vm.web[0]', 'w0'), res('vm.web[1]', 'w1'), res('vm.db', 'd')]);
  runEdits(t, [
    { name: 'one instance is forgotten', before: base, edit: (s) => removeResources(s, ['vm.web[1]']), want: ['vm.web[0]=w0', 'vm.db=d'], notes: /Removed vm\.web\[1\] \(uuid w1 on lab\)/ },
    { name: 'a resource name forgets every instance', before: base, edit: (s) => removeResources(s, ['vm.web']), want: ['vm.db=d'] },
    { name: 'an address not in the state is refused with a suggestion', before: base, edit: (s) => removeResources(s, ['vm.dbx']), want: /vm\.dbx is not in the state; did you mean vm\.db\?.*Nothing was removed/ },
    { name: 'one bad address among good ones removes nothing', before: base, edit: (s) => removeResources(s, ['vm.db', 'vm.nope']), want: /Nothing was removed/ },
    { name: 'text that is not an address is refused', before: base, edit: (s) => removeResources(s, ['web']), want: /"web" is not a resource address/ },
  ]);
  const modules = state([res('module.site["a"].vm.app', 'a'), res('module.site["b"].vm.app', 'b'), res('module.site["b"].module.db[0].vm.x', 'x'), res('vm.db', 'd')]);
  runEdits(t, [
    { name: 'a module instance forgets everything inside it, nested modules too', before: modules, edit: (s) => removeResources(s, ['module.site["b"]']), want: ['module.site["a"].vm.app=a', 'vm.db=d'] },
    { name: 'a module forgets every instance', before: modules, edit: (s) => removeResources(s, ['module.site']), want: ['vm.db=d'] },
    { name: 'a module not in the state is refused', before: modules, edit: (s) => removeResources(s, ['module.web']), want: /Nothing was removed/ },
  ]);
});

t.test('moveResources', async (t) => {
  const base = state([res('vm.web[0]', 'w0'), res('vm.web[1]', 'w1'), res('vm.db', 'd')]);
  runEdits(t, [
    { name: 'one instance moves to a new address', before: base, edit: (s) => moveResources(s, 'vm.db', 'vm.database'), want: ['vm.web[0]=w0', 'vm.web[1]=w1', 'vm.database=d'], notes: /Moved vm\.db to vm\.database\./ },
    { name: 'every instance moves keeping its key', before: base, edit: (s) => moveResources(s, 'vm.web', 'vm.app'), want: ['vm.app[0]=w0', 'vm.app[1]=w1', 'vm.db=d'] },
    { name: 'a taken destination is refused', before: base, edit: (s) => moveResources(s, 'vm.db', 'vm.web[0]'), want: /vm\.web\[0\] is already in the state.*Nothing was moved/ },
    { name: 'a source not in the state is refused', before: base, edit: (s) => moveResources(s, 'vm.nope', 'vm.x'), want: /vm\.nope is not in the state.*Nothing was moved/ },
    { name: 'a destination that is not an address is refused', before: base, edit: (s) => moveResources(s, 'vm.db', 'db'), want: /"db" is not a resource address/ },
  ]);
});
