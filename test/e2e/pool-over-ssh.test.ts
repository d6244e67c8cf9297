// A XAPI pool of three simulated members behind a real sshd (issue 18): placement by
// `affinity`, a live migration that moves a running VM without a halt, and the fallback when
// xapi would refuse one.
import t from 'tap';
import { editConfig, xenform } from './cli.js';
import { SSH_ENV } from '../support/ssh-config.js';
import { ssh } from '../support/sshd.js';
import { poolOverSsh, residentOn, xe } from '../support/sim-pool.js';
import { powerHistory } from '../support/sim-host.js';
import { loadState } from '../../providers/sim/host-file.js';
import type { Plan } from '../../planner/plan/types.js';

function vmBlock(name: string, affinity: string, memory = '1GiB'): string {
  return `vm "${name}" {\n  host        = host.pool\n  name        = "${name}"\n  template    = "Other install media"\n  power_state = "running"\n  memory      = "${memory}"\n  vcpus       = 1\n  affinity    = "${affinity}"\n}\n`;
}

const plan = (dir: string): Plan => JSON.parse(xenform(dir, ['plan', '--json'], SSH_ENV).stdout) as Plan;

t.test('changing the affinity of a running VM migrates it live: one migrate step, no halt, nothing left to do', async (t) => {
  const { dir, sshd, statePath } = await poolOverSsh(t, vmBlock('web', 'xcp-01'));
  const first = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(first.code, 0, `the VM is created (${first.stderr})`);
  t.equal(await residentOn(sshd, 'web'), 'xcp-01', 'it starts on its affinity');
  const uuid = await xe(sshd, 'vm-list name-label=web params=uuid --minimal');
  const history = powerHistory(statePath, uuid);
  t.equal(history[history.length - 1], 'running');
  t.equal(xenform(dir, ['plan', '--detailed-exitcode'], SSH_ENV).code, 0, 'a plan after the create is empty');

  editConfig(dir, 'affinity    = "xcp-01"', 'affinity    = "xcp-02"');
  const p = plan(dir);
  t.same(p.steps.map((s) => [s.op, s.op === 'migrate' ? s.args.member : null]), [['migrate', 'xcp-02']], 'one migrate step, to xcp-02');
  const rc = p.resource_changes.find((c) => c.address === 'vm.web')!;
  t.same([rc.action, rc.disruption], ['update', 'none'], 'an update with no disruption');
  t.match(rc.changes.find((c) => c.path === 'affinity'), { before: 'xcp-01', after: 'xcp-02', effect: 'live' });

  const moved = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(moved.code, 0, `the migration applies (${moved.stderr})`);
  t.equal(await residentOn(sshd, 'web'), 'xcp-02', 'resident on the new member');
  t.equal(await xe(sshd, 'vm-list name-label=web params=uuid --minimal'), uuid, 'the same VM');
  t.equal(await xe(sshd, `vm-param-get uuid=${uuid} param-name=power-state`), 'running', 'still running');
  t.same(powerHistory(statePath, uuid), history, 'never halted: the power history has no new entry');
  t.equal(xenform(dir, ['plan', '--detailed-exitcode'], SSH_ENV).code, 0, 'a second plan is empty');
});

t.test('a saved plan is refused as stale when its VM moved to another member since the plan was made', async (t) => {
  const { dir, sshd } = await poolOverSsh(t, vmBlock('web', 'xcp-01'));
  t.equal(xenform(dir, ['apply', '--auto-approve'], SSH_ENV).code, 0);
  editConfig(dir, 'affinity    = "xcp-01"', 'affinity    = "xcp-02"');
  t.equal(xenform(dir, ['plan', '--out', 'p.xfplan'], SSH_ENV).code, 0, 'the migration is planned and saved');
  await xe(sshd, 'vm-migrate vm=web host=xcp-03 live=true');
  const r = xenform(dir, ['apply', 'p.xfplan'], SSH_ENV);
  t.equal(r.code, 1, 'the saved plan is refused');
  t.match(r.stderr, /The saved plan is stale: 1 VM changed since it was made, so no step was run: vm\.web/);
  t.equal(await residentOn(sshd, 'web'), 'xcp-03', 'no step ran: the VM is where it was moved to');
});

