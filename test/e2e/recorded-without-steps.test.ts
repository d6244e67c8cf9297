// The promise: what the configuration says is recorded even when no step runs. A restart_trigger
// set on a VM with nothing else to do is recorded, and its next change reboots the VM once; a new
// output is recorded by an apply with nothing else to do; outputs follow count down to 0.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exampleCopy, xenform } from './cli.js';

function edit(dir: string, from: string, to: string): void {
  const file = path.join(dir, 'main.xf.hcl');
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`fixture does not contain ${from}`);
  writeFileSync(file, text.replace(from, to));
}

const state = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'xenform.state.json'), 'utf8'));

t.test('a restart_trigger and a new output are recorded by an apply that runs no other change, and a changed trigger plans its reboot', async (t) => {
  const dir = exampleCopy('quickstart', t.teardown);
  t.equal(xenform(dir, ['apply', '--auto-approve']).code, 0);
  edit(dir, '  name        = "web"\n', '  name        = "web"\n  restart_trigger = 1\n');
  writeFileSync(path.join(dir, 'outputs.xf.hcl'), 'output "installer_uuid" {\n  value = vm.installer.uuid\n}\n');

  const plan = xenform(dir, ['plan', '--detailed-exitcode']);
  t.equal(plan.code, 2, 'the plan has changes to apply, without disruption');
  t.match(plan.stdout, /\+ restart_trigger: \(none\) -> "1"/, 'the trigger to record is shown');
  t.match(plan.stdout, /Changes to Outputs:\n  \+ installer_uuid = "[0-9a-f-]{36}"/, 'and so is the new output');
  t.notMatch(plan.stdout, /steps:/, 'no step runs for either');

  const apply = xenform(dir, ['apply', '--auto-approve']);
  t.equal(apply.code, 0, apply.stderr);
  t.notMatch(apply.stdout, /Nothing to apply/);
  const s = state(dir);
  t.equal(s.resources.find((r: { address: string }) => r.address === 'vm.web').restart_trigger, '1', 'the trigger is recorded');
  t.match(xenform(dir, ['output', 'installer_uuid']).stdout, /[0-9a-f-]{36}/, 'the output is recorded');
  t.equal(xenform(dir, ['plan', '--detailed-exitcode']).code, 0, 'and nothing is left to do');

  edit(dir, 'restart_trigger = 1', 'restart_trigger = 2');
  const changed = xenform(dir, ['plan', '--detailed-exitcode']);
  t.equal(changed.code, 3, 'a changed trigger is a disruptive change');
  t.match(changed.stdout, /restart_trigger changed \(1 -> 2\): one reboot/);
  t.match(changed.stdout, /1\. clean_reboot/, 'its one reboot is planned');
});

t.test('outputs are not left stale when count drops to 0, nor after a destroy', async (t) => {
  const dir = exampleCopy('quickstart', t.teardown);
  edit(dir, 'vm "web" {\n', 'vm "web" {\n  count = 1\n');
  edit(dir, 'value = vm.web.uuid', 'value = vm.web[*].uuid');
  t.equal(xenform(dir, ['apply', '--auto-approve']).code, 0);
  t.match(xenform(dir, ['output', '--json']).stdout, /"value": \[\s*"[0-9a-f-]{36}"/);
  edit(dir, 'count = 1', 'count = 0');
  const apply = xenform(dir, ['apply', '--auto-approve']);
  t.equal(apply.code, 0, apply.stderr);
  t.same(JSON.parse(xenform(dir, ['output', '--json']).stdout).web_uuid.value, [], 'the output follows count down to 0');
  t.equal(xenform(dir, ['destroy', '--auto-approve']).code, 0);
  t.same(state(dir).outputs, {}, 'a destroy leaves no output behind');
});

t.test('a changed shutdown policy is recorded by an apply that runs no step for that VM, and the destroy after its block is removed uses it', async (t) => {
  const dir = exampleCopy('quickstart', t.teardown);
  t.equal(xenform(dir, ['apply', '--auto-approve']).code, 0);
  const block = '  boot {\n    mode  = "hvm"\n    order = "dc"\n  }\n';
  edit(dir, block, `${block}\n  shutdown {\n    timeout  = "10m"\n    fallback = "fail"\n  }\n`);

  const plan = xenform(dir, ['plan', '--detailed-exitcode']);
  t.equal(plan.code, 2, 'a change to record, without disruption');
  t.match(plan.stdout, /~ shutdown: \{"mode":"clean","timeout_ms":120000,"fallback":"fail"\} -> \{"mode":"clean","timeout_ms":600000,"fallback":"fail"\}/, 'the policy to record is shown');
  t.notMatch(plan.stdout, /steps:/, 'no step runs for it');

  const apply = xenform(dir, ['apply', '--auto-approve']);
  t.equal(apply.code, 0, apply.stderr);
  const recorded = state(dir).resources.find((r: { address: string }) => r.address === 'vm.installer');
  t.same(recorded.shutdown, { mode: 'clean', timeout_ms: 600_000, fallback: 'fail' }, 'the policy is recorded');
  t.equal(xenform(dir, ['plan', '--detailed-exitcode']).code, 0, 'and nothing is left to do');

  const text = readFileSync(path.join(dir, 'main.xf.hcl'), 'utf8');
  writeFileSync(path.join(dir, 'main.xf.hcl'), text.slice(0, text.indexOf('# An HVM guest')) + text.slice(text.indexOf('output "web_uuid"')));
  const removed = xenform(dir, ['plan']);
  t.equal(removed.code, 0, removed.stderr);
  t.match(removed.stdout, /clean_shutdown \(running -> halted; clean for up to 600s, then fail\)/, 'the destroy of the removed block shuts down with the recorded policy');
});
