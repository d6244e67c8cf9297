// xenform's own simulated xl hosts (simulator = true) in one migration_group: a VM whose host
// changes is moved with xl migrate between their state files, keeping its uuid.
import t from 'tap';
import { rmSync } from 'node:fs';
import { editConfig, xenform } from './cli.js';
import { writeDir } from '../support/files.js';

const xlHost = (name: string) => `host "${name}" {\n  simulator       = true\n  toolstack       = "xl"\n  migration_group = "rack"\n}\n\n`;
const MAIN =
  xlHost('a') + xlHost('b') +
  'vm "tiny" {\n  host        = host.a\n  name        = "tiny"\n  power_state = "running"\n  memory      = "128MiB"\n  vcpus       = 1\n\n' +
  '  boot {\n    mode   = "pv"\n    kernel = "/boot/vmlinuz"\n  }\n}\n';

t.test('a running VM moves between two simulated xl hosts of one migration group with one migrate step', async (t) => {
  const dir = writeDir({ 'main.xf.hcl': MAIN });
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  t.equal(xenform(dir, ['apply', '--auto-approve']).code, 0, 'created and started on a');
  const uuid = /uuid: {4}(\S+)/.exec(xenform(dir, ['state', 'show', 'vm.tiny']).stdout)![1];
  editConfig(dir, 'host        = host.a', 'host        = host.b');
  const plan = JSON.parse(xenform(dir, ['plan', '--json']).stdout);
  t.same(plan.steps.map((s: { op: string; host: string }) => [s.op, s.host]), [['migrate', 'a']]);
  t.equal(plan.resource_changes[0].disruption, 'none');
  const apply = xenform(dir, ['apply', '--auto-approve']);
  t.equal(apply.code, 0, apply.stderr);
  const shown = xenform(dir, ['state', 'show', 'vm.tiny']).stdout;
  t.match(shown, new RegExp(`uuid: {4}${uuid}\\n#   host: {4}b\\n`), 'the same VM, recorded on b');
  t.equal(xenform(dir, ['plan', '--detailed-exitcode']).code, 0, 'the next plan is empty');

  editConfig(dir, 'host        = host.b', 'host        = host.a');
  t.equal(xenform(dir, ['plan', '-out', 'back.plan']).code, 0, 'a saved plan moves it back');
  const saved = xenform(dir, ['apply', 'back.plan']);
  t.equal(saved.code, 0, `applying the saved plan reaches the target host too (${saved.stderr})`);
  t.match(xenform(dir, ['state', 'show', 'vm.tiny']).stdout, new RegExp(`uuid: {4}${uuid}\\n#   host: {4}a\\n`), 'back on a');
});

t.test('a move with a change that needs a halt migrates first, then makes the change on the new host', async (t) => {
  const dir = writeDir({ 'main.xf.hcl': MAIN });
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  t.equal(xenform(dir, ['apply', '--auto-approve']).code, 0, 'created and started on a');
  editConfig(dir, 'host        = host.a', 'host        = host.b');
  editConfig(dir, 'memory      = "128MiB"', 'memory      = "256MiB"');
  const plan = JSON.parse(xenform(dir, ['plan', '--json']).stdout);
  t.same(plan.steps.map((s: { op: string; host: string }) => [s.op, s.host]), [['migrate', 'a'], ['clean_shutdown', 'b'], ['set', 'b'], ['start', 'b']]);
  t.equal(plan.resource_changes[0].action, 'update', 'never a replacement');
  const apply = xenform(dir, ['apply', '--auto-approve']);
  t.equal(apply.code, 0, apply.stderr);
  t.equal(xenform(dir, ['plan', '--detailed-exitcode']).code, 0, 'the next plan is empty');
});