t.test('a live migration that fails at apply leaves the VM where it was, running, and the state true', async (t) => {
  const faults = JSON.stringify({ fail: [{ command: 'vm-migrate', nth: 1, code: 'VM_MIGRATE_FAILED', params: ['OpaqueRef:web', 'OpaqueRef:xcp-01', 'OpaqueRef:xcp-02', 'Failed_to_suspend'] }] });
  const { dir, sshd, statePath } = await poolOverSsh(t, vmBlock('web', 'xcp-01'), faults);
  t.equal(xenform(dir, ['apply', '--auto-approve'], SSH_ENV).code, 0);
  const uuid = await xe(sshd, 'vm-list name-label=web params=uuid --minimal');
  const history = powerHistory(statePath, uuid);
  editConfig(dir, 'affinity    = "xcp-01"', 'affinity    = "xcp-02"');
  const failed = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(failed.code, 1, 'the apply fails');
  t.match(failed.stderr, /VM_MIGRATE_FAILED|migrat/i, 'and says the migration failed');
  t.equal(await residentOn(sshd, 'web'), 'xcp-01', 'the VM stays where it was');
  t.same(powerHistory(statePath, uuid), history, 'never halted');
  t.match(xenform(dir, ['state', 'show', 'vm.web'], SSH_ENV).stdout, uuid, 'the state still records the VM by its uuid');
  const again = plan(dir);
  t.same(again.steps.map((s) => [s.op, s.op === 'migrate' ? s.args.member : null]), [['migrate', 'xcp-02']], 'the next plan still wants to move it, and only that');
  const retried = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(retried.code, 0, `the retry applies (${retried.stderr})`);
  t.equal(await residentOn(sshd, 'web'), 'xcp-02');
  t.equal(xenform(dir, ['plan', '--detailed-exitcode'], SSH_ENV).code, 0, 'then nothing is left to do');
});

t.test('an HVM guest without PV drivers is halted and started on the new member, with xapi\'s reason, and keeps its uuid', async (t) => {
  const legacy = vmBlock('legacy', 'xcp-01').replace(/}\n$/, '  shutdown {\n    fallback = "hard"\n  }\n}\n');
  const { dir, sshd, statePath } = await poolOverSsh(t, legacy, JSON.stringify({ no_pv_drivers: ['legacy'] }));
  t.equal(xenform(dir, ['apply', '--auto-approve'], SSH_ENV).code, 0);
  const uuid = await xe(sshd, 'vm-list name-label=legacy params=uuid --minimal');
  const refused = await ssh(sshd, `xe vm-migrate uuid=${uuid} host=xcp-03 live=true`);
  t.equal(refused.code, 1, 'the simulator refuses the live migration as xapi does');
  t.match(refused.stderr, /You attempted an operation on a VM which lacks the feature\./);
  editConfig(dir, 'affinity    = "xcp-01"', 'affinity    = "xcp-03"');
  const p = plan(dir);
  const rc = p.resource_changes.find((c) => c.address === 'vm.legacy')!;
  t.same(p.steps.map((s) => s.op), ['hard_shutdown', 'set', 'start'], 'halt (hard: xapi refuses a clean shutdown without drivers too), set the affinity, start');
  t.equal(rc.disruption, 'halt');
  t.match(rc.changes.find((c) => c.path === 'affinity'), { after: 'xcp-03', condition: /HVM guest without PV drivers.*VM_LACKS_FEATURE/ }, 'the reason is the change\'s condition');
  const before = powerHistory(statePath, uuid).length;
  const moved = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(moved.code, 0, `the halt-and-start applies (${moved.stderr})`);
  t.equal(await residentOn(sshd, 'legacy'), 'xcp-03', 'it runs on the new member');
  t.equal(await xe(sshd, 'vm-list name-label=legacy params=uuid --minimal'), uuid, 'the same VM');
  t.same(powerHistory(statePath, uuid).slice(before), ['halted', 'running'], 'halted once and started again');
  t.equal(xenform(dir, ['plan', '--detailed-exitcode'], SSH_ENV).code, 0, 'a second plan is empty');
});

t.test('a VM with a disk on a member\'s local SR is refused a move at plan time, as xapi refuses it (VM_REQUIRES_SR)', async (t) => {
  const { dir, sshd } = await poolOverSsh(t, vmBlock('pinned', 'xcp-01'));
  t.equal(xenform(dir, ['apply', '--auto-approve'], SSH_ENV).code, 0);
  const vm = await xe(sshd, 'vm-list name-label=pinned params=uuid --minimal');
  const sr = await xe(sshd, 'sr-list name-label="Local storage" host=xcp-01 params=uuid --minimal');
  const vdi = await xe(sshd, `vdi-create sr-uuid=${sr} name-label=scratch virtual-size=1GiB type=user`);
  await xe(sshd, `vbd-create vm-uuid=${vm} vdi-uuid=${vdi} device=3`);
  const simulated = await ssh(sshd, `xe vm-migrate uuid=${vm} host=xcp-02 live=true`);
  t.equal(simulated.code, 1, 'the simulated pool refuses the migration');
  t.match(simulated.stderr, /You attempted to run a VM on a host which doesn't have access to an SR needed by the VM\./, 'with xapi\'s error text');
  editConfig(dir, 'affinity    = "xcp-01"', 'affinity    = "xcp-02"');
  const r = xenform(dir, ['plan'], SSH_ENV);
  t.equal(r.code, 1, 'the plan is refused');
  t.match(r.stderr, /its disk at device 3 is on SR "Local storage", local to pool member "xcp-01", and xapi neither migrates nor starts the VM on a member that cannot see it \(VM_REQUIRES_SR\)/);
  t.equal(await residentOn(sshd, 'pinned'), 'xcp-01', 'the VM stays where it is');
});

