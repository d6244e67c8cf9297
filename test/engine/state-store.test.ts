import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { parseState, StateFormatError } from '../../engine/state/format.js';
import { StateStore } from '../../engine/state/local/store.js';
import { emptyState } from '../../engine/state/transitions.js';
import { STATE_FILE, STATE_VERSION } from '../../planner/model/state.js';
import { attrs } from './fake-host.js';

const resource = (address: string, uuid: string) => ({
  address,
  host: 'lab',
  uuid,
  attributes: attrs(address),
  booted_with: null,
  restart_trigger: null,
  owned: true,
  pending_reboot: false,
});

t.test('a first write creates the state with mode 0600 and no backup', async (t) => {
  const dir = t.testdir();
  const store = new StateStore(dir);
  t.equal(await store.read(), null, 'no state before the first write');
  const stored = await store.write(emptyState('0.1.0', 'lin-1'));
  t.equal(stored.serial, 0);
  const st = fs.statSync(path.join(dir, STATE_FILE));
  t.equal(st.mode & 0o777, 0o600);
  t.notOk(fs.existsSync(path.join(dir, `${STATE_FILE}.backup`)));
  t.same(fs.readdirSync(dir).sort(), [STATE_FILE], 'no temporary file is left behind');
});

t.test('a write that changes content bumps the serial and keeps the previous version as .backup', async (t) => {
  const dir = t.testdir();
  const store = new StateStore(dir);
  const s0 = await store.write(emptyState('0.1.0', 'lin-1'));
  const s1 = await store.write({ ...s0, resources: [resource('vm.a', 'u1')] });
  t.equal(s1.serial, 1);
  t.equal(s1.lineage, 'lin-1', 'the lineage never changes');
  const backup = parseState(fs.readFileSync(path.join(dir, `${STATE_FILE}.backup`), 'utf8'));
  t.equal(backup.serial, 0);
  t.same(backup.resources, []);
  t.equal(fs.statSync(path.join(dir, `${STATE_FILE}.backup`)).mode & 0o777, 0o600, 'the backup is private too');
  const again = await store.write({ ...s1 });
  t.equal(again.serial, 1, 'writing the same content does not bump the serial');
  t.equal((await store.read())!.resources[0].uuid, 'u1');
});

t.test('concurrent writes are serialised and each change gets its own serial', async (t) => {
  const dir = t.testdir();
  const store = new StateStore(dir);
  const s0 = await store.write(emptyState('0.1.0', 'lin-1'));
  await Promise.all([1, 2, 3, 4].map((i) => store.write({ ...s0, resources: [resource(`vm.v${i}`, `u${i}`)] })));
  t.equal((await store.read())!.serial, 4);
});

t.test('a version 0 state is upgraded on read', async (t) => {
  const v0 = {
    version: 0,
    lineage: 'old-lineage',
    serial: 12,
    xenform_version: '0.0.1',
    vms: [{ address: 'vm.web[0]', host: 'lab', id: 'uuid-web-0', attributes: attrs('web-0') }],
  };
  const s = parseState(JSON.stringify(v0));
  t.equal(s.version, STATE_VERSION);
  t.equal(s.serial, 12, 'the serial is kept');
  t.equal(s.lineage, 'old-lineage');
  t.same(s.resources.map((r) => [r.address, r.uuid, r.owned, r.pending_reboot, r.booted_with]), [['vm.web[0]', 'uuid-web-0', true, false, null]]);
  t.same(s.outputs, {});
});

const bad: { name: string; text: string; message: RegExp }[] = [
  { name: 'text that is not JSON names the backup', text: '{"version": 1,', message: /not valid JSON.*\.backup/ },
  { name: 'a state from a newer xenform is refused, not misread', text: '{"version": 99, "lineage": "x", "serial": 1, "resources": []}', message: /version 99, written by a newer xenform/ },
  { name: 'a state without lineage is refused', text: '{"version": 1, "serial": 1, "resources": []}', message: /no "lineage"/ },
  { name: 'a resource without uuid is named', text: '{"version": 1, "lineage": "x", "serial": 1, "resources": [{"address": "vm.a", "host": "h", "attributes": {}}]}', message: /resources\[0\] \(vm\.a\) has no "uuid"/ },
];
for (const c of bad) {
  t.test(c.name, async (t) => {
    let caught: unknown;
    try {
      parseState(c.text, 'xenform.state.json');
    } catch (err) {
      caught = err;
    }
    t.ok(caught instanceof StateFormatError, 'a StateFormatError, not a crash');
    t.match((caught as Error).message, c.message);
    t.match((caught as Error).message, /^xenform\.state\.json: /, 'it names the file');
  });
}
