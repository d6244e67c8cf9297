// moved, removed and import blocks end to end on a simulated host: what the plan says, that a
// pure move runs no step, and what ends up on the host (ownership markers) and in the state.
import { mkdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import type { Test } from 'tap';
import { xenform } from './cli.js';
import { xeProcess } from '../support/sim-host.js';
import { simPaths } from '../../providers/factory.js';
import { HOST } from '../planner/config/support.js';

const vmBlock = (header: string, name: string) =>
  `vm ${header} {\n  host        = host.lab\n  name        = ${name}\n  template    = "Debian Bookworm 12"\n  power_state = "running"\n  memory      = "1GiB"\n  boot {\n    mode       = "pv"\n    bootloader = "pygrub"\n  }\n}\n`;

function workdir(t: Test, files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'xenform-refactor-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const ok = (t: Test, dir: string, args: string[]) => {
  const r = xenform(dir, args);
  t.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return r;
};

const resources = (t: Test, dir: string) => (JSON.parse(ok(t, dir, ['state', 'pull']).stdout) as { resources: { address: string; uuid: string; owned: boolean }[] }).resources;

// The other-config of a VM as the simulated host's xe reports it.
async function otherConfig(dir: string, uuid: string): Promise<string> {
  const r = await xeProcess({ XENSIM_STATE: simPaths(dir, 'lab').statePath }, ['vm-param-get', `uuid=${uuid}`, 'param-name=other-config']);
  return r.stdout;
}
async function powerState(dir: string, uuid: string): Promise<string> {
  const r = await xeProcess({ XENSIM_STATE: simPaths(dir, 'lab').statePath }, ['vm-param-get', `uuid=${uuid}`, 'param-name=power-state']);
  return r.stdout.trim();
}

t.test('a count -> for_each refactor with moved blocks plans only moves, runs no step, and rewrites the markers on the host', async (t) => {
  const dir = workdir(t, { 'main.xf.hcl': HOST + vmBlock('"web" {\n  count = 2\n', '"web-${count.index}"').replace('vm "web" {\n  count = 2\n {', 'vm "web" {\n  count = 2') });
  ok(t, dir, ['apply', '--auto-approve']);
  const before = resources(t, dir);
  t.same(before.map((r) => r.address).sort(), ['vm.web[0]', 'vm.web[1]']);

  writeFileSync(
    path.join(dir, 'main.xf.hcl'),
    HOST +
      vmBlock('"web" {\n  for_each = { a = 0, b = 1 }\n', '"web-${each.value}"').replace(' {\n  for_each = { a = 0, b = 1 }\n {', ' {\n  for_each = { a = 0, b = 1 }') +
      'moved {\n  from = vm.web[0]\n  to   = vm.web["a"]\n}\n\nmoved {\n  from = vm.web[1]\n  to   = vm.web["b"]\n}\n',
  );
  const plan = xenform(dir, ['plan', '--detailed-exitcode']);
  t.equal(plan.code, 2, `moves are changes without disruption: ${plan.stderr}`);
  t.match(plan.stdout, /# vm\.web\[0\] has moved to vm\.web\["a"\]/);
  t.match(plan.stdout, /# vm\.web\[1\] has moved to vm\.web\["b"\]/);
  t.match(plan.stdout, /Plan: 2 to move, 0 to add, 0 to change, 0 to destroy/);
  const json = JSON.parse(ok(t, dir, ['plan', '--json']).stdout) as { steps: unknown[]; resource_changes: { address: string; previous_address?: string; action: string }[] };
  t.same(json.steps, [], 'no step');
  t.same(json.resource_changes.map((c) => [c.address, c.previous_address, c.action]), [['vm.web["a"]', 'vm.web[0]', 'noop'], ['vm.web["b"]', 'vm.web[1]', 'noop']]);
  const md = ok(t, dir, ['plan', '--markdown']).stdout;
  t.match(md, /vm\.web\[0\] has moved to vm\.web\["a"\]/);

  const applied = ok(t, dir, ['apply', '--auto-approve']);
  t.notMatch(applied.stdout, /clean_shutdown|start|create/i, 'no step ran');
  const after = resources(t, dir);
  t.same(after.map((r) => [r.address, r.uuid]), [['vm.web["a"]', before.find((r) => r.address === 'vm.web[0]')!.uuid], ['vm.web["b"]', before.find((r) => r.address === 'vm.web[1]')!.uuid]]);
  t.match(await otherConfig(dir, after[0].uuid), /xenform-address: vm\.web\["a"\]/, 'the marker on the host names the new address');
  t.match(await otherConfig(dir, after[1].uuid), /xenform-address: vm\.web\["b"\]/);
  const again = xenform(dir, ['plan', '--detailed-exitcode']);
  t.equal(again.code, 0, `then nothing to do, the moved blocks kept: ${again.stdout}`);

  // State lost: the markers alone rebuild it under the new addresses.
  rmSync(path.join(dir, 'xenform.state.json'));
  rmSync(path.join(dir, 'xenform.state.json.backup'));
  ok(t, dir, ['state', 'rebuild', '--auto-approve']);
  t.same(resources(t, dir).map((r) => r.address).sort(), ['vm.web["a"]', 'vm.web["b"]']);
});

t.test('a removed block with destroy = false leaves the VM running and unmarked, and forgets it', async (t) => {
  const dir = workdir(t, { 'main.xf.hcl': HOST + vmBlock('"old"', '"old"') });
  ok(t, dir, ['apply', '--auto-approve']);
  const uuid = resources(t, dir)[0].uuid;
  t.match(await otherConfig(dir, uuid), /xenform-address: vm\.old/);
  writeFileSync(path.join(dir, 'main.xf.hcl'), HOST + 'removed {\n  from = vm.old\n  lifecycle {\n    destroy = false\n  }\n}\n');
  const plan = ok(t, dir, ['plan']);
  t.match(plan.stdout, /vm\.old will be forgotten/);
  t.match(plan.stdout, /lifecycle\.destroy = false/);
  ok(t, dir, ['apply', '--auto-approve']);
  t.same(resources(t, dir), [], 'gone from the state');
  t.equal(await powerState(dir, uuid), 'running', 'still running');
  t.notMatch(await otherConfig(dir, uuid), /xenform-address|xenform-lineage/, 'no ownership marker left');
});

t.test('a removed block with destroy = true destroys even an imported VM', async (t) => {
  const dir = workdir(t, { 'main.xf.hcl': HOST + vmBlock('"old"', '"old"') });
  ok(t, dir, ['apply', '--auto-approve']);
  const uuid = resources(t, dir)[0].uuid;
  ok(t, dir, ['state', 'rm', 'vm.old']);
  ok(t, dir, ['import', 'vm.old', uuid]);
  writeFileSync(path.join(dir, 'main.xf.hcl'), HOST + 'removed {\n  from = vm.old\n  lifecycle {\n    destroy = true\n  }\n}\n');
  const plan = ok(t, dir, ['plan']);
  t.match(plan.stdout, /vm\.old will be destroyed/);
  ok(t, dir, ['apply', '--auto-approve']);
  t.equal(await powerState(dir, uuid), '', 'the VM is gone');
});

const xe = async (dir: string, args: string[]): Promise<string> => {
  const r = await xeProcess({ XENSIM_STATE: simPaths(dir, 'lab').statePath }, args);
  if (r.code !== 0) throw new Error(`xe ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};

t.test('query --generate-config-out on a host with 20 unmanaged VMs: plan shows 20 imports without disruption, and after apply an empty plan', async (t) => {
  const dir = workdir(t, { 'main.xf.hcl': HOST });
  ok(t, dir, ['plan']); // the simulated host exists from the first read
  const uuids: string[] = [];
  for (let i = 0; i < 20; i++) uuids.push(await xe(dir, ['vm-install', 'template=Debian Bookworm 12', `new-name-label=legacy ${i}`]));
  for (const u of uuids.slice(0, 5)) await xe(dir, ['vm-start', `uuid=${u}`]);
  // One VM managed by another configuration: listed apart, never generated.
  const foreign = await xe(dir, ['vm-install', 'template=Debian Bookworm 12', 'new-name-label=theirs']);
  await xe(dir, ['vm-param-set', `uuid=${foreign}`, 'other-config:xenform-address=vm.theirs', 'other-config:xenform-lineage=other-lineage']);

  const table = ok(t, dir, ['query']).stdout;
  t.match(table, /VMs xenform does not manage \(20\)/);
  t.match(table, /legacy 0 .* running /);
  t.match(table, /VMs managed by another xenform configuration \(1\)[\s\S]*theirs .*vm\.theirs\s+other-lineage/);
  const listed = JSON.parse(ok(t, dir, ['query', '--json']).stdout) as { unmanaged: { uuid: string; power_state: string; memory: number; vcpus: number; disks: unknown[]; networks: unknown[] }[]; other_configurations: { uuid: string; address: string; lineage: string }[] };
  t.same(listed.other_configurations.map((v) => [v.uuid, v.address, v.lineage]), [[foreign, 'vm.theirs', 'other-lineage']], 'the foreign VM apart, with its address and lineage');
  t.same(listed.unmanaged.map((v) => v.uuid).sort(), [...uuids].sort(), 'every VM, by uuid');
  t.ok(listed.unmanaged.every((v) => v.memory > 0 && v.vcpus > 0 && Array.isArray(v.disks) && Array.isArray(v.networks)), 'with memory, vCPUs, disks and networks');

  t.match(ok(t, dir, ['query', '--generate-config-out=adopted.xf.hcl']).stdout, /Wrote 20 import and vm blocks[\s\S]*1 VM carrying another configuration's markers was left out/);
  const again = xenform(dir, ['query', '--generate-config-out=adopted.xf.hcl']);
  t.match(again.stderr, /adopted\.xf\.hcl already exists/, 'never overwritten');
  t.equal(xenform(dir, ['fmt', '--check']).code, 0, 'the generated file is in fmt layout');

  const plan = JSON.parse(ok(t, dir, ['plan', '--json']).stdout) as { steps: unknown[]; resource_changes: { importing?: { id: string }; disruption: string; action: string; changes: unknown[] }[] };
  t.equal(plan.resource_changes.filter((c) => c.importing).length, 20, '20 imports');
  t.ok(plan.resource_changes.every((c) => c.disruption === 'none' && c.action === 'noop' && c.changes.length === 0), 'each without disruption or change');
  t.same(plan.steps, []);
  t.match(ok(t, dir, ['plan']).stdout, /# vm\.legacy_0 will be imported/);
  ok(t, dir, ['apply', '--auto-approve']);
  t.equal(resources(t, dir).length, 20, 'all recorded');
  t.match(await otherConfig(dir, uuids[0]), /xenform-address: vm\.legacy_0/, 'and marked');
  const after = xenform(dir, ['plan', '--detailed-exitcode']);
  t.equal(after.code, 0, `then an empty plan: ${after.stdout}${after.stderr}`);
  t.match(ok(t, dir, ['query']).stdout, /No unmanaged VMs[\s\S]*another xenform configuration \(1\)/, 'only the foreign VM is left to list');
});

t.test('plan --generate-config-out writes the vm block an import target lacks, which then plans to no change', async (t) => {
  const dir = workdir(t, { 'main.xf.hcl': HOST });
  ok(t, dir, ['plan']);
  const uuid = await xe(dir, ['vm-install', 'template=Debian Bookworm 12', 'new-name-label=db']);
  writeFileSync(path.join(dir, 'main.xf.hcl'), `${HOST}\nimport {\n  to = vm.db\n  id = "${uuid}"\n}\n`);
  const refused = xenform(dir, ['plan']);
  t.equal(refused.code, 1);
  t.match(refused.stderr, /Configuration for import target does not exist[\s\S]*main\.xf\.hcl:6:1/, 'refused at the import block without the flag');
  const plan = ok(t, dir, ['plan', '--generate-config-out=db.xf.hcl']);
  t.match(plan.stderr, /Wrote 1 vm block/);
  t.match(plan.stdout, /# vm\.db will be imported/);
  t.match(plan.stdout, /Plan: 1 to import, 0 to add, 0 to change, 0 to destroy/);
  t.equal(xenform(dir, ['fmt', '--check']).code, 0, 'in fmt layout');
  ok(t, dir, ['apply', '--auto-approve']);
  t.equal(xenform(dir, ['plan', '--detailed-exitcode']).code, 0, 'no change after apply');
});

t.test('a VM moved into a module instance runs no step and carries the module address on its host', async (t) => {
  const dir = workdir(t, { 'main.xf.hcl': HOST + vmBlock('"web"', '"web"') });
  ok(t, dir, ['apply', '--auto-approve']);
  const uuid = resources(t, dir)[0].uuid;
  mkdirSync(path.join(dir, 'modules', 'site'), { recursive: true });
  writeFileSync(path.join(dir, 'modules', 'site', 'main.xf.hcl'), 'variable "host" {}\n\n' + vmBlock('"web"', '"web"').replace('host.lab', 'var.host'));
  writeFileSync(
    path.join(dir, 'main.xf.hcl'),
    HOST + 'module "site" {\n  source   = "./modules/site"\n  for_each = toset(["a"])\n  host     = host.lab\n}\n\nmoved {\n  from = vm.web\n  to   = module.site["a"].vm.web\n}\n',
  );
  const plan = JSON.parse(ok(t, dir, ['plan', '--json']).stdout) as { steps: unknown[]; resource_changes: { address: string; previous_address?: string }[] };
  t.same(plan.resource_changes.map((c) => [c.address, c.previous_address]), [['module.site["a"].vm.web', 'vm.web']]);
  t.same(plan.steps, [], 'no step');
  ok(t, dir, ['apply', '--auto-approve']);
  t.same(resources(t, dir).map((r) => [r.address, r.uuid]), [['module.site["a"].vm.web', uuid]]);
  t.match(await otherConfig(dir, uuid), /xenform-address: module\.site\["a"\]\.vm\.web/);
  t.equal(xenform(dir, ['plan', '--detailed-exitcode']).code, 0, 'then nothing to do');
});
