// The smaller promises of issue 14, through the built command line on the simulated host:
// what `show` prints, what `state show` suggests, what a lock says, when force-unlock asks,
// how an apply counts a replacement.
import t from 'tap';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exampleCopy, xenform, xenformInBackground } from './cli.js';
import { xeProcess } from '../support/sim-host.js';
import { acquireLock, lockPath } from '../../engine/state/local/lock.js';

function edit(dir: string, from: string, to: string): void {
  const file = path.join(dir, 'main.xf.hcl');
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`fixture does not contain ${from}`);
  writeFileSync(file, text.replace(from, to));
}

const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

// Validate refuses control characters in the configuration, but a host can hold anything: a
// VM renamed outside xenform shows its host-side name in the plan.
t.test('show never prints the raw control characters a host-side VM name carries: they are escaped', async (t) => {
  const dir = exampleCopy('quickstart', t.teardown);
  t.equal(xenform(dir, ['apply', '--auto-approve']).code, 0, 'the quickstart is applied');
  const xe = (args: string[]) => xeProcess({ XENSIM_STATE: path.join(dir, '.xenform', 'sim', 'demo.json') }, args);
  const uuid = (await xe(['vm-list', 'name-label=web', '--minimal'])).stdout.trim();
  const renamed = await xe(['vm-param-set', `uuid=${uuid}`, 'name-label=web\u009b2J\u202egpj.exe\u001b[31m']);
  t.equal(renamed.code, 0, `the VM ${uuid} is renamed on the host (${renamed.stderr})`);
  const plan = xenform(dir, ['plan', '--out', 'p.xfplan']);
  t.equal(plan.code, 0, plan.stderr);
  for (const flags of [[], ['--markdown']]) {
    const shown = xenform(dir, ['show', ...flags, 'p.xfplan']);
    t.equal(shown.code, 0, shown.stderr);
    t.notMatch(shown.stdout, RAW, `show ${flags.join(' ')} prints no raw control character`);
    t.match(shown.stdout, /web\\(x9b|u009b)2J\\u202egpj\.exe/, 'the name is shown with its escapes');
  }
});

t.test('state show of a block with count suggests its first instance, not another block', async (t) => {
  const dir = exampleCopy('quickstart', t.teardown);
  edit(dir, 'vm "web" {\n  host', 'vm "web" {\n  count       = 2\n  host');
  edit(dir, 'name        = "web"', 'name        = "web-${count.index}"');
  edit(dir, 'value = vm.web.uuid', 'value = vm.web[*].uuid');
  edit(dir, 'vm "installer"', 'vm "db"');
  const apply = xenform(dir, ['apply', '--auto-approve']);
  t.equal(apply.code, 0, apply.stderr);
  const r = xenform(dir, ['state', 'show', 'vm.web']);
  t.equal(r.code, 1);
  t.match(r.stderr, /did you mean vm\.web\[0\]\?/);
  t.notMatch(r.stderr, /vm\.db/);
});

t.test('the lock an apply holds says it is held for "apply"', async (t) => {
  const dir = exampleCopy('quickstart', t.teardown);
  // Slow starts keep the apply running while the lock is read.
  const applying = xenformInBackground(dir, ['apply', '--auto-approve'], { XENSIM_FAULTS: JSON.stringify({ latency_ms: { 'vm-start': 1500 } }) }).done;
  let held = '';
  while (!held) {
    if (existsSync(lockPath(dir))) {
      try {
        held = JSON.parse(readFileSync(lockPath(dir), 'utf8')).operation;
      } catch {
        // written in the moment it was read: read it again
      }
    }
    await new Promise((r) => setImmediate(r));
  }
  const applied = await applying;
  t.equal(applied.code, 0, applied.stderr);
  t.equal(held, 'apply');
});

t.test('force-unlock without a terminal removes a lock only with --force', async (t) => {
  const dir = t.testdir();
  const lock = await acquireLock(dir, { operation: 'apply' });
  const refused = xenform(dir, ['force-unlock', lock.info.id]);
  t.equal(refused.code, 1, 'refused');
  t.match(refused.stderr, /no terminal .* --force/);
  t.ok(existsSync(lockPath(dir)), 'the lock is kept');
  const forced = xenform(dir, ['force-unlock', '--force', lock.info.id]);
  t.equal(forced.code, 0, forced.stderr);
  t.notOk(existsSync(lockPath(dir)), 'with --force it is removed');
});

t.test('the apply summary counts a replacement as one replaced, not two changed', async (t) => {
  const dir = exampleCopy('quickstart', t.teardown);
  t.equal(xenform(dir, ['apply', '--auto-approve']).code, 0);
  edit(dir, 'template    = "Debian Bookworm 12"', 'template    = "Generic Linux BIOS"');
  const r = xenform(dir, ['apply', '--auto-approve']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /Resources: 0 added, 0 changed, 1 replaced, 0 destroyed\./);
});
