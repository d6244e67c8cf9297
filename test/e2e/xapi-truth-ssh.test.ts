// What must hold on a real XCP-ng host, through the command line, an OpenSSH server on
// 127.0.0.1 and the simulated `xe` behind it (issue 13's Done list).
import t, { type Test } from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exampleCopy, xenform } from './cli.js';
import { overSsh, SSH_ENV } from '../support/ssh-config.js';
import { startSshd, ssh, type Sshd } from '../support/sshd.js';
import type { Plan } from '../../planner/plan/types.js';

async function quickstartOverSsh(t: Test, faults?: string): Promise<{ dir: string; sshd: Sshd }> {
  const dir = exampleCopy('quickstart', t.teardown);
  const sshd = await startSshd({ env: { XENSIM_STATE: path.join(dir, 'dom0.json'), ...(faults ? { XENSIM_FAULTS: faults } : {}) } });
  t.teardown(() => sshd.stop());
  overSsh(dir, sshd);
  return { dir, sshd };
}

function edit(dir: string, from: string, to: string): void {
  const file = path.join(dir, 'main.xf.hcl');
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`the quickstart does not contain ${from}`);
  writeFileSync(file, text.replace(from, to));
}

// One `xe` command on the host, its stdout without the final newline.
async function xe(sshd: Sshd, command: string): Promise<string> {
  const r = await ssh(sshd, `xe ${command}`);
  if (r.code !== 0) throw new Error(`xe ${command}: ${r.stderr}`);
  return r.stdout.replace(/\n$/, '');
}

const list = (minimal: string): string[] => (minimal === '' ? [] : minimal.split(','));

t.test('destroying a VM with snapshots and a clone leaves the snapshot\'s and the clone\'s disks', async (t) => {
  const { dir, sshd } = await quickstartOverSsh(t);
  t.equal(xenform(dir, ['apply', '--auto-approve'], SSH_ENV).code, 0, 'the quickstart is applied');
  const web = await xe(sshd, 'vm-list name-label=web params=uuid --minimal');
  const ownDisks = list(await xe(sshd, `vbd-list vm-uuid=${web} type=Disk params=vdi-uuid --minimal`));
  t.equal(ownDisks.length, 2, 'web has the template\'s disk and its data disk');

  const snapshot = await xe(sshd, `vm-snapshot uuid=${web} new-name-label=web-before-upgrade`);
  await xe(sshd, `vm-shutdown uuid=${web}`);
  const clone = await xe(sshd, `vm-clone uuid=${web} new-name-label=web-copy`);
  // the clone carries web's ownership markers: xenform refuses until they are removed from it
  const refused = xenform(dir, ['destroy', '--auto-approve'], SSH_ENV);
  t.equal(refused.code, 1, 'destroy is refused while two VMs claim vm.web');
  t.match(refused.stderr, new RegExp(`${web}.*${clone}|${clone}.*${web}`), 'naming both');
  await xe(sshd, `vm-param-remove uuid=${clone} param-name=other-config param-key=xenform-address`);

  const kept = [
    ...list(await xe(sshd, `vbd-list vm-uuid=${snapshot} type=Disk params=vdi-uuid --minimal`)),
    ...list(await xe(sshd, `vbd-list vm-uuid=${clone} type=Disk params=vdi-uuid --minimal`)),
  ];
  t.equal(kept.length, 4, 'the snapshot and the clone have two disks each');
  const destroy = xenform(dir, ['destroy', '--auto-approve'], SSH_ENV);
  t.equal(destroy.code, 0, `destroy succeeds (${destroy.stdout}${destroy.stderr})`);
  t.equal(await xe(sshd, 'vm-list name-label=web params=uuid --minimal'), '', 'web is gone');
  for (const vdi of ownDisks) t.equal(await xe(sshd, `vdi-list uuid=${vdi} params=uuid --minimal`), '', `web's own disk ${vdi} is gone`);
  for (const vdi of kept) t.equal(await xe(sshd, `vdi-list uuid=${vdi} params=uuid --minimal`), vdi, `disk ${vdi} of the snapshot or the clone survives`);
  t.equal(await xe(sshd, `vm-list uuid=${clone} params=power-state --minimal`), 'halted', 'and the clone is still there');
});

t.test('vcpus_max above the host\'s CPUs is refused at plan time, naming the host\'s count', async (t) => {
  const { dir, sshd } = await quickstartOverSsh(t, '{"host_cpus": 4}');
  edit(dir, '  vcpus       = 2\n\n  disk "data"', '  vcpus       = 2\n  vcpus_max   = 8\n\n  disk "data"');
  const plan = xenform(dir, ['plan'], SSH_ENV);
  t.equal(plan.code, 1, 'plan fails');
  t.match(plan.stderr, /vm\.web has vcpus_max = 8, but its host "demo" has 4 physical CPUs/, 'naming the VM, its vcpus_max and the host\'s count');
  t.equal(await xe(sshd, 'vm-list is-control-domain=false params=uuid --minimal'), '', 'nothing was created');
});

