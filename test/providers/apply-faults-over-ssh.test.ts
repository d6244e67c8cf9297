// Apply when the host or the connection fails half way (issue 15, items 4 and 11): over a real
// sshd with the simulated `xe`, through the built command line.
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { editConfig, xenform, xenformInBackground } from '../e2e/cli.js';
import { startSshd, ssh, type Sshd } from '../support/sshd.js';
import { killSessions, simProcesses } from './sshd-sessions.js';
import { until, xeRunning } from './ssh-cli.js';
import { overSsh, SSH_ENV as ENV } from '../support/ssh-config.js';

function config(power: string): string {
  return `host "lab" {
  simulator = true
  toolstack = "xapi"
}

vm "web" {
  host        = host.lab
  name        = "web"
  template    = "Debian Bookworm 12"
  power_state = "${power}"
  memory      = "1GiB"
  vcpus       = 1
  boot {
    mode       = "pv"
    bootloader = "pygrub"
  }
}
`;
}

async function setup(t: Test, faults: object, power = 'running'): Promise<{ dir: string; sshd: Sshd; statePath: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'xenform-faults-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const statePath = path.join(dir, 'dom0.json');
  const sshd = await startSshd({ env: { XENSIM_STATE: statePath, XENSIM_FAULTS: JSON.stringify(faults) } });
  t.teardown(() => sshd.stop());
  writeFileSync(path.join(dir, 'main.xf.hcl'), config(power));
  overSsh(dir, sshd);
  return { dir, sshd, statePath };
}

async function vmsNamed(sshd: Sshd, name: string): Promise<string[]> {
  const r = await ssh(sshd, `xe vm-list name-label=${name} params=uuid --minimal`);
  return r.stdout.trim().split(',').filter(Boolean);
}

async function marker(sshd: Sshd, uuid: string): Promise<string> {
  const r = await ssh(sshd, `xe vm-param-get uuid=${uuid} param-name=other-config param-key=xenform-address`);
  return r.stdout.trim();
}

// The next apply completes with the VM the failed one made, and makes no twin of it.
async function nextApplyKeeps(t: Test, dir: string, sshd: Sshd, made: string[]): Promise<string> {
  const second = xenform(dir, ['apply', '--auto-approve'], ENV);
  t.equal(second.code, 0, `the next apply completes (${second.stdout}${second.stderr})`);
  t.same(await vmsNamed(sshd, 'web'), made, 'with the VM the failed apply made: none was created twice');
  return second.stdout;
}

const cuts: { name: string; cut: (run: ReturnType<typeof xenformInBackground>, sshd: Sshd) => void | Promise<void> }[] = [
  { name: 'the connection is cut', cut: (_run, sshd) => void killSessions(sshd) },
  {
    name: 'Ctrl-C is pressed twice',
    cut: async (run) => {
      run.signal('SIGINT');
      // Two signals sent at once may arrive as one: the second follows the first's answer.
      await until(() => /interrupt/i.test(run.output()), 'the first interrupt is taken');
      run.signal('SIGINT');
    },
  },
];

for (const c of cuts) {
  t.test(`${c.name} while vm-install runs: the VM is marked all the same, and the next apply adopts it instead of making a twin`, async (t) => {
    const { dir, sshd, statePath } = await setup(t, { latency_ms: { 'vm-install': 3000 } });
    const run = xenformInBackground(dir, ['apply', '--auto-approve'], ENV);
    await until(() => xeRunning(statePath, 'vm-install'), 'vm-install runs on the host');
    await c.cut(run, sshd);
    const first = await run.done;
    t.not(first.code, 0, 'apply reports the failure');
    t.match(first.stdout + first.stderr, /next plan adopts it/, 'and says the VM it may have made is adopted, not made again');
    t.notMatch(first.stderr, /^\s+at /m, 'without a stack trace');

    // The host finishes what it was doing: the simulated xe outlives the cut session.
    await until(() => !xeRunning(statePath, ''), 'the host is idle');
    const made = await vmsNamed(sshd, 'web');
    t.equal(made.length, 1, 'the install went through on the host');
    t.equal(await marker(sshd, made[0]), 'vm.web', 'and the VM carries its ownership marker');

    await nextApplyKeeps(t, dir, sshd, made);
    t.equal(xenform(dir, ['plan', '--detailed-exitcode'], ENV).code, 0, 'and nothing is left to do');
  });
}

t.test('an install killed on the host before it printed the uuid: the next refresh adopts the VM by its name', async (t) => {
  const { dir, sshd, statePath } = await setup(t, { kill_during: [{ command: 'vm-install', nth: 1 }] });
  const first = xenform(dir, ['apply', '--auto-approve'], ENV);
  t.not(first.code, 0, 'apply reports the failure');
  t.match(first.stdout + first.stderr, /ended abruptly/, 'as a command that ended abruptly');
  t.match(first.stdout + first.stderr, /next plan adopts it/, 'and says what happens to the VM it may have made');
  await until(() => !xeRunning(statePath, ''), 'the host is idle');
  const made = await vmsNamed(sshd, 'web');
  t.equal(made.length, 1, 'the VM was installed');
  t.equal(await marker(sshd, made[0]), '', 'but not marked');

  t.match(await nextApplyKeeps(t, dir, sshd, made), new RegExp(`found VM ${made[0]}`), 'adopting the VM by its name');
});

