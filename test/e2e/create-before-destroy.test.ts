// lifecycle { create_before_destroy = true } over a real sshd: the new VM is made before the old
// one is destroyed, the old one is deposed (marker and state) until its destroy succeeds, and an
// apply stopped in between leaves the next plan a destroy of the deposed VM only.
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { xenform } from './cli.js';
import { ssh, type Sshd } from '../support/sshd.js';
import { editConfig, quickstartOverSsh, SSH_ENV, vmParam, xlGuestOverSsh } from '../support/ssh-config.js';
import { startSshd } from '../support/sshd.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

const CBD = '  disk "data" {';
const withCbd = (dir: string): void => editConfig(dir, CBD, '  lifecycle {\n    create_before_destroy = true\n  }\n\n' + CBD);

interface JsonPlan {
  resource_changes: { address: string; action: string; actions?: string[]; deposed?: string; uuid: string | null }[];
  steps: { address: string; op: string; deposed?: string }[];
}
const planJson = (dir: string, args: string[] = []): JsonPlan => {
  const r = xenform(dir, ['plan', '--json', ...args], SSH_ENV);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as JsonPlan;
};
const stateOf = (dir: string): { resources: { address: string; uuid: string }[]; deposed?: { address: string; uuid: string }[] } =>
  JSON.parse(readFileSync(path.join(dir, 'xenform.state.json'), 'utf8'));
const webUuid = (dir: string): string => stateOf(dir).resources.find((r) => r.address === 'vm.web')!.uuid;
const marker = async (sshd: Sshd, uuid: string): Promise<string> =>
  (await ssh(sshd, `xe vm-param-get uuid=${uuid} param-name=other-config param-key=xenform-address`)).stdout.trim();

// The quickstart applied over sshd with `faults`, then given create_before_destroy on vm.web.
const appliedWithCbd = async (t: Parameters<typeof quickstartOverSsh>[0], faults: object): Promise<{ dir: string; sshd: Sshd; old: string }> => {
  const { dir, sshd } = await quickstartOverSsh(t, { XENSIM_FAULTS: JSON.stringify(faults) });
  if (xenform(dir, ['apply', '--auto-approve'], SSH_ENV).code !== 0) throw new Error('the first apply failed');
  const old = webUuid(dir);
  withCbd(dir);
  return { dir, sshd, old };
};

