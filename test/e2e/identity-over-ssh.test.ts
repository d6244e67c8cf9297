// Identity promises over a real sshd (the simulated XAPI host behind OpenSSH on 127.0.0.1):
// one VM is never managed under two addresses, and an imported VM whose block goes is
// forgotten, not destroyed.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exampleCopy, xenform } from './cli.js';
import { startSshd, ssh, type Sshd } from '../support/sshd.js';
import { overSsh, SSH_ENV, xlGuestOverSsh } from '../support/ssh-config.js';

async function quickstart(t: { teardown: (fn: () => void) => void }): Promise<{ dir: string; sshd: Sshd }> {
  const dir = exampleCopy('quickstart', t.teardown);
  const sshd = await startSshd({ env: { XENSIM_STATE: path.join(dir, 'dom0.json') } });
  t.teardown(() => void sshd.stop());
  overSsh(dir, sshd);
  return { dir, sshd };
}

const vmsOnHost = async (sshd: Sshd): Promise<string[]> =>
  (await ssh(sshd, 'xe vm-list is-control-domain=false --minimal')).stdout.trim().split(',').filter(Boolean).sort();
const uuids = (dir: string): Record<string, string> =>
  Object.fromEntries((JSON.parse(xenform(dir, ['state', 'pull']).stdout) as { resources: { address: string; uuid: string }[] }).resources.map((r) => [r.address, r.uuid]));

t.test('state rm then state mv onto the freed address: the plan refuses to put one VM under two addresses', async (t) => {
  const { dir, sshd } = await quickstart(t);
  const applied = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(applied.code, 0, applied.stderr);
  const { 'vm.web': web, 'vm.installer': installer } = uuids(dir);
  const before = await vmsOnHost(sshd);
  t.equal(xenform(dir, ['state', 'rm', 'vm.installer']).code, 0);
  const mv = xenform(dir, ['state', 'mv', 'vm.web', 'vm.installer'], SSH_ENV);
  t.equal(mv.code, 0, mv.stderr);
  t.match(mv.stdout, `Rewrote the ownership marker of VM ${web} on host "demo" to vm.installer.`);
  const marker = await ssh(sshd, `xe vm-param-get uuid=${web} param-name=other-config param-key=xenform-address`);
  t.equal(marker.stdout.trim(), 'vm.installer', 'the host carries the new address');

  const plan = xenform(dir, ['plan'], SSH_ENV);
  t.equal(plan.code, 1, 'the plan is refused');
  t.match(plan.stderr, /VMs \S+ and \S+ on host "demo" both carry the ownership markers of vm\.installer/, 'naming the address both VMs claim');
  for (const uuid of [web, installer]) t.match(plan.stderr, uuid);
  const apply = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(apply.code, 1, 'apply is refused too');
  t.same(await vmsOnHost(sshd), before, 'no VM was made, changed into another or destroyed');
});

t.test('an imported VM whose block is removed is forgotten and left running on the host', async (t) => {
  const { dir, sshd } = await quickstart(t);
  t.equal(xenform(dir, ['apply', '--auto-approve'], SSH_ENV).code, 0);
  const { 'vm.installer': installer } = uuids(dir);
  t.equal(xenform(dir, ['state', 'rm', 'vm.installer']).code, 0);
  const imported = xenform(dir, ['import', 'vm.installer', installer], SSH_ENV);
  t.equal(imported.code, 0, imported.stderr);

  const file = path.join(dir, 'main.xf.hcl');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/# An HVM guest[\s\S]*?\n}\n/, ''));
  const apply = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(apply.code, 0, apply.stderr);
  t.match(apply.stdout, /vm\.installer will be forgotten/);
  t.equal(xenform(dir, ['state', 'list']).stdout, 'vm.web\n', 'it left the state');
  const power = await ssh(sshd, `xe vm-param-get uuid=${installer} param-name=power-state`);
  t.equal(power.stdout.trim(), 'running', 'and still runs on its host');
});

const renameCases = [
  { name: 'on an XAPI host', toolstack: 'xapi', from: 'vm.web', to: 'vm.site', block: /vm "web" \{/, renamed: 'vm "site" {' },
  { name: 'on an xl host', toolstack: 'xl', from: 'vm.tiny', to: 'vm.small', block: /vm "tiny" \{/, renamed: 'vm "small" {' },
];
for (const c of renameCases) {
  t.test(`state mv after renaming a block rewrites the marker, and the next plan has nothing to do ${c.name}`, async (t) => {
    let dir: string;
    let sshd: Sshd;
    if (c.toolstack === 'xapi') ({ dir, sshd } = await quickstart(t));
    else {
      dir = mkdtempSync(path.join(tmpdir(), 'xenform-mv-xl-'));
      t.teardown(() => rmSync(dir, { recursive: true, force: true }));
      sshd = await startSshd({ env: { XENSIM_STATE: path.join(dir, 'dom0.json'), XENSIM_TOOLSTACK: 'xl' } });
      t.teardown(() => void sshd.stop());
      xlGuestOverSsh(dir, sshd);
    }
    const applied = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
    t.equal(applied.code, 0, applied.stderr);
    const uuid = uuids(dir)[c.from];
    const file = path.join(dir, 'main.xf.hcl');
    writeFileSync(file, readFileSync(file, 'utf8').replace(c.block, c.renamed).replace('vm.web.uuid', 'vm.site.uuid'));
    const mv = xenform(dir, ['state', 'mv', c.from, c.to], SSH_ENV);
    t.equal(mv.code, 0, mv.stderr);
    t.match(mv.stdout, `Rewrote the ownership marker of VM ${uuid}`);
    t.equal(uuids(dir)[c.to], uuid);
    const plan = xenform(dir, ['plan', '--detailed-exitcode'], SSH_ENV);
    t.equal(plan.code, 0, `nothing to do (${plan.stdout}${plan.stderr})`);
  });
}
