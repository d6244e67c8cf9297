// What happens to a VM whose block is removed: an imported VM is forgotten, never destroyed
// (`xenform destroy` is the way to destroy it), and a VM xenform made is shut down with the
// policy its block last had, kept in the state.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import type { Test } from 'tap';
import { xenform } from '../support/cli-io.js';
import { writeDir } from '../support/files.js';
import { HOST } from '../planner/config/support.js';

const vm = (name: string, extra = '') =>
  `vm "${name}" {\n  host        = host.lab\n  template    = "Debian Bookworm 12"\n  power_state = "running"\n  memory      = "1GiB"\n  boot {\n    mode       = "pv"\n    bootloader = "pygrub"\n  }\n${extra}}\n`;
const env = { env: { NO_COLOR: '1' }, cwd: '/' };

async function run(t: Test, dir: string, args: string[]) {
  const r = await xenform(['--chdir', dir, ...args], env);
  t.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return r;
}

t.test('an imported VM whose block is removed is forgotten, not destroyed, and xenform destroy still destroys it', async (t) => {
  const dir = writeDir({ 'main.xf.hcl': HOST + vm('web') + vm('legacy') });
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  await run(t, dir, ['apply', '--auto-approve']);
  const uuid = (JSON.parse((await run(t, dir, ['state', 'pull'])).stdout) as { resources: { address: string; uuid: string }[] }).resources.find((r) => r.address === 'vm.legacy')!.uuid;
  await run(t, dir, ['state', 'rm', 'vm.legacy']);
  await run(t, dir, ['import', 'vm.legacy', uuid]);

  fs.writeFileSync(path.join(dir, 'main.xf.hcl'), HOST + vm('web'));
  const plan = await xenform(['--chdir', dir, 'plan', '--detailed-exitcode'], env);
  t.equal(plan.code, 2, 'the plan has a change');
  t.match(plan.stdout, /vm\.legacy will be forgotten: removed from the state, the VM left alone/);
  t.match(plan.stdout, /0 to destroy, 1 to forget/);
  t.notMatch(plan.stdout, /vm\.legacy will be destroyed/);
  await run(t, dir, ['apply', '--auto-approve']);
  t.equal((await run(t, dir, ['state', 'list'])).stdout, 'vm.web\n', 'vm.legacy left the state');
  const json = JSON.parse((await xenform(['--chdir', dir, 'plan', '--json'], env)).stdout) as { resource_changes: unknown[] };
  t.same(json.resource_changes.length, 1, 'and the next plan knows only vm.web');

  // The VM is still on the host: imported again, it can be destroyed on request.
  fs.writeFileSync(path.join(dir, 'main.xf.hcl'), HOST + vm('web') + vm('legacy'));
  await run(t, dir, ['import', 'vm.legacy', uuid]);
  const destroyed = await run(t, dir, ['destroy', '--auto-approve', '--target', 'vm.legacy']);
  t.match(destroyed.stdout, /1 destroyed/);
});

t.test('a removed block\'s VM is shut down with the policy its block last had', async (t) => {
  const dir = writeDir({ 'main.xf.hcl': HOST + vm('db', '  shutdown {\n    timeout  = "10m"\n    fallback = "fail"\n  }\n') });
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  await run(t, dir, ['apply', '--auto-approve']);
  fs.writeFileSync(path.join(dir, 'main.xf.hcl'), HOST);
  const plan = JSON.parse((await xenform(['--chdir', dir, 'plan', '--json'], env)).stdout) as { steps: { op: string; args: { shutdown?: unknown } }[] };
  const shutdown = plan.steps.find((s) => s.op === 'clean_shutdown');
  t.same(shutdown?.args.shutdown, { mode: 'clean', timeout_ms: 600_000, fallback: 'fail' }, 'not the default 120 s then hard');
});
