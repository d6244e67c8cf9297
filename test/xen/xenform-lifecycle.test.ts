// xenform itself (command line, xl provider, SSH transport) against a real Xen 4.17 host:
// one PV guest through its whole life, with the guest's own console as the witness.
import t, { type Test } from 'tap';
import { bootCount, consoleLog, dom0, dom0Ok, domainState, resetDom0, waitFor, waitForBoot } from './dom0.js';
import { CONFIG_DIR, SUSPEND_DIR, Workdir, type TinyVm } from './xenform.js';

const NAME = 'xf-life';
const wd = new Workdir();
let vm: TinyVm = { name: NAME, power_state: 'running', args: 'console=hvc0 xf_marker=first', restart_trigger: 1 };
const configure = (patch: Partial<TinyVm>) => {
  vm = { ...vm, ...patch };
  wd.configure({ tiny: vm });
};

const alive = async () => ['running', 'blocked'].includes((await domainState(NAME)) ?? '');

async function convergedAfterApply(t: Test) {
  const { code, output } = await wd.detailedExitCode();
  t.equal(code, 0, `plan --detailed-exitcode after apply exits 0 (no changes left)\n${output}`);
}

t.before(resetDom0);
t.teardown(resetDom0);

t.test('apply creates a PV guest that boots the dom0 kernel with the configured args', async (t) => {
  configure({});
  const plan = await wd.plan();
  t.same(plan.resource_changes.map((c) => [c.address, c.action]), [['vm.tiny', 'create']]);
  await wd.apply();
  const line = await waitForBoot(NAME, 1);
  t.match(line, /\bconsole=hvc0 xf_marker=first\b/, 'the guest kernel saw the args');
  t.ok(await alive(), 'the domain runs');
  t.match(await dom0Ok(`cat ${CONFIG_DIR}/${NAME}.cfg`), /kernel\s*=\s*"\/root\/guest\/vmlinuz"/, 'the guest file boots the dom0 kernel');
  await convergedAfterApply(t);
});

t.test('changing args plans a reboot, and after apply the guest runs with the new args', async (t) => {
  configure({ args: 'console=hvc0 xf_marker=second' });
  const plan = await wd.plan();
  const change = plan.resource_changes.find((c) => c.address === 'vm.tiny');
  t.equal(change?.disruption, 'reboot', 'the plan says the guest reboots');
  t.ok(change?.changes.some((c) => c.path === 'boot.args' && c.effect === 'next_boot'), 'boot.args takes effect at next boot');
  const boots = await bootCount(NAME);
  await wd.apply();
  const line = await waitForBoot(NAME, boots + 1);
  t.match(line, /\bxf_marker=second\b/);
  t.notMatch(line, /xf_marker=first/);
  await convergedAfterApply(t);
});

t.test('power_state paused pauses the domain, running unpauses it', async (t) => {
  configure({ power_state: 'paused' });
  await wd.apply();
  t.equal(await domainState(NAME), 'paused');
  await convergedAfterApply(t);
  configure({ power_state: 'running' });
  await wd.apply();
  t.ok(await alive(), 'running again');
  await convergedAfterApply(t);
});

t.test('power_state suspended saves the guest to a file, running restores it without a reboot', async (t) => {
  const boots = await bootCount(NAME);
  configure({ power_state: 'suspended' });
  await wd.apply();
  t.equal(await domainState(NAME), null, 'no domain while suspended');
  t.equal((await dom0(`test -s ${SUSPEND_DIR}/${NAME}.save`)).code, 0, 'the save file exists');
  await convergedAfterApply(t);
  configure({ power_state: 'running' });
  await wd.apply();
  t.ok(await alive(), 'running again');
  t.equal(await bootCount(NAME), boots, 'resumed, not booted again');
  await convergedAfterApply(t);
});

t.test('power_state halted shuts the guest down cleanly, running boots it again', async (t) => {
  const boots = await bootCount(NAME);
  configure({ power_state: 'halted' });
  await wd.apply();
  t.equal(await domainState(NAME), null, 'no domain while halted');
  t.match(await consoleLog(NAME), /XF-SHUTDOWN/, 'the guest ran its shutdown');
  await convergedAfterApply(t);
  configure({ power_state: 'running' });
  await wd.apply();
  await waitForBoot(NAME, boots + 1);
  t.ok(await alive());
  await convergedAfterApply(t);
});

t.test('changing restart_trigger reboots the guest exactly once', async (t) => {
  const boots = await bootCount(NAME);
  configure({ restart_trigger: 2 });
  const plan = await wd.plan();
  t.equal(plan.resource_changes.find((c) => c.address === 'vm.tiny')?.disruption, 'reboot');
  await wd.apply();
  await waitForBoot(NAME, boots + 1);
  t.equal(await bootCount(NAME), boots + 1, 'one new boot');
  await convergedAfterApply(t);
});

t.test('a guest paused with xl behind xenform\'s back is reported as drift and resumed by apply', async (t) => {
  await dom0Ok(`xl pause ${NAME}`);
  const plan = await wd.plan();
  t.ok(plan.drift.some((d) => d.address === 'vm.tiny' && d.kind === 'power_state'), 'power-state drift is reported');
  t.ok(plan.steps.some((s) => s.address === 'vm.tiny' && s.op === 'unpause'), 'the plan unpauses it');
  const { code } = await wd.detailedExitCode();
  t.not(code, 0, 'plan --detailed-exitcode reports changes');
  await wd.apply();
  t.ok(await alive(), 'running again');
  await convergedAfterApply(t);
});

t.test('a crashed guest is reported as crashed and the plan destroys the domain', async (t) => {
  const boots = await bootCount(NAME);
  // The guest panics 15 s after printing its command line, once apply has seen it running.
  configure({ args: 'console=hvc0 xf_crash=15' });
  await wd.apply();
  t.match(await waitForBoot(NAME, boots + 1), /xf_crash=15/);
  await waitFor('the guest crash', async () => ((await domainState(NAME)) === 'crashed' ? true : undefined), 180_000);
  configure({ power_state: 'halted' });
  const plan = await wd.plan();
  const change = plan.resource_changes.find((c) => c.address === 'vm.tiny');
  t.equal(change?.before?.power_state, 'crashed', 'the plan sees the crashed state');
  const steps = plan.steps.filter((s) => s.address === 'vm.tiny');
  t.same(steps.map((s) => [s.op, s.from]), [['hard_shutdown', 'crashed']], 'a crashed VM only leaves by hard shutdown');
  await wd.apply();
  t.equal(await domainState(NAME), null, 'the crashed domain is gone');
  await convergedAfterApply(t);
});

t.test('destroy removes the guest and its configuration file', async (t) => {
  const r = await wd.xenform(['destroy', '--auto-approve']);
  t.equal(r.code, 0, r.stdout + r.stderr);
  t.equal(await domainState(NAME), null);
  t.not((await dom0(`test -e ${CONFIG_DIR}/${NAME}.cfg`)).code, 0, 'the guest file is removed');
  const plan = await wd.plan();
  t.same(plan.resource_changes.map((c) => c.action), ['create'], 'the configuration would create it again');
});