t.test('a reboot outside xenform clears the pending reboot', async (t) => {
  const { dir, sshd } = await quickstartOverSsh(t);
  t.equal(xenform(dir, ['apply', '--auto-approve'], SSH_ENV).code, 0, 'the quickstart is applied');
  edit(dir, '  disk "data" {', '  boot {\n    order = "dc"\n  }\n\n  lifecycle {\n    apply_boot_changes = "next_boot"\n  }\n\n  disk "data" {');
  const set = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(set.code, 0, `the boot order is set for the next boot (${set.stderr})`);
  const pending = JSON.parse(xenform(dir, ['plan', '--json'], SSH_ENV).stdout) as Plan;
  t.ok(pending.drift.some((d) => d.address === 'vm.web' && d.kind === 'pending_reboot'), 'web is configured but not yet booted');

  const web = await xe(sshd, 'vm-list name-label=web params=uuid --minimal');
  await xe(sshd, `vm-reboot uuid=${web}`);
  const after = JSON.parse(xenform(dir, ['plan', '--json'], SSH_ENV).stdout) as Plan;
  t.same(after.drift.filter((d) => d.address === 'vm.web'), [], 'after an admin\'s reboot nothing is pending and nothing drifted');
  t.equal(xenform(dir, ['plan', '--detailed-exitcode'], SSH_ENV).code, 0, 'and the plan has nothing to do');
});

t.test('two VMs carrying one address are refused, naming both', async (t) => {
  const { dir, sshd } = await quickstartOverSsh(t);
  t.equal(xenform(dir, ['apply', '--auto-approve'], SSH_ENV).code, 0, 'the quickstart is applied');
  const installer = await xe(sshd, 'vm-list name-label=installer params=uuid --minimal');
  await xe(sshd, `vm-shutdown uuid=${installer}`);
  const copy = await xe(sshd, `vm-copy uuid=${installer} new-name-label=installer-copy`);
  for (const command of [['plan'], ['apply', '--auto-approve'], ['destroy', '--auto-approve']]) {
    const r = xenform(dir, command, SSH_ENV);
    t.equal(r.code, 1, `${command[0]} is refused`);
    t.match(r.stderr, /both carry the ownership markers of vm\.installer/, `${command[0]} says why`);
    t.match(r.stderr, new RegExp(`${installer}.*${copy}|${copy}.*${installer}`), `${command[0]} names both VMs`);
  }
  t.equal(await xe(sshd, `vm-list uuid=${copy} params=uuid --minimal`), copy, 'neither VM was touched');
  t.equal(await xe(sshd, `vm-list uuid=${installer} params=power-state --minimal`), 'halted', 'not even started again');
});

t.test('a VM on "Debian Bookworm 12" with no boot block is planned as the template\'s HVM boot and starts', async (t) => {
  const { dir, sshd } = await quickstartOverSsh(t);
  t.notMatch(readFileSync(path.join(dir, 'main.xf.hcl'), 'utf8'), /vm "web" \{[^}]*boot \{/, 'the quickstart\'s web has no boot block');
  const plan = JSON.parse(xenform(dir, ['plan', '--json'], SSH_ENV).stdout) as Plan;
  const web = plan.resource_changes.find((c) => c.address === 'vm.web');
  t.match(web?.after?.boot, { mode: 'hvm', order: 'cdn', firmware: 'bios' }, 'the plan shows the template\'s BIOS boot');
  const text = xenform(dir, ['plan'], SSH_ENV).stdout;
  t.match(text, /boot\.mode\s+= "hvm"/, 'so does the text plan');

  const apply = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(apply.code, 0, `apply succeeds (${apply.stderr})`);
  const uuid = await xe(sshd, 'vm-list name-label=web params=uuid --minimal');
  t.equal(await xe(sshd, `vm-param-get uuid=${uuid} param-name=power-state`), 'running', 'web runs on the host');
  t.equal(await xe(sshd, `vm-param-get uuid=${uuid} param-name=HVM-boot-policy`), 'BIOS order', 'as an HVM guest');
  t.equal(await xe(sshd, `vm-param-get uuid=${uuid} param-name=HVM-boot-params param-key=order`), 'cdn', 'with the template\'s boot order');
  t.equal(xenform(dir, ['plan', '--detailed-exitcode'], SSH_ENV).code, 0, 'a second plan has nothing to do');
});