t.test('create_before_destroy: the replacement is created and started before the old VM is shut down and destroyed, and carries the address', async (t) => {
  const { dir, sshd } = await quickstartOverSsh(t);
  t.equal(xenform(dir, ['apply', '--auto-approve'], SSH_ENV).code, 0);
  const old = webUuid(dir);
  withCbd(dir);

  const text = xenform(dir, ['plan', '--replace', 'vm.web'], SSH_ENV);
  t.equal(text.code, 0, text.stderr);
  t.match(text.stdout, /\+\/- vm\.web \(host demo/, 'the plan shows +/- where a replace shows -/+');
  t.notMatch(text.stdout, /-\/\+ vm\.web/);
  const plan = planJson(dir, ['--replace', 'vm.web']);
  const rc = plan.resource_changes.find((c) => c.address === 'vm.web')!;
  t.same(rc.actions, ['create', 'delete'], 'plan JSON actions are Terraform\'s for create_before_destroy');
  const ops = plan.steps.filter((s) => s.address === 'vm.web').map((s) => `${s.op}${s.deposed ? ' (deposed)' : ''}`);
  t.same(ops, ['create', 'start', 'clean_shutdown (deposed)', 'destroy (deposed)'], 'create first, then the old VM down');

  const log = path.join(dir, 'commands.log');
  const apply = xenform(dir, ['apply', '--auto-approve', '--replace', 'vm.web'], { ...SSH_ENV, XENFORM_LOG: 'debug', XENFORM_LOG_PATH: log });
  t.equal(apply.code, 0, apply.stderr);
  const sent = readFileSync(log, 'utf8');
  const install = sent.indexOf('xe vm-install');
  const destroy = sent.indexOf(`vm-destroy uuid=${old}`);
  t.ok(install >= 0 && destroy > install, 'the host was asked to create the new VM before destroying the old one');
  const now = webUuid(dir);
  t.not(now, old, 'vm.web is a new VM');
  t.equal(await marker(sshd, now), 'vm.web', 'the new VM carries the address');
  t.equal(await vmParam(sshd, 'web', 'uuid'), now, 'the old VM is gone: one VM named web');
  t.equal(stateOf(dir).deposed, undefined, 'nothing is left deposed');
  t.match(xenform(dir, ['plan'], SSH_ENV).stdout, /No changes/);
});

t.test('create_before_destroy interrupted between the create and the destroy: the next plan destroys the deposed VM only, and one VM remains', async (t) => {
  const { dir, sshd, old } = await appliedWithCbd(t, { fail: [{ command: 'vm-shutdown', nth: 1, code: 'INTERNAL_ERROR', params: ['injected'] }] });

  const stopped = xenform(dir, ['apply', '--auto-approve', '--replace', 'vm.web'], SSH_ENV);
  t.equal(stopped.code, 1, 'the old VM\'s shutdown failed');
  const fresh = webUuid(dir);
  t.not(fresh, old, 'the state records the new VM under the address');
  t.same(stateOf(dir).deposed?.map((d) => [d.address, d.uuid]), [['vm.web', old]], 'and the old one as deposed');
  t.equal(await marker(sshd, old), 'vm.web#deposed', 'the old VM\'s marker says it is deposed');
  t.equal(await marker(sshd, fresh), 'vm.web');

  const plan = planJson(dir);
  t.same(plan.resource_changes.filter((c) => c.action !== 'noop').map((c) => [c.address, c.action, c.deposed ?? null]), [['vm.web', 'delete', old]], 'the plan destroys the deposed VM only');
  t.ok(plan.steps.length > 0 && plan.steps.every((s) => s.deposed === old), 'every step acts on the deposed VM, none on the new one');
  t.notOk(plan.steps.some((s) => s.op === 'create'), 'no twin is created');
  t.match(xenform(dir, ['plan'], SSH_ENV).stdout, new RegExp(`vm\\.web \\(deposed object ${old}\\) will be destroyed`));

  const second = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(second.code, 0, second.stderr);
  t.equal(await vmParam(sshd, 'web', 'uuid'), fresh, 'exactly one VM named web remains: the new one');
  t.equal(webUuid(dir), fresh);
  t.equal(stateOf(dir).deposed, undefined, 'nothing is left deposed');
  t.match(xenform(dir, ['plan'], SSH_ENV).stdout, /No changes/);
});

t.test('create_before_destroy killed after the replacement was made, before its create was recorded: the next plan adopts it, destroys the old VM, and never makes a third', async (t) => {
  // The first apply installs web and installer; the third vm-install is the replacement's, killed
  // after it made the VM and before its uuid reached xenform (providers/sim/faults.ts).
  const { dir, sshd, old } = await appliedWithCbd(t, { kill_during: [{ command: 'vm-install', nth: 3 }] });

  const stopped = xenform(dir, ['apply', '--auto-approve', '--replace', 'vm.web'], SSH_ENV);
  t.equal(stopped.code, 1, 'the replacement\'s create was killed');
  const uuids = (await vmParam(sshd, 'web', 'uuid')).split(',');
  t.equal(uuids.length, 2, 'the old VM and its replacement are on the host');
  const fresh = uuids.find((u) => u !== old)!;
  t.equal(await marker(sshd, old), 'vm.web#deposed', 'the old VM was deposed before the create');

  const plan = planJson(dir);
  t.notOk(plan.steps.some((s) => s.op === 'create'), 'no third VM is planned');
  t.same(plan.resource_changes.filter((c) => c.deposed).map((c) => [c.address, c.action, c.deposed]), [['vm.web', 'delete', old]], 'the old VM is destroyed as deposed');
  t.equal(webUuid(dir), fresh, 'the plan recorded the replacement under the address');

  const second = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(second.code, 0, second.stderr);
  t.equal(await vmParam(sshd, 'web', 'uuid'), fresh, 'exactly one VM named web remains: the replacement');
  t.equal(stateOf(dir).deposed, undefined, 'nothing is left deposed');
  t.match(xenform(dir, ['plan'], SSH_ENV).stdout, /No changes/);
});

t.test('a saved plan whose deposed VM changed since the plan is refused as stale, with or without --allow-partial, and the deposed VM is left alone', async (t) => {
  const { dir, sshd, old } = await appliedWithCbd(t, { fail: [{ command: 'vm-shutdown', nth: 1, code: 'INTERNAL_ERROR', params: ['injected'] }] });
  t.equal(xenform(dir, ['apply', '--auto-approve', '--replace', 'vm.web'], SSH_ENV).code, 1, 'the old VM\'s shutdown failed: it is left deposed');
  t.equal(xenform(dir, ['plan', '--out', 'p.xfplan'], SSH_ENV).code, 0);
  const saved = JSON.parse(readFileSync(path.join(dir, 'p.xfplan'), 'utf8')) as { resource_changes: { deposed?: string; fingerprint: string | null }[] };
  t.match(saved.resource_changes.find((c) => c.deposed === old)?.fingerprint, /^sha256:/, 'the deposed destroy carries its VM\'s fingerprint');

  await ssh(sshd, `xe vm-param-set uuid=${old} name-description=someone-else-uses-it`);
  const whole = xenform(dir, ['apply', 'p.xfplan'], SSH_ENV);
  t.equal(whole.code, 1);
  t.match(whole.stderr, /The saved plan is stale: 1 VM changed since it was made, so no step was run: vm\.web/);
  const partial = xenform(dir, ['apply', '--allow-partial', 'p.xfplan'], SSH_ENV);
  t.equal(partial.code, 1, 'with --allow-partial the deposed VM is still refused');
  t.ok((await vmParam(sshd, 'web', 'uuid')).split(',').includes(old), 'the deposed VM was not destroyed');
  t.same(stateOf(dir).deposed?.map((d) => d.uuid), [old], 'and it is still recorded as deposed');
});

t.test('create_before_destroy on an xl host whose replacement keeps the domain name is refused at the attribute', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'xenform-cbd-xl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const sshd = await startSshd({ env: { XENSIM_STATE: path.join(dir, 'dom0.json'), XENSIM_TOOLSTACK: 'xl' } });
  t.teardown(() => void sshd.stop());
  xlGuestOverSsh(dir, sshd);
  t.equal(xenform(dir, ['apply', '--auto-approve'], SSH_ENV).code, 0);
  editConfig(dir, '  shutdown {', '  lifecycle {\n    create_before_destroy = true\n  }\n\n  shutdown {');
  const line = readFileSync(path.join(dir, 'main.xf.hcl'), 'utf8').split('\n').findIndex((l) => l.includes('create_before_destroy')) + 1;
  const plan = xenform(dir, ['plan', '--replace', 'vm.tiny'], SSH_ENV);
  t.equal(plan.code, 1);
  t.match(plan.stderr, /create_before_destroy needs a new name on an xl host/);
  t.match(plan.stderr, new RegExp(`main\\.xf\\.hcl:${line}:\\d+`), 'naming the attribute\'s file:line:column');
  t.match(plan.stderr, /under the name "tiny"/);
  editConfig(dir, 'name        = "tiny"', 'name        = "tiny2"');
  const renamed = xenform(dir, ['plan', '--replace', 'vm.tiny'], SSH_ENV);
  t.equal(renamed.code, 0, `with a new name the replace can coexist: ${renamed.stderr}`);
  t.match(renamed.stdout, /\+\/- vm\.tiny/);
});
