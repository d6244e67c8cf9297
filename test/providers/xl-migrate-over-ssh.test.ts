// Two simulated plain-Xen (xl) hosts, each behind its own OpenSSH server on 127.0.0.1. In one
// migration_group, a VM whose host changes is moved with `xl migrate` (same uuid, never
// halted); outside one, the move stays a replacement and the plan says why.
import t, { type Test } from 'tap';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { xenform } from '../e2e/cli.js';
import { startSshd, ssh, type Sshd } from '../support/sshd.js';
import { connection, editConfig, SSH_ENV, xlGuestOverSsh } from '../support/ssh-config.js';

interface Domain {
  domid: number;
  uuid: string;
}

async function domainOn(sshd: Sshd, name: string): Promise<Domain | null> {
  const r = await ssh(sshd, `xl list -l ${name}`);
  if (r.code !== 0) return null;
  const [d] = JSON.parse(r.stdout) as { domid: number; config: { c_info: { uuid: string } } }[];
  return { domid: d.domid, uuid: d.config.c_info.uuid };
}

// vm.tiny running on host "edge"; host "edge2" beside it; `group` names the migration_group of
// both (null: none).
async function twoHosts(t: Test, group: string | null): Promise<{ dir: string; a: Sshd; b: Sshd }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'xenform-xl-migrate-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const states = { edge: path.join(dir, 'edge.json'), edge2: path.join(dir, 'edge2.json') };
  // XENSIM_XL_PEERS: how each simulated dom0 reaches the other by its host block name.
  const peers = `edge=${states.edge},edge2=${states.edge2}`;
  const a = await startSshd({ env: { XENSIM_STATE: states.edge, XENSIM_TOOLSTACK: 'xl', XENSIM_XL_PEERS: peers } });
  t.teardown(() => a.stop());
  const b = await startSshd({ env: { XENSIM_STATE: states.edge2, XENSIM_TOOLSTACK: 'xl', XENSIM_XL_PEERS: peers } });
  t.teardown(() => b.stop());
  xlGuestOverSsh(dir, a);
  const member = group ? `  migration_group = "${group}"\n` : '';
  editConfig(dir, '  suspend_dir', `${member}  suspend_dir`);
  editConfig(dir, 'vm "tiny" {',
    `host "edge2" {\n  toolstack     = "xl"\n${connection(b)}\n  config_dir    = "${path.join(dir, 'edge2-etc-xen')}"\n  suspend_dir   = "${path.join(dir, 'host-save')}"\n${member}}\n\nvm "tiny" {`);
  const created = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(created.code, 0, `the guest is created and started on edge (${created.stderr})`);
  return { dir, a, b };
}

t.test('a running guest moved between two xl hosts of one migration group is migrated live, keeping its uuid', async (t) => {
  const { dir, a, b } = await twoHosts(t, 'rack');
  const before = await domainOn(a, 'tiny');
  t.ok(before, 'tiny runs on edge');
  editConfig(dir, 'host        = host.edge\n', 'host        = host.edge2\n');

  const plan = JSON.parse(xenform(dir, ['plan', '--json'], SSH_ENV).stdout);
  t.same(plan.steps.map((s: { op: string; host: string; args: unknown }) => [s.op, s.host, s.args]), [['migrate', 'edge', { member: 'edge2' }]], 'one migrate step, run on the source host');
  const rc = plan.resource_changes[0];
  t.equal(rc.action, 'update', 'an update, not a replacement');
  t.equal(rc.disruption, 'none');
  t.match(rc.changes.find((c: { path: string }) => c.path === 'host'), { before: 'edge', after: 'edge2', effect: 'live', reason: /migration_group "rack".*xl migrate/ });

  const apply = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(apply.code, 0, `apply (${apply.stderr})`);
  const after = await domainOn(b, 'tiny');
  t.equal(after?.uuid, before!.uuid, 'the domain runs on edge2 with the same uuid');
  t.equal(await domainOn(a, 'tiny'), null, 'and no longer on edge');
  t.match(readFileSync(path.join(dir, 'edge2-etc-xen', 'tiny.cfg'), 'utf8'), /xenform-address.*vm\.tiny/, 'edge2 has the guest file with the address marker');
  t.notOk(existsSync(path.join(dir, 'host-etc-xen', 'tiny.cfg')), 'edge has no guest file left');
  const shown = xenform(dir, ['state', 'show', 'vm.tiny'], SSH_ENV).stdout;
  t.match(shown, /^# {3}host: {4}edge2$/m, 'the state records the new host');
  t.match(shown, new RegExp(`^# {3}uuid: {4}${before!.uuid}$`, 'm'), 'and the same uuid');
  t.equal(xenform(dir, ['plan', '--detailed-exitcode'], SSH_ENV).code, 0, 'the next plan is empty');
});

t.test('a halted guest moved between two xl hosts of one migration group has its guest file moved', async (t) => {
  const { dir, a, b } = await twoHosts(t, 'rack');
  editConfig(dir, 'power_state = "running"', 'power_state = "halted"');
  t.equal(xenform(dir, ['apply', '--auto-approve'], SSH_ENV).code, 0, 'halted on edge');
  const uuid = /^uuid = "([^"]+)"$/m.exec(readFileSync(path.join(dir, 'host-etc-xen', 'tiny.cfg'), 'utf8'))![1];
  editConfig(dir, 'host        = host.edge\n', 'host        = host.edge2\n');
  const plan = JSON.parse(xenform(dir, ['plan', '--json'], SSH_ENV).stdout);
  t.same(plan.steps.map((s: { op: string }) => s.op), ['migrate']);
  t.equal(plan.resource_changes[0].disruption, 'none');
  const apply = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(apply.code, 0, `apply (${apply.stderr})`);
  t.match(readFileSync(path.join(dir, 'edge2-etc-xen', 'tiny.cfg'), 'utf8'), new RegExp(`^uuid = "${uuid}"$`, 'm'), 'the same VM on edge2');
  t.notOk(existsSync(path.join(dir, 'host-etc-xen', 'tiny.cfg')), 'gone from edge');
  t.equal(await domainOn(a, 'tiny'), null, 'no domain was started on edge');
  t.equal(await domainOn(b, 'tiny'), null, 'nor on edge2');
  t.equal(xenform(dir, ['plan', '--detailed-exitcode'], SSH_ENV).code, 0, 'the next plan is empty');
});

t.test('without a migration group the host change stays a replacement, and the plan says why', async (t) => {
  const { dir } = await twoHosts(t, null);
  editConfig(dir, 'host        = host.edge\n', 'host        = host.edge2\n');
  const plan = JSON.parse(xenform(dir, ['plan', '--json'], SSH_ENV).stdout);
  const rc = plan.resource_changes[0];
  t.equal(rc.action, 'replace');
  t.equal(rc.disruption, 'replace');
  t.match(rc.changes.find((c: { path: string }) => c.path === 'host'), {
    effect: 'forces_replace',
    condition: 'hosts "edge" and "edge2" are not in one migration group ("edge" is in no migration_group, "edge2" is in no migration_group)',
  });
  t.notOk(plan.steps.some((s: { op: string }) => s.op === 'migrate'), 'no migrate step');
});
