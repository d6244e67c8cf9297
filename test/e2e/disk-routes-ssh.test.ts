// Issue 17 over an OpenSSH server on 127.0.0.1 and the simulated xe behind it: a disk grown and
// a network interface added take the least disruptive route the host's guest and SR allow.
import t, { type Test } from 'tap';
import { xenform, editConfig } from './cli.js';
import { quickstartOverSsh, SSH_ENV } from '../support/ssh-config.js';
import { ssh, type Sshd } from '../support/sshd.js';
import type { Plan } from '../../planner/plan/types.js';
import { powerHistory } from '../support/sim-host.js';
import path from 'node:path';

const GiB = 1024 ** 3;
// No stock SM driver declares VDI_RESIZE_ONLINE (sm 471cf7ed): the fault gives ext SRs a driver that does.
const ONLINE_SR = { sm_features: { ext: ['VDI_RESIZE_ONLINE'] } };

async function xe(sshd: Sshd, command: string): Promise<string> {
  const r = await ssh(sshd, `xe ${command}`);
  if (r.code !== 0) throw new Error(`xe ${command}: ${r.stderr}`);
  return r.stdout.replace(/\n$/, '');
}

async function appliedQuickstart(t: Test, faults: object): Promise<{ dir: string; sshd: Sshd; web: string }> {
  const { dir, sshd } = await quickstartOverSsh(t, { XENSIM_FAULTS: JSON.stringify(faults) });
  const applied = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(applied.code, 0, `the quickstart is applied (${applied.stderr})`);
  return { dir, sshd, web: await xe(sshd, 'vm-list name-label=web params=uuid --minimal') };
}

// The uuid and size of web's data disk, and the domain web runs in (a halt or reboot builds a new one).
async function observe(sshd: Sshd, web: string): Promise<{ vdi: string; size: number; domain: string }> {
  const vdi = await xe(sshd, `vdi-list other-config:xenform-vm=${web} other-config:xenform-disk=data params=uuid --minimal`);
  const size = Number(await xe(sshd, `vdi-param-get uuid=${vdi} param-name=virtual-size`));
  const domain = `${await xe(sshd, `vm-param-get uuid=${web} param-name=dom-id`)} ${await xe(sshd, `vm-param-get uuid=${web} param-name=start-time`)}`;
  return { vdi, size, domain };
}

function planJson(dir: string): Plan {
  const r = xenform(dir, ['plan', '--json'], SSH_ENV);
  return JSON.parse(r.stdout) as Plan;
}

const grow = (dir: string) => editConfig(dir, 'size = "10GiB"', 'size = "20GiB"');

t.test('growing the disk of a running guest with PV drivers on an SR that resizes online plans no disruption and keeps the disk', async (t) => {
  const { dir, sshd, web } = await appliedQuickstart(t, ONLINE_SR);
  const before = await observe(sshd, web);
  grow(dir);
  const plan = planJson(dir);
  const rc = plan.resource_changes.find((r) => r.address === 'vm.web')!;
  t.equal(rc.disruption, 'none', 'no disruption');
  t.equal(rc.changes[0].condition, 'the SR resizes attached disks', 'the plan says why');
  t.same(plan.steps.map((s) => s.op), ['change_disk'], 'one step on the running guest');
  t.match(xenform(dir, ['plan'], SSH_ENV).stdout, /~ disks\.data\.size: 10GiB -> 20GiB {2}\(live: the SR resizes attached disks\)/, 'the text plan shows route and condition');
  t.equal(xenform(dir, ['apply', '--auto-approve'], SSH_ENV).code, 0, 'applied');
  const after = await observe(sshd, web);
  t.equal(await xe(sshd, 'vm-list name-label=web params=uuid --minimal'), web, 'the VM keeps its uuid');
  t.equal(after.vdi, before.vdi, 'the disk keeps its uuid');
  t.ok(after.size >= 20 * GiB, `the disk is at least 20GiB (${after.size})`);
  t.equal(after.domain, before.domain, 'the guest ran on in the same domain: never halted');
  t.equal(xenform(dir, ['plan', '--detailed-exitcode'], SSH_ENV).code, 0, 'a second plan is empty');
});

