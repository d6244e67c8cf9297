// The live routes on the simulated plain-Xen (xl) host behind a real OpenSSH server on
// 127.0.0.1: what xl changes in a running domain is changed there, the guest file follows,
// the domain is never rebuilt, and the next plan is empty.
import t, { type Test } from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { xenform } from '../e2e/cli.js';
import { startSshd, ssh } from '../support/sshd.js';
import { editConfig, SSH_ENV, xlGuestOverSsh } from '../support/ssh-config.js';

async function xlGuest(t: Test): Promise<{ dir: string; domain: () => Promise<{ id: number; vcpus: number }> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'xenform-xl-live-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const sshd = await startSshd({ env: { XENSIM_STATE: path.join(dir, 'dom0.json'), XENSIM_TOOLSTACK: 'xl' } });
  t.teardown(() => sshd.stop());
  xlGuestOverSsh(dir, sshd);
  editConfig(dir, '  vcpus       = 1\n', '  vcpus       = 1\n  vcpus_max   = 4\n');
  const domain = async () => {
    const row = /^tiny\s+(\d+)\s+\d+\s+(\d+)\s/m.exec((await ssh(sshd, 'xl list')).stdout);
    if (!row) throw new Error('tiny is not in xl list');
    return { id: Number(row[1]), vcpus: Number(row[2]) };
  };
  const created = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(created.code, 0, `the guest is created and started (${created.stderr})`);
  return { dir, domain };
}

t.test('vCPUs raised and lowered on a running PV guest are set with xl vcpu-set, the domain kept', async (t) => {
  const { dir, domain } = await xlGuest(t);
  const before = await domain();
  t.equal(before.vcpus, 1);
  for (const count of [3, 2]) {
    editConfig(dir, /vcpus {7}= \d+\n/.exec(readFileSync(path.join(dir, 'main.xf.hcl'), 'utf8'))![0], `vcpus       = ${count}\n`);
    const plan = xenform(dir, ['plan', '--json'], SSH_ENV);
    const rc = JSON.parse(plan.stdout).resource_changes[0];
    t.equal(rc.disruption, 'none', `${count} vCPUs: no disruption`);
    t.match(rc.changes.find((c: { path: string }) => c.path === 'vcpus'), { effect: 'live', condition: 'the running guest supports vCPU hot-plug' });
    const apply = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
    t.equal(apply.code, 0, `apply (${apply.stderr})`);
    t.same(await domain(), { id: before.id, vcpus: count }, `${count} vCPUs online in the same domain`);
    t.match(readFileSync(path.join(dir, 'host-etc-xen', 'tiny.cfg'), 'utf8'), new RegExp(`^vcpus = ${count}$`, 'm'), 'the guest file says the same');
    t.equal(xenform(dir, ['plan', '--detailed-exitcode'], SSH_ENV).code, 0, 'the next plan is empty');
  }
});

t.test('a disk and a network interface added to a running PV guest are attached live, and removed the same way', async (t) => {
  const { dir, domain } = await xlGuest(t);
  const before = await domain();
  const devices = '  disk "data" {\n    size = "16MiB"\n  }\n\n  network "eth0" {\n    network = "xenbr0"\n  }\n\n  shutdown {';
  editConfig(dir, '  shutdown {', devices);
  const plan = JSON.parse(xenform(dir, ['plan', '--json'], SSH_ENV).stdout);
  const rc = plan.resource_changes[0];
  t.equal(rc.disruption, 'none', 'adding devices to a PV guest needs no halt');
  t.same(plan.steps.map((s: { op: string }) => s.op), ['add_disk', 'add_network']);
  t.match(rc.changes.find((c: { path: string }) => c.path === 'disks.data'), { effect: 'live' });
  const apply = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(apply.code, 0, `apply (${apply.stderr})`);
  t.equal((await domain()).id, before.id, 'the domain was never rebuilt');
  const cfg = readFileSync(path.join(dir, 'host-etc-xen', 'tiny.cfg'), 'utf8');
  t.match(cfg, /vdev=xvda, access=rw, target=[^"]*tiny-data\.img/, 'the guest file names the disk');
  t.match(cfg, /^vif = \[ "bridge=xenbr0" \]$/m, 'and the interface');
  t.equal(xenform(dir, ['plan', '--detailed-exitcode'], SSH_ENV).code, 0, 'the next plan is empty');

  editConfig(dir, devices, '  shutdown {');
  const removed = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(removed.code, 0, `removing both (${removed.stderr})`);
  t.equal((await domain()).id, before.id, 'still the same domain');
  t.equal(xenform(dir, ['plan', '--detailed-exitcode'], SSH_ENV).code, 0, 'the next plan is empty');
});

t.test('an ISO inserted into and ejected from a running HVM guest is changed with xl cd-insert/cd-eject, the domain kept', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'xenform-xl-cd-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const sshd = await startSshd({ env: { XENSIM_STATE: path.join(dir, 'dom0.json'), XENSIM_TOOLSTACK: 'xl' } });
  t.teardown(() => sshd.stop());
  xlGuestOverSsh(dir, sshd);
  const text = readFileSync(path.join(dir, 'main.xf.hcl'), 'utf8');
  editConfig(dir, /  boot \{[^}]*\}\n/.exec(text)![0], '  boot {\n    mode = "hvm"\n  }\n\n  cdrom {\n    iso = null\n  }\n');
  t.equal(xenform(dir, ['apply', '--auto-approve'], SSH_ENV).code, 0, 'the HVM guest is created with an empty drive and started');
  const domid = async () => Number(/^tiny\s+(\d+)\s/m.exec((await ssh(sshd, 'xl list')).stdout)![1]);
  const before = await domid();
  for (const [from, to, pattern] of [['null', '"/var/lib/xen/iso/debian-12.iso"', /target=\/var\/lib\/xen\/iso\/debian-12\.iso"/], ['"/var/lib/xen/iso/debian-12.iso"', 'null', /devtype=cdrom, target=" \]/]] as const) {
    editConfig(dir, `iso = ${from}`, `iso = ${to}`);
    const plan = JSON.parse(xenform(dir, ['plan', '--json'], SSH_ENV).stdout);
    t.equal(plan.resource_changes[0].disruption, 'none', `${to}: no disruption`);
    t.match(plan.resource_changes[0].changes.find((c: { path: string }) => c.path === 'cdrom'), { effect: 'live', reason: /xl cd-(insert|eject)/ });
    const apply = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
    t.equal(apply.code, 0, `apply (${apply.stderr})`);
    t.equal(await domid(), before, 'the same domain');
    t.match(readFileSync(path.join(dir, 'host-etc-xen', 'tiny.cfg'), 'utf8'), pattern, 'the guest file says the same');
    t.equal(xenform(dir, ['plan', '--detailed-exitcode'], SSH_ENV).code, 0, 'the next plan is empty');
  }
});
