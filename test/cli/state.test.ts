import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { acquireLock, lockPath } from '../../engine/state/local/lock.js';
import { StateStore } from '../../engine/state/local/store.js';
import { emptyState } from '../../engine/state/transitions.js';
import { STATE_FILE } from '../../planner/model/state.js';
import { attrs } from '../engine/fake-host.js';
import { xenform } from '../support/cli-io.js';
import { HOST } from '../planner/config/support.js';

const res = (address: string, uuid: string, extra = {}) => ({
  address, host: 'lab', uuid, attributes: attrs(address.replace(/\W+/g, '-')), booted_with: null, restart_trigger: null, owned: true, pending_reboot: false, ...extra,
});

async function seeded(t: { testdir: () => string }) {
  const dir = t.testdir();
  fs.writeFileSync(path.join(dir, 'main.xf.hcl'), HOST); // state mv reaches the host
  const store = new StateStore(dir);
  await store.write({
    ...emptyState('0.1.0', 'L'),
    resources: [res('vm.web[0]', 'u-web-0'), res('vm.web[1]', 'u-web-1'), res('vm.db', 'u-db', { owned: false })],
    outputs: { ip: { value: '192.0.2.7', sensitive: false }, uuids: { value: ['a', 'b'], sensitive: false }, secret: { value: 's3cr3t', sensitive: true } },
  });
  return dir;
}

t.test('state list prints every address, or those matching the filters', async (t) => {
  const dir = await seeded(t);
  t.same(await xenform(['--chdir', dir, 'state', 'list']), { code: 0, stdout: 'vm.web[0]\nvm.web[1]\nvm.db\n', stderr: '' });
  t.equal((await xenform(['--chdir', dir, 'state', 'list', 'vm.web'])).stdout, 'vm.web[0]\nvm.web[1]\n');
});