t.test('growing the disk of a running guest without PV drivers halts it, never replaces it', async (t) => {
  const { dir, sshd, web } = await appliedQuickstart(t, { ...ONLINE_SR, no_pv_drivers: ['web'] });
  const before = await observe(sshd, web);
  grow(dir);
  // without PV drivers a clean shutdown is refused (VM_LACKS_FEATURE): the policy forces it off
  editConfig(dir, '  vcpus       = 2\n\n  disk "data"', '  vcpus       = 2\n\n  shutdown {\n    timeout  = "10s"\n    fallback = "hard"\n  }\n\n  disk "data"');
  const plan = planJson(dir);
  const rc = plan.resource_changes.find((r) => r.address === 'vm.web')!;
  t.equal(rc.disruption, 'halt');
  t.equal(rc.changes[0].condition, 'the guest has no PV drivers, so the disk cannot be hot-plugged');
  t.same(plan.steps.map((s) => s.op), ['clean_shutdown', 'change_disk', 'start'], 'halted, resized offline, started');
  t.notOk(plan.steps.some((s) => s.op === 'destroy' || s.op === 'create'), 'never destroyed and created again');
  const applied = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(applied.code, 0, `applied (${applied.stderr})`);
  const after = await observe(sshd, web);
  t.equal(await xe(sshd, 'vm-list name-label=web params=uuid --minimal'), web, 'the VM keeps its uuid');
  t.equal(after.vdi, before.vdi, 'the disk keeps its uuid');
  t.ok(after.size >= 20 * GiB, 'the disk is at least 20GiB');
  t.equal(xenform(dir, ['plan', '--detailed-exitcode'], SSH_ENV).code, 0, 'a second plan is empty');
});

t.test('shrinking a disk exits 1 naming the VM, the disk, both sizes and --replace', async (t) => {
  const { dir } = await appliedQuickstart(t, ONLINE_SR);
  editConfig(dir, 'size = "10GiB"', 'size = "5GiB"');
  const r = xenform(dir, ['plan'], SSH_ENV);
  t.equal(r.code, 1);
  t.match(r.stderr, /vm\.web: disk "data" cannot shrink from 10GiB to 5GiB/);
  t.match(r.stderr, /--replace vm\.web/);
});

t.test('adding a network interface to a running guest with PV drivers plans no disruption and never halts it', async (t) => {
  const { dir, sshd, web } = await appliedQuickstart(t, {});
  const before = await observe(sshd, web);
  editConfig(dir, '    sr   = "Local storage"\n  }\n', '    sr   = "Local storage"\n  }\n\n  network "eth0" {\n    network = "xenbr0"\n  }\n');
  const plan = planJson(dir);
  const rc = plan.resource_changes.find((r) => r.address === 'vm.web')!;
  t.equal(rc.disruption, 'none');
  t.equal(rc.changes[0].condition, "the guest's PV drivers hot-plug network interfaces");
  t.same(plan.steps.map((s) => s.op), ['add_network']);
  t.equal(xenform(dir, ['apply', '--auto-approve'], SSH_ENV).code, 0, 'applied');
  const vif = await xe(sshd, `vif-list vm-uuid=${web} params=currently-attached --minimal`);
  t.equal(vif, 'true', 'the new interface is plugged into the running guest');
  t.equal((await observe(sshd, web)).domain, before.domain, 'the guest ran on in the same domain: never halted');
  t.same(powerHistory(path.join(dir, 'dom0.json'), web), ['running'], "the simulator's power history: started once, never halted");
  t.equal(xenform(dir, ['plan', '--detailed-exitcode'], SSH_ENV).code, 0, 'a second plan is empty');
});
