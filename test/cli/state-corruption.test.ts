// Damaged state, lock and journal files (the corruption campaign of the hostile-input issue):
// each is refused, or quarantined, with a message that names the file and the way out;
// never a stack trace, never a hang, never a state xenform itself could no longer read.
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { serializeState } from '../../engine/state/format.js';
import { emptyState } from '../../engine/state/transitions.js';
import { bootId, LOCK_FILE } from '../../engine/state/local/lock.js';
import { JOURNAL_FILE, REJECTED_SUFFIX } from '../../engine/state/local/journal.js';
import { STATE_FILE, type State } from '../../planner/model/state.js';
import { attrs } from '../engine/fake-host.js';
import { xenform } from '../support/cli-io.js';
import { HOST } from '../planner/config/support.js';

const res = (address: string, uuid: string, extra = {}) => ({
  address, host: 'lab', uuid, attributes: attrs(address.replace(/\W+/g, '-')), booted_with: null, restart_trigger: null, owned: true, pending_reboot: false, ...extra,
});
const good = (resources = [res('vm.a', 'u-a'), res('vm.b', 'u-b')]): State => ({ ...emptyState('0.1.0', 'L'), serial: 4, resources });
const text = (s: unknown) => JSON.stringify(s, null, 2);
const done = (address: string, uuid: string, resource: unknown) =>
  JSON.stringify({ t: 'done', step: `${address}#1`, address, host: 'lab', op: 'set_memory', uuid, time: '2026-01-01T00:00:00Z', resource });

interface Case {
  name: string;
  files: Record<string, string | { link: string }>; // beside the configuration
  args?: string[]; // default: state mv vm.a vm.c (locks, folds the journal, writes)
  code: number;
  message: RegExp;
  after?: (dir: string) => void; // what must hold afterwards
}

const deadPid = (): number => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
const deadLock = () => text({ id: 'dead-1', who: `ci@${os.hostname()}`, pid: deadPid(), operation: 'apply', created: '2026-01-01T00:00:00Z', boot_id: bootId() });