t.test('a marker write that fails names the VM left behind, and the next apply adopts it instead of making a twin', async (t) => {
  const { dir, sshd } = await setup(t, { fail: [{ command: 'vm-param-set', nth: 1, code: 'INTERNAL_ERROR', params: ['database locked'] }] });
  const first = xenform(dir, ['apply', '--auto-approve'], ENV);
  t.not(first.code, 0, 'apply reports the failure');
  const made = await vmsNamed(sshd, 'web');
  t.equal(made.length, 1, 'the VM was installed');
  t.match(first.stderr, new RegExp(`VM ${made[0]} was installed .* but could not be marked`), 'the error names the VM left behind');
  t.match(first.stderr, new RegExp(`xenform import vm\\.web ${made[0]}`), 'and how to keep it');

  await nextApplyKeeps(t, dir, sshd, made);
});

t.test('a start killed on the host (exit 137) is not undone: the VM is read again, reported as it is and left alone', async (t) => {
  const { dir, sshd } = await setup(t, { kill_during: [{ command: 'vm-start', nth: 1 }] }, 'halted');
  t.equal(xenform(dir, ['apply', '--auto-approve'], ENV).code, 0, 'the halted VM is created');
  editConfig(dir, 'power_state = "halted"', 'power_state = "running"');

  const start = xenform(dir, ['apply', '--auto-approve'], ENV);
  t.not(start.code, 0, 'apply reports the failure');
  const out = start.stdout + start.stderr;
  t.match(out, /ended abruptly \(exit 137/, 'names how the command ended');
  t.match(out, /read again, it is running\. It was left as it is/, 'reports the VM as the host has it now');
  t.notMatch(out, /shutdown|brought back|Restored/i, 'and runs no shutdown the plan never showed');
  const [uuid] = await vmsNamed(sshd, 'web');
  const power = await ssh(sshd, `xe vm-param-get uuid=${uuid} param-name=power-state`);
  t.equal(power.stdout.trim(), 'running', 'the VM runs on the host');
  t.equal(xenform(dir, ['plan', '--detailed-exitcode'], ENV).code, 0, 'and the next plan has nothing to do');
});

t.test('a command that hangs is given up after the host\'s command_timeout, and the VM is reported as it is, not undone', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'xenform-faults-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const statePath = path.join(dir, 'dom0.json');
  // The start hangs on the host (until the test ends it); the limit leaves reading the host,
  // however loaded this machine is, time to spare.
  const sshd = await startSshd({ env: { XENSIM_STATE: statePath, XENSIM_FAULTS: JSON.stringify({ latency_ms: { 'vm-start': 600_000 } }) } });
  t.teardown(() => sshd.stop());
  t.teardown(() => simProcesses(statePath).forEach((p) => process.kill(p.pid, 'SIGKILL')));
  writeFileSync(path.join(dir, 'main.xf.hcl'), config('running'));
  overSsh(dir, sshd, '  command_timeout = "30s"');

  const apply = xenform(dir, ['apply', '--auto-approve'], ENV);
  t.equal(apply.code, 1, 'apply fails');
  t.match(apply.stderr, /`xe vm-start uuid=\S+` did not finish within 30 s; it was abandoned and may still be running \(command_timeout/, 'naming the command, the limit and the setting');
  t.match(apply.stdout, /vm\.web \(\S+ on lab\): the host may have completed start after all; read again, it is halted\. It was left as it is/, 'the VM is read again and left alone');
  t.notMatch(apply.stdout + apply.stderr, /brought back|Restored/, 'with nothing run that the plan did not show');
});

t.test('a host slow to answer is said so while plan and apply wait, naming the host and the command, on any output', async (t) => {
  const { dir } = await setup(t, { latency_ms: { 'vm-list': 6000 } });
  const plan = xenform(dir, ['plan'], ENV);
  t.equal(plan.code, 0, plan.stderr);
  const waiting = /host "lab" still running: `xe vm-list [^`]*`( \(and \d+ more\))? \(\d+\.\ds so far\)/;
  t.match(plan.stderr, waiting, 'plan says which command it waits on');

  const json = xenform(dir, ['plan', '--json'], ENV);
  t.equal(json.code, 0, json.stderr);
  t.doesNotThrow(() => JSON.parse(json.stdout), 'plan --json keeps stdout JSON');
  t.match(json.stderr, waiting, 'and says so on stderr');

  const apply = xenform(dir, ['apply', '--auto-approve', '--json'], ENV);
  t.equal(apply.code, 0, apply.stderr);
  const events = apply.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; host?: string; command?: string });
  t.ok(events.some((e) => e.type === 'waiting' && e.host === 'lab' && /^xe vm-list/.test(e.command ?? '')), 'apply --json streams it as an event');
});