t.test('an affinity that names no member of the pool is refused at plan time', async (t) => {
  const { dir } = await poolOverSsh(t, vmBlock('web', 'xcp-07'));
  const r = xenform(dir, ['plan'], SSH_ENV);
  t.equal(r.code, 1);
  t.match(r.stderr, /affinity = "xcp-07" names no member of the pool on host "pool" \(members: xcp-01, xcp-02, xcp-03\)/);
});

t.test('starts that exceed a member\'s free memory are refused before any step runs, naming the member and the figures', async (t) => {
  const three = ['a', 'b', 'c'].map((n) => vmBlock(n, 'xcp-01', '5GiB')).join('\n');
  const { dir, sshd } = await poolOverSsh(t, three, JSON.stringify({ host_memory_mib: 16 * 1024 }));
  const refused = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(refused.code, 1, 'the plan is refused');
  t.match(refused.stderr, /vm\.c would start on pool member "xcp-01", which would need 5164MiB \(memory 5GiB \+ overhead 44MiB\) but has 1952MiB free after the VMs planned onto it before \(vm\.a, vm\.b\)/);
  t.notMatch(refused.stderr, /vm\.[ab] would start/, 'the two that fit are not named');
  t.equal(await xe(sshd, 'vm-list is-control-domain=false params=uuid --minimal'), '', 'no step ran: no VM was created');

  editConfig(dir, vmBlock('c', 'xcp-01', '5GiB'), vmBlock('c', 'xcp-02', '5GiB'));
  const fits = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(fits.code, 0, `with room on the members the same VMs apply (${fits.stderr})`);
  t.same([await residentOn(sshd, 'a'), await residentOn(sshd, 'b'), await residentOn(sshd, 'c')], ['xcp-01', 'xcp-01', 'xcp-02']);
});

t.test('--evacuate drains a member of 20 VMs live, at most --max-unavailable at once, none halted, disabled members receiving nothing', async (t) => {
  const fleet = 'vm "w" {\n  count       = 20\n  host        = host.pool\n  template    = "Other install media"\n  power_state = "running"\n  memory      = "512MiB"\n  vcpus       = 1\n}\n';
  // Each migration takes the simulated host a while, so that the drain's migrations overlap.
  const { dir, sshd, statePath } = await poolOverSsh(t, fleet, JSON.stringify({ latency_ms: { 'vm-migrate': 300 } }));
  await xe(sshd, 'host-disable host=xcp-01');
  await xe(sshd, 'host-disable host=xcp-03');
  const created = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(created.code, 0, `the fleet is created (${created.stderr})`);
  const names = Array.from({ length: 20 }, (_, i) => `w-${i}`);
  const where = async () => Promise.all(names.map((n) => residentOn(sshd, n)));
  t.same(new Set(await where()), new Set(['xcp-02']), 'every VM runs on xcp-02, the only enabled member');
  await xe(sshd, 'host-enable host=xcp-01');
  const uuids = await Promise.all(names.map((n) => xe(sshd, `vm-list name-label=${n} params=uuid --minimal`)));
  const histories = uuids.map((u) => powerHistory(statePath, u));

  const preview = JSON.parse(xenform(dir, ['plan', '--evacuate', 'xcp-02', '--json'], SSH_ENV).stdout) as Plan;
  t.same(new Set(preview.steps.map((s) => (s.op === 'migrate' ? `migrate ${s.args.member}` : s.op))), new Set(['migrate xcp-01']), 'the plan shows where each goes: xcp-01, never the disabled xcp-03');
  t.equal(preview.steps.length, 20);
  const md = xenform(dir, ['plan', '--evacuate', 'xcp-02', '--markdown'], SSH_ENV).stdout;
  t.match(md, /\| Host \| Member \| pCPUs \| Free memory before \| Free memory after \| VMs planned onto it \|/, 'the Markdown shows the pool capacity table');
  t.match(md, /\| pool \| xcp-01 \| 16 \| \S+ \| \S+ \| vm\.w\[0\], vm\.w\[1\]/, 'xcp-01 receives the VMs');
  t.match(md, /\| pool \| xcp-03 \(disabled\) \| 16 \| \S+ \| \S+ \| - \|/, 'the disabled member receives nothing');

  const drained = xenform(dir, ['apply', '--evacuate', 'xcp-02', '--max-unavailable', '3', '--auto-approve', '--json'], SSH_ENV);
  t.equal(drained.code, 0, `the evacuation applies (${drained.stderr})`);
  const peak = loadState(statePath)?.migrationsInFlightPeak;
  // Only the bound is asserted: how many overlap below it depends on scheduling.
  t.ok(peak !== undefined && peak >= 1 && peak <= 3, `the simulator saw at most 3 migrations in progress at once (peak ${peak})`);
  t.same(new Set(await where()), new Set(['xcp-01']), 'xcp-02 is drained, onto xcp-01');
  t.same(uuids.map((u) => powerHistory(statePath, u)), histories, 'no VM was halted: no power history has a new entry');
  t.equal(await xe(sshd, 'vm-list is-control-domain=false params=uuid --minimal').then((l) => l.split(',').length), 20, 'the same 20 VMs, none recreated');
  t.equal(xenform(dir, ['plan', '--detailed-exitcode'], SSH_ENV).code, 0, 'a second plan is empty');
});