const cases: Case[] = [
  { name: 'a truncated state is refused, naming the backup', files: { [STATE_FILE]: serializeState(good()).slice(0, 60) }, code: 1, message: /xenform\.state\.json: is not valid JSON.*previous version is in .*\.backup/ },
  { name: 'an empty state file is refused', files: { [STATE_FILE]: '' }, code: 1, message: /is not valid JSON/ },
  { name: 'a state that is JSON null is refused', files: { [STATE_FILE]: 'null' }, code: 1, message: /does not hold a JSON object/ },
  {
    name: 'a state with one address twice is refused, naming both entries and the way out',
    files: { [STATE_FILE]: text(good([res('vm.a', 'u-1'), res('vm.a', 'u-2')])) },
    code: 1,
    message: /records vm\.a twice: resources\[0\] \(uuid u-1\) and resources\[1\] \(uuid u-2\)\. Edit .* or move it aside and run `xenform state rebuild`/,
  },
  {
    name: 'a state with one VM under two addresses is refused, naming both',
    files: { [STATE_FILE]: text(good([res('vm.a', 'u-1'), res('vm.b', 'u-1')])) },
    code: 1,
    message: /records VM u-1 under two addresses: resources\[0\] \(vm\.a\) and resources\[1\] \(vm\.b\)/,
  },
  { name: 'a serial that is a string is refused', files: { [STATE_FILE]: text({ ...good(), serial: '4' }) }, code: 1, message: /has no valid "serial"/ },
  { name: 'resources that are not a list are refused', files: { [STATE_FILE]: text({ ...good(), resources: {} }) }, code: 1, message: /has no "resources" list/ },
  { name: 'a resource without attributes is refused', files: { [STATE_FILE]: text(good([res('vm.a', 'u-a', { attributes: 'big' })])) }, code: 1, message: /resources\[0\] \(vm\.a\) has no "attributes"/ },
  { name: 'an ownership flag that is a string is refused', files: { [STATE_FILE]: text(good([res('vm.a', 'u-a', { owned: 'no' })])) }, code: 1, message: /has an "owned" that is not true or false/ },
  { name: 'a state from a newer xenform is refused', files: { [STATE_FILE]: text({ ...good(), version: 99 }) }, code: 1, message: /has version 99, written by a newer xenform/ },
  { name: 'a state without a version is refused', files: { [STATE_FILE]: text({ ...good(), version: undefined }) }, code: 1, message: /has no valid "version"/ },
  { name: 'a state that links to nowhere is refused, naming the target', files: { [STATE_FILE]: { link: 'gone/state.json' } }, code: 1, message: /is a symbolic link to .*gone\/state\.json, which does not exist/ },
  {
    name: 'a missing state whose backup records VMs is refused, not started afresh',
    files: { [`${STATE_FILE}.backup`]: serializeState(good()) },
    args: ['state', 'list'],
    code: 1,
    message: /xenform\.state\.json: is missing, but .*\.backup holds lineage L \(serial 4, 2 VMs: vm\.a, vm\.b\).*cp /,
  },
  { name: 'a lock that links to nowhere is held with a clear message, without spinning', files: { [STATE_FILE]: serializeState(good()), [LOCK_FILE]: { link: 'nowhere.json' } }, code: 1, message: /locked by .*xenform\.lock\.json, which cannot be read \(a symbolic link to .*nowhere\.json, which does not exist\).*rm / },
  { name: 'a lock that names no holder is held with a clear message', files: { [STATE_FILE]: serializeState(good()), [LOCK_FILE]: '{"half": ' }, code: 1, message: /cannot be read \(it does not name a holder\)/ },
  {
    name: 'a journal line that is null is quarantined with a warning naming the file and line',
    files: { [STATE_FILE]: serializeState(good()), [JOURNAL_FILE]: `null\n${done('vm.b', 'u-b', res('vm.b', 'u-b', { restart_trigger: 'x' }))}\n` },
    code: 0,
    message: /xenform\.state\.json\.journal line 1 is not a JSON object; it was left out and kept in .*\.rejected/,
    after: (dir) => t.equal(fs.readFileSync(path.join(dir, JOURNAL_FILE + REJECTED_SUFFIX), 'utf8'), 'null\n', 'the bad line is kept aside'),
  },
  {
    name: 'a malformed done entry is quarantined, never folded into a state xenform cannot read',
    files: { [STATE_FILE]: serializeState(good()), [JOURNAL_FILE]: `${done('vm.b', 'u-b', { address: 'vm.b', host: 'lab', attributes: {} })}\n` },
    code: 0,
    message: /journal line 1 is a "done" entry whose resource \(vm\.b\) has no "uuid"/,
  },
  {
    name: 'a dead holder\'s lock (same host, same boot, pid gone) is taken over with a note',
    files: { [STATE_FILE]: serializeState(good()), [LOCK_FILE]: deadLock() },
    code: 0,
    message: /Took over the lock of ci@.* \(pid \d+\) for "apply".*no longer exists on this machine/,
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const dir = t.testdir({ 'main.xf.hcl': HOST });
    for (const [name, content] of Object.entries(c.files)) {
      if (typeof content === 'string') fs.writeFileSync(path.join(dir, name), content);
      else fs.symlinkSync(content.link, path.join(dir, name));
    }
    const r = await xenform(['--chdir', dir, ...(c.args ?? ['state', 'mv', 'vm.a', 'vm.c'])]);
    t.equal(r.code, c.code, r.stderr);
    t.match(r.stderr, c.message);
    t.notMatch(r.stderr, /\n\s+at .*\.(ts|js):\d+/, 'no stack trace');
    if (c.code === 0) {
      const list = await xenform(['--chdir', dir, 'state', 'list']);
      t.equal(list.code, 0, `the state written reads back (${list.stderr})`);
      t.match(list.stdout, /vm\.c/);
    }
    c.after?.(dir);
  });
}

t.test('a symlinked state is written through the link, atomically, and stays a link', async (t) => {
  const dir = t.testdir({ shared: {}, work: { 'main.xf.hcl': HOST } });
  const target = path.join(dir, 'shared', 'lab.state.json');
  fs.writeFileSync(target, serializeState(good()));
  fs.symlinkSync('../shared/lab.state.json', path.join(dir, 'work', STATE_FILE));
  const r = await xenform(['--chdir', path.join(dir, 'work'), 'state', 'mv', 'vm.a', 'vm.c']);
  t.equal(r.code, 0, r.stderr);
  t.ok(fs.lstatSync(path.join(dir, 'work', STATE_FILE)).isSymbolicLink(), 'the link is still a link');
  t.match(fs.readFileSync(target, 'utf8'), /"address": "vm\.c"/, 'and the shared file holds the change');
  t.same(fs.readdirSync(path.join(dir, 'shared')), ['lab.state.json'], 'no temporary file is left beside it');
});

t.test('a backup of another lineage is kept, never rotated away', async (t) => {
  const dir = t.testdir({ 'main.xf.hcl': HOST });
  fs.writeFileSync(path.join(dir, `${STATE_FILE}.backup`), serializeState({ ...good(), lineage: 'OLD' }));
  fs.writeFileSync(path.join(dir, STATE_FILE), serializeState({ ...good(), lineage: 'NEW' }));
  t.equal((await xenform(['--chdir', dir, 'state', 'mv', 'vm.a', 'vm.c'])).code, 0);
  t.match(fs.readFileSync(path.join(dir, `${STATE_FILE}.backup.OLD`), 'utf8'), /"lineage": "OLD"/, 'the old lineage is kept under its name');
  t.match(fs.readFileSync(path.join(dir, `${STATE_FILE}.backup`), 'utf8'), /"lineage": "NEW"/);
});

t.comment(`${cases.length} damaged state, lock and journal files`);
