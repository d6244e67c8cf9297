// The walking skeleton through the command line: the quickstart from apply to destroy.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exampleCopy, xenform } from './cli.js';
import type { Plan } from '../../planner/plan/types.js';
import { runSim } from '../../providers/sim/index.js';

function planJson(dir: string): Plan {
  const r = xenform(dir, ['plan', '--json']);
  if (r.code !== 0) throw new Error(`plan --json failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Plan;
}

function stepsOf(plan: Plan, address: string): string[] {
  return plan.steps.filter((s) => s.address === address).map((s) => s.op);
}

// What the simulated host itself says about a VM, through its own `xe`.
async function powerState(dir: string, name: string): Promise<string> {
  const r = await runSim(['xe', 'vm-list', `name-label=${name}`, 'params=power-state', '--minimal'], {
    statePath: path.join(dir, '.xenform', 'sim', 'demo.json'),
    root: path.join(dir, '.xenform', 'sim', 'demo.root'),
  });
  return r.stdout.trim();
}

function edit(dir: string, from: string, to: string): void {
  const file = path.join(dir, 'main.xf.hcl');
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`fixture does not contain ${from}`);
  writeFileSync(file, text.replace(from, to));
}

t.test('the quickstart goes from nothing to two running VMs and back', async (t) => {
  const dir = exampleCopy('quickstart', t.teardown);

  const first = planJson(dir);
  t.same(stepsOf(first, 'vm.web'), ['create', 'start'], 'the Debian VM is created, then started');
  t.same(stepsOf(first, 'vm.installer'), ['create', 'start'], 'the HVM VM is created, then started');
  t.equal(first.summary.create, 2);

  const apply = xenform(dir, ['apply', '--auto-approve']);
  t.equal(apply.code, 0, `apply succeeds: ${apply.stderr}`);
  t.match(apply.stdout, /Apply complete!/);
  t.equal(await powerState(dir, 'web'), 'running', 'the host reports web running');
  t.equal(await powerState(dir, 'installer'), 'running', 'the host reports installer running');

  const again = xenform(dir, ['plan', '--detailed-exitcode']);
  t.equal(again.code, 0, 'a second plan has no changes');
  t.match(again.stdout, /No changes/);

  edit(dir, 'power_state = "running"\n  memory      = "1GiB"', 'power_state = "halted"\n  memory      = "1GiB"');
  const halt = planJson(dir);
  t.same(stepsOf(halt, 'vm.web'), ['clean_shutdown'], 'halting plans a clean shutdown');
  t.same(stepsOf(halt, 'vm.installer'), [], 'the other VM is left alone');
  t.equal(xenform(dir, ['apply', '--auto-approve']).code, 0);
  t.equal(await powerState(dir, 'web'), 'halted');

  edit(dir, 'power_state = "halted"', 'power_state = "running"');
  t.equal(xenform(dir, ['apply', '--auto-approve']).code, 0, 'web is started again');
  edit(dir, '  disk "data" {', '  boot {\n    order = "dc"\n  }\n\n  disk "data" {');
  const reboot = planJson(dir);
  t.same(stepsOf(reboot, 'vm.web'), ['set', 'clean_reboot'], 'a new boot order is set, then the VM reboots');
  const web = reboot.resource_changes.find((c) => c.address === 'vm.web');
  t.equal(web?.disruption, 'reboot');
  t.same(
    web?.changes.map((c) => [c.path, c.effect]),
    [['boot.order', 'next_boot']],
    'the boot order change is marked as taking effect at the next boot',
  );
  const text = xenform(dir, ['plan']);
  t.match(text.stdout, /clean_reboot/, 'the text plan lists the reboot step');
  t.equal(xenform(dir, ['apply', '--auto-approve']).code, 0);
  t.equal(xenform(dir, ['plan', '--detailed-exitcode']).code, 0, 'after the reboot nothing is left to do');

  const destroy = xenform(dir, ['destroy', '--auto-approve']);
  t.equal(destroy.code, 0, `destroy succeeds: ${destroy.stderr}`);
  t.equal(await powerState(dir, 'web'), '', 'web is gone from the host');
  t.equal(await powerState(dir, 'installer'), '', 'installer is gone from the host');
  const state = JSON.parse(readFileSync(path.join(dir, 'xenform.state.json'), 'utf8')) as { resources: unknown[] };
  t.same(state.resources, [], 'the state records no VM');
});

t.test('a configuration error names the file, line and column and exits 1', async (t) => {
  const dir = exampleCopy('quickstart', t.teardown);
  edit(dir, 'mode  = "hvm"', 'mode  = "pvh"');
  for (const command of [['validate'], ['plan']]) {
    const r = xenform(dir, command);
    t.equal(r.code, 1, `${command[0]} exits 1`);
    t.match(r.stderr, /main\.xf\.hcl:\d+:\d+/, `${command[0]} prints file:line:column`);
    t.match(r.stderr, /pvh/, `${command[0]} shows the offending value`);
    t.notMatch(r.stderr, /\n\s+at /, `${command[0]} prints no stack trace`);
  }
});

t.test('more vCPUs than the simulated host has CPUs are refused at plan time, before anything is created', async (t) => {
  const dir = exampleCopy('quickstart', t.teardown);
  edit(dir, '  vcpus       = 2\n\n  disk "data"', '  vcpus       = 2\n  vcpus_max   = 64\n\n  disk "data"');
  const plan = xenform(dir, ['plan']);
  t.equal(plan.code, 1, 'plan fails');
  t.match(plan.stderr, /vm\.web has vcpus_max = 64, but its host "demo" has \d+ physical CPUs/, 'naming the VM, its vcpus_max and the host\'s count');
  t.notMatch(plan.stderr, /^\s+at /m, 'without a stack trace');
  const apply = xenform(dir, ['apply', '--auto-approve']);
  t.equal(apply.code, 1, 'apply refuses too');
  t.equal(await powerState(dir, 'web'), '', 'and no VM was created');
});
