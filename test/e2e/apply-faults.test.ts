// Apply against faults of the simulated host, through the command line (issue 15, items 12
// and 16): what is reported is what the host has, once.
import t, { type Test } from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { editConfig, xenform, xenformInBackground } from './cli.js';
import { until } from '../providers/ssh-cli.js';

interface Vm {
  power?: string;
  shutdown?: string;
  extra?: string;
}

function workdir(t: Test, toolstack: string, vm: Vm = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'xenform-apply-faults-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const template = toolstack === 'xapi' ? '  template    = "Debian Bookworm 12"\n' : '';
  writeFileSync(
    path.join(dir, 'main.xf.hcl'),
    `host "lab" {
  simulator = true
  toolstack = "${toolstack}"
}

vm "web" {
  host        = host.lab
  name        = "web"
${template}  power_state = "${vm.power ?? 'running'}"
  memory      = "1GiB"
  vcpus       = 1
  boot {
    mode       = "pv"
    bootloader = "pygrub"
  }
${vm.shutdown ?? ''}${vm.extra ?? ''}}
`,
  );
  return dir;
}

t.test('a guest that crashes as it starts is reported as failed, not started, and apply exits non-zero', async (t) => {
  const dir = workdir(t, 'xapi');
  const apply = xenform(dir, ['apply', '--auto-approve'], { XENSIM_FAULTS: JSON.stringify({ crash: ['web'] }) });
  t.equal(apply.code, 1, 'apply fails');
  t.match(apply.stderr, /Failed: vm\.web: start failed: start of vm\.web returned, but the VM is halted, not running/, 'the start is reported as failed, with what the host has');
  t.notMatch(apply.stdout, /Apply complete/, 'and never as complete');
});

t.test('the notes of an interrupted apply are printed once by the apply that recovers it', async (t) => {
  const dir = workdir(t, 'xapi');
  const faults = { XENSIM_FAULTS: JSON.stringify({ latency_ms: { 'vm-start': 60_000 } }) };
  const run = xenformInBackground(dir, ['apply', '--auto-approve'], faults);
  await until(() => /vm\.web: start started/.test(run.output()), 'the start is under way');
  run.signal('SIGKILL');
  await run.done;
  const lock = JSON.parse(readFileSync(path.join(dir, 'xenform.lock.json'), 'utf8')) as { id: string };
  t.equal(xenform(dir, ['force-unlock', '--force', lock.id]).code, 0, 'the killed apply\'s lock is removed');

  editConfig(dir, 'vcpus       = 1', 'vcpus       = 1\n  description = "recovered"'); // the recovering apply has steps to run
  const next = xenform(dir, ['apply', '--auto-approve']);
  t.equal(next.code, 0, `the next apply completes (${next.stdout}${next.stderr})`);
  t.equal(next.stdout.split('A previous apply was interrupted').length - 1, 1, 'the recovery note is printed once');
});

t.test('a clean shutdown that fallback = "fail" gives up on is said to be still running on the host, with what to do', async (t) => {
  const shutdown = '  shutdown {\n    mode     = "clean"\n    timeout  = "1s"\n    fallback = "fail"\n  }\n';
  const dir = workdir(t, 'xapi', { shutdown });
  t.equal(xenform(dir, ['apply', '--auto-approve']).code, 0, 'the VM is created and started');
  editConfig(dir, 'power_state = "running"', 'power_state = "halted"');
  const faults = { XENSIM_FAULTS: JSON.stringify({ ignore_clean_shutdown: ['web'], clean_shutdown_timeout_ms: 3000 }) };
  const apply = xenform(dir, ['apply', '--auto-approve'], faults);
  t.equal(apply.code, 1, 'apply fails');
  t.match(apply.stderr, /no clean shutdown within 1s/, 'says the shutdown timed out');
  t.match(apply.stderr, /request was left running on host "lab": the guest may still halt later/, 'and that the request is still with the host');
  t.match(apply.stderr, /run apply again once it is done, or halt it yourself/, 'and what to do');
  t.match(apply.stdout, /read again, it is running\. It was left as it is/, 'the VM is reported as it is, not restored');
});

t.test('a disk label that is not a plain file name is refused at validate on an xl host, with its location', async (t) => {
  const dir = workdir(t, 'xl', { extra: '  disk "/../../../../tmp/x" {\n    size = "1GiB"\n  }\n' });
  const v = xenform(dir, ['validate']);
  t.equal(v.code, 1, 'validate fails');
  t.match(v.stderr, /Invalid disk label/, 'naming the problem');
  t.match(v.stderr, /main\.xf\.hcl:\d+:\d+/, 'and where it is');
  t.match(v.stderr, /"\/\.\.\/\.\.\/\.\.\/\.\.\/tmp\/x" must be letters, digits/, 'and what a label may hold');
});
