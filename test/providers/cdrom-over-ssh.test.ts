// The CD drive on the simulated XAPI host behind a real OpenSSH server on 127.0.0.1: an ISO
// inserted into and ejected from a running VM without disturbing it, a missing drive created
// while the VM is halted, an unknown ISO refused at plan time.
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { xenform } from '../e2e/cli.js';
import { ssh } from '../support/sshd.js';
import { editConfig, quickstartOverSsh, SSH_ENV, vmParam } from '../support/ssh-config.js';

const ISO = 'debian-12.7.0-amd64-netinst.iso';
const INSTALLER = '  boot {\n    mode  = "hvm"\n    order = "dc"\n  }\n';

t.test('an ISO is inserted into and ejected from a running VM live, and each plan after is empty', async (t) => {
  const { dir, sshd } = await quickstartOverSsh(t);
  editConfig(dir, INSTALLER, `${INSTALLER}\n  cdrom {\n    iso = null\n  }\n`);
  const created = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(created.code, 0, `created with an empty drive (${created.stderr})`);
  const drive = async () => (await ssh(sshd, 'xe vbd-list vm-name-label=installer type=CD params=empty,vdi-name-label')).stdout;
  t.match(await drive(), /empty \( RO\)\s*: true/, 'the drive is there, empty');
  const domain = async () => [await vmParam(sshd, 'installer', 'power-state'), await vmParam(sshd, 'installer', 'dom-id')];
  const before = await domain();
  t.equal(before[0], 'running');

  for (const [iso, shown] of [[JSON.stringify(ISO), ISO], ['null', null]] as const) {
    editConfig(dir, /iso = (null|"[^"]*")/.exec(readFileSync(path.join(dir, 'main.xf.hcl'), 'utf8'))![0], `iso = ${iso}`);
    const plan = JSON.parse(xenform(dir, ['plan', '--json'], SSH_ENV).stdout);
    const rc = plan.resource_changes.find((c: { address: string }) => c.address === 'vm.installer');
    t.equal(rc.disruption, 'none', `${shown ?? 'empty'}: no disruption`);
    t.match(rc.changes, [{ path: 'cdrom', effect: 'live', after: { iso: shown } }]);
    t.same(plan.steps.map((s: { op: string }) => s.op), ['set']);
    const apply = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
    t.equal(apply.code, 0, `apply (${apply.stderr})`);
    t.match(await drive(), shown === null ? /empty \( RO\)\s*: true/ : new RegExp(`vdi-name-label \\( RO\\)\\s*: ${shown.replace(/\./g, '\\.')}`));
    t.same(await domain(), before, 'the VM kept running in the same domain');
    t.equal(xenform(dir, ['plan', '--detailed-exitcode'], SSH_ENV).code, 0, 'the next plan is empty');
  }
});

t.test('a running VM without a CD drive gets one while halted; an unknown ISO is refused at plan time', async (t) => {
  const { dir, sshd } = await quickstartOverSsh(t);
  t.equal(xenform(dir, ['apply', '--auto-approve'], SSH_ENV).code, 0);
  editConfig(dir, INSTALLER, `${INSTALLER}\n  cdrom {\n    iso = "no-such.iso"\n  }\n`);
  const refused = xenform(dir, ['plan'], SSH_ENV);
  t.equal(refused.code, 1);
  t.match(refused.stderr, /host "demo" has no ISO named "no-such\.iso"/);
  editConfig(dir, 'iso = "no-such.iso"', `iso = "${ISO}"`);
  const plan = JSON.parse(xenform(dir, ['plan', '--json'], SSH_ENV).stdout);
  const rc = plan.resource_changes.find((c: { address: string }) => c.address === 'vm.installer');
  t.equal(rc.disruption, 'halt');
  t.match(rc.changes, [{ path: 'cdrom', effect: 'requires_halt', condition: /the VM has no CD drive/ }]);
  t.equal(xenform(dir, ['apply', '--auto-approve'], SSH_ENV).code, 0);
  t.match((await ssh(sshd, 'xe vbd-list vm-name-label=installer type=CD params=vdi-name-label --minimal')).stdout.trim(), ISO);
  t.equal(await vmParam(sshd, 'installer', 'power-state'), 'running');
  t.equal(xenform(dir, ['plan', '--detailed-exitcode'], SSH_ENV).code, 0, 'the next plan is empty');
});
