// disk { keep_on_destroy } over an OpenSSH server on 127.0.0.1 and the simulated xe behind it: a
// removed disk and a destroyed VM leave the VDI detached and named by uuid; a disk xenform did
// not create for the VM is never destroyed.
import t, { type Test } from 'tap';
import { xenform, editConfig } from './cli.js';
import { quickstartOverSsh, SSH_ENV } from '../support/ssh-config.js';
import { ssh, type Sshd } from '../support/sshd.js';
import type { Plan } from '../../planner/plan/types.js';

const DATA = '  disk "data" {\n    size = "10GiB"\n    sr   = "Local storage"\n  }\n';
const KEPT = '  disk "data" {\n    size = "10GiB"\n    sr   = "Local storage"\n    keep_on_destroy = true\n  }\n';

async function xe(sshd: Sshd, command: string): Promise<string> {
  const r = await ssh(sshd, `xe ${command}`);
  if (r.code !== 0) throw new Error(`xe ${command}: ${r.stderr}`);
  return r.stdout.replace(/\n$/, '');
}

async function applied(t: Test, keep: boolean): Promise<{ dir: string; sshd: Sshd; web: string; vdi: string }> {
  const { dir, sshd } = await quickstartOverSsh(t);
  if (keep) editConfig(dir, DATA, KEPT);
  const r = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(r.code, 0, `the quickstart is applied (${r.stderr})`);
  const web = await xe(sshd, 'vm-list name-label=web params=uuid --minimal');
  const vdi = await xe(sshd, `vdi-list other-config:xenform-vm=${web} other-config:xenform-disk=data params=uuid --minimal`);
  return { dir, sshd, web, vdi };
}

t.test('a disk with keep_on_destroy removed from the configuration is detached and kept, its uuid reported', async (t) => {
  const { dir, sshd, web, vdi } = await applied(t, true);
  editConfig(dir, KEPT, '');
  const plan = JSON.parse(xenform(dir, ['plan', '--json'], SSH_ENV).stdout) as Plan;
  t.same(plan.steps.map((s) => s.op), ['remove_disk']);
  const r = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(r.code, 0, `applied (${r.stderr})`);
  t.match(r.stdout, `vm.web: disk "data" was detached and kept (keep_on_destroy): VDI ${vdi}`, 'the apply names the kept VDI');
  t.equal(await xe(sshd, `vdi-list uuid=${vdi} params=uuid --minimal`), vdi, 'the VDI still exists');
  t.equal(await xe(sshd, `vbd-list vm-uuid=${web} vdi-uuid=${vdi} params=uuid --minimal`), '', 'and is no longer attached to the VM');
  t.equal(xenform(dir, ['plan', '--detailed-exitcode'], SSH_ENV).code, 0, 'the next plan is empty');
});

t.test('destroying a VM keeps its keep_on_destroy disk and reports its uuid', async (t) => {
  const { dir, sshd, vdi } = await applied(t, true);
  const r = xenform(dir, ['destroy', '--auto-approve'], SSH_ENV);
  t.equal(r.code, 0, `destroyed (${r.stderr})`);
  t.match(r.stdout, `vm.web: disk "data" was detached and kept (keep_on_destroy): VDI ${vdi}`);
  t.equal(await xe(sshd, 'vm-list name-label=web params=uuid --minimal'), '', 'the VM is gone');
  t.equal(await xe(sshd, `vdi-list uuid=${vdi} params=uuid --minimal`), vdi, 'the kept VDI still exists');
});

t.test('keep_on_destroy set on an existing disk is a mark made in place, and a second plan is empty', async (t) => {
  const { dir, sshd, vdi } = await applied(t, false);
  editConfig(dir, DATA, KEPT);
  const plan = JSON.parse(xenform(dir, ['plan', '--json'], SSH_ENV).stdout) as Plan;
  const rc = plan.resource_changes.find((c) => c.address === 'vm.web')!;
  t.equal(rc.disruption, 'none');
  t.match(rc.changes, [{ path: 'disks.data', effect: 'live', reason: /keep_on_destroy is a mark on the disk/ }]);
  t.match(xenform(dir, ['plan'], SSH_ENV).stdout, /disks\.data\.keep_on_destroy: false -> true/);
  t.equal(xenform(dir, ['apply', '--auto-approve'], SSH_ENV).code, 0);
  t.equal(await xe(sshd, `vdi-param-get uuid=${vdi} param-name=other-config param-key=xenform-keep`), 'true');
  t.equal(xenform(dir, ['plan', '--detailed-exitcode'], SSH_ENV).code, 0, 'a second plan is empty');
});

t.test('a disk xenform did not create for the VM is never destroyed, with the VM or without it', async (t) => {
  const { dir, sshd, web, vdi } = await applied(t, false);
  const sr = await xe(sshd, 'sr-list name-label="Local storage" params=uuid --minimal');
  const foreign = await xe(sshd, `vdi-create sr-uuid=${sr} name-label=hand-made virtual-size=1073741824 type=user`);
  await xe(sshd, `vbd-create vm-uuid=${web} vdi-uuid=${foreign} device=5 mode=RW type=Disk`);
  t.equal(xenform(dir, ['plan', '--detailed-exitcode'], SSH_ENV).code, 0, 'the hand-made disk is not the configuration\'s: nothing planned');
  const r = xenform(dir, ['destroy', '--auto-approve'], SSH_ENV);
  t.equal(r.code, 0, `destroyed (${r.stderr})`);
  t.equal(await xe(sshd, `vdi-list uuid=${foreign} params=uuid --minimal`), foreign, 'the hand-made VDI survives the VM');
  t.equal(await xe(sshd, `vdi-list uuid=${vdi} params=uuid --minimal`), '', 'the disk xenform made for the VM is destroyed with it');
});