t.test('state show prints the uuid, ownership and the matching HCL', async (t) => {
  const dir = await seeded(t);
  const r = await xenform(['--chdir', dir, 'state', 'show', 'vm.db']);
  t.equal(r.code, 0);
  t.match(r.stdout, /uuid:\s+u-db/);
  t.match(r.stdout, /owned:\s+no \(imported/);
  t.match(r.stdout, /vm "db" \{\n  host        = host\.lab\n  name        = "vm-db"/);
  t.match(r.stdout, /memory      = "1GiB"/);
});

t.test('state show of an unknown address suggests the closest one', async (t) => {
  const dir = await seeded(t);
  const r = await xenform(['--chdir', dir, 'state', 'show', 'vm.dv']);
  t.equal(r.code, 1);
  t.match(r.stderr, /vm\.dv is not in the state; did you mean vm\.db\?/);
});

t.test('state rm forgets every instance a resource address matches and bumps the serial', async (t) => {
  const dir = await seeded(t);
  const r = await xenform(['--chdir', dir, 'state', 'rm', 'vm.web']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /Removed vm\.web\[0\] \(uuid u-web-0 on lab\) from the state; the VM itself is untouched\./);
  const s = (await new StateStore(dir).read())!;
  t.same(s.resources.map((x) => x.address), ['vm.db']);
  t.equal(s.serial, 1);
  t.ok(fs.existsSync(path.join(dir, `${STATE_FILE}.backup`)), 'the previous version is kept');
  t.notOk(fs.existsSync(lockPath(dir)), 'the lock is released');
});

t.test('state rm of an address that is not there changes nothing', async (t) => {
  const dir = await seeded(t);
  const r = await xenform(['--chdir', dir, 'state', 'rm', 'vm.db', 'vm.nope']);
  t.equal(r.code, 1);
  t.match(r.stderr, /vm\.nope is not in the state.*Nothing was removed/);
  t.equal((await new StateStore(dir).read())!.resources.length, 3);
});

t.test('state mv renames one instance, or every instance of a resource keeping keys', async (t) => {
  const dir = await seeded(t);
  t.equal((await xenform(['--chdir', dir, 'state', 'mv', 'vm.db', 'vm.database'])).code, 0);
  const r = await xenform(['--chdir', dir, 'state', 'mv', 'vm.web', 'vm.app']);
  t.equal(r.code, 0, r.stderr);
  t.same((await new StateStore(dir).read())!.resources.map((x) => `${x.address}=${x.uuid}`), ['vm.app[0]=u-web-0', 'vm.app[1]=u-web-1', 'vm.database=u-db']);
});

t.test('state mv changes nothing when the VM\'s host cannot be reached', async (t) => {
  const dir = await seeded(t);
  fs.writeFileSync(path.join(dir, 'main.xf.hcl'), 'host "lab" {\n  address   = "127.0.0.1"\n  port      = 9\n  toolstack = "xapi"\n}\n');
  const before = fs.readFileSync(path.join(dir, STATE_FILE), 'utf8');
  const r = await xenform(['--chdir', dir, 'state', 'mv', 'vm.db', 'vm.database'], { env: { ...process.env, NO_COLOR: '1', SSH_AUTH_SOCK: '', HOME: '/nonexistent-xenform-home' } });
  t.equal(r.code, 1);
  t.match(r.stderr, /Host "lab" could not be reached .*: the ownership marker of VM u-db must be rewritten there, so nothing was changed/);
  t.equal(fs.readFileSync(path.join(dir, STATE_FILE), 'utf8'), before, 'the state is as it was');
});

t.test('state mv refuses to overwrite a recorded address', async (t) => {
  const dir = await seeded(t);
  const r = await xenform(['--chdir', dir, 'state', 'mv', 'vm.web[0]', 'vm.db']);
  t.equal(r.code, 1);
  t.match(r.stderr, /vm\.db is already in the state/);
});

t.test('state commands that write fail at once while another run holds the lock', async (t) => {
  const dir = await seeded(t);
  const lock = await acquireLock(dir, { operation: 'apply' });
  const r = await xenform(['--chdir', dir, 'state', 'rm', 'vm.db']);
  t.equal(r.code, 1);
  t.match(r.stderr, new RegExp(`locked.*${lock.info.id}`));
  await lock.release();
});

t.test('state pull prints the state JSON', async (t) => {
  const dir = await seeded(t);
  const r = await xenform(['--chdir', dir, 'state', 'pull']);
  t.equal(JSON.parse(r.stdout).lineage, 'L');
});

t.test('output lists values, masking sensitive ones', async (t) => {
  const dir = await seeded(t);
  const r = await xenform(['--chdir', dir, 'output']);
  t.equal(r.stdout, 'ip = "192.0.2.7"\nuuids = [\n  "a",\n  "b",\n]\nsecret = <sensitive>\n');
});

const outputCases = [
  { name: 'one output by name shows even a sensitive value', argv: ['output', 'secret'], code: 0, stdout: '"s3cr3t"\n' },
  { name: 'one output as JSON', argv: ['output', 'uuids', '--json'], code: 0, stdout: '["a","b"]\n' },
  { name: 'one output raw, for scripts', argv: ['output', 'ip', '--raw'], code: 0, stdout: '192.0.2.7\n' },
  { name: 'an unknown output is an error with a suggestion', argv: ['output', 'ips'], code: 1, stdout: '', stderr: /output "ips" is not in the state; did you mean "ip"\?/ },
];
for (const c of outputCases) {
  t.test(c.name, async (t) => {
    const dir = await seeded(t);
    const r = await xenform(['--chdir', dir, ...c.argv]);
    t.equal(r.code, c.code);
    t.equal(r.stdout, c.stdout);
    if (c.stderr) t.match(r.stderr, c.stderr);
  });
}

t.test('output --json prints every output with its sensitivity', async (t) => {
  const dir = await seeded(t);
  const r = await xenform(['--chdir', dir, 'output', '--json']);
  t.same(JSON.parse(r.stdout).secret, { value: 's3cr3t', sensitive: true });
});

t.test('force-unlock removes the lock with the given ID and refuses another ID', async (t) => {
  const dir = t.testdir();
  const lock = await acquireLock(dir, { operation: 'apply' });
  const wrong = await xenform(['--chdir', dir, 'force-unlock', 'abc']);
  t.equal(wrong.code, 1);
  t.match(wrong.stderr, /has ID .* not abc/);
  const declined = await xenform(['--chdir', dir, 'force-unlock', lock.info.id], { tty: true, answers: ['no'] });
  t.equal(declined.code, 1, 'on a terminal, anything but "yes" keeps the lock');
  t.ok(fs.existsSync(lockPath(dir)));
  const ok = await xenform(['--chdir', dir, 'force-unlock', '--force', lock.info.id]);
  t.equal(ok.code, 0);
  t.match(ok.stdout, /Removed the state lock/);
  t.notOk(fs.existsSync(lockPath(dir)));
});
