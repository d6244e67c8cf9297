// boot { once } over an OpenSSH server on 127.0.0.1 and the simulated xe behind it: the next
// start boots from CD once, the permanent order is back right after it, and the next plan is empty.
import t from 'tap';
import path from 'node:path';
import { xenform } from './cli.js';
import { ssh } from '../support/sshd.js';
import { editConfig, quickstartOverSsh, SSH_ENV, vmParam } from '../support/ssh-config.js';
import { bootOrders, powerHistory } from '../support/sim-host.js';
import type { Plan } from '../../planner/plan/types.js';

const ISO = 'debian-12.7.0-amd64-netinst.iso';
const BOOT = '  boot {\n    mode  = "hvm"\n    order = "dc"\n  }\n';
const ONCE = `  boot {\n    mode  = "hvm"\n    order = "c"\n    once  = "d"\n  }\n\n  cdrom {\n    iso = "${ISO}"\n  }\n`;

t.test('a VM created with boot once = "d" boots from CD once, keeps order "c", and the next plan is empty', async (t) => {
  const { dir, sshd } = await quickstartOverSsh(t);
  editConfig(dir, BOOT, ONCE);
  const plan = JSON.parse(xenform(dir, ['plan', '--json'], SSH_ENV).stdout) as Plan;
  const rc = plan.resource_changes.find((r) => r.address === 'vm.installer')!;
  t.match(rc.changes, [{ path: 'boot.once', before: 'c', after: 'd', effect: 'live', lifetime: 'once, at the next start' }]);
  const start = plan.steps.find((s) => s.address === 'vm.installer' && s.op === 'start')!;
  t.same(start.args, { boot_once: { order: 'd', restore: 'c' } }, 'the start step carries the one-shot order');
  const shown = xenform(dir, ['plan'], SSH_ENV).stdout;
  t.match(shown, /boot\.once: "c" -> "d"\s+\(live, once, at the next start\)/, 'the text plan shows the lifetime');

  const applied = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(applied.code, 0, `applied (${applied.stderr})`);
  const uuid = await vmParam(sshd, 'installer', 'uuid');
  const state = path.join(dir, 'dom0.json');
  t.same(bootOrders(state, uuid), ['d'], 'its one domain was built booting from CD');
  t.equal((await ssh(sshd, `xe vm-param-get uuid=${uuid} param-name=HVM-boot-params param-key=order`)).stdout.trim(), 'c', 'the permanent order is restored');
  const next = xenform(dir, ['plan', '--detailed-exitcode'], SSH_ENV);
  t.equal(next.code, 0, `the next plan is empty: the one-shot is consumed, not drift (${next.stdout})`);
  t.same(powerHistory(state, uuid), ['running'], 'started once');
});

t.test('a halted VM given boot once = "d" boots from CD at its next start only; a later restart boots from disk', async (t) => {
  const { dir, sshd } = await quickstartOverSsh(t);
  editConfig(dir, 'power_state = "running"\n  memory      = "2GiB"', 'power_state = "halted"\n  memory      = "2GiB"');
  editConfig(dir, BOOT, ONCE.replace('    once  = "d"\n', ''));
  t.equal(xenform(dir, ['apply', '--auto-approve'], SSH_ENV).code, 0, 'created halted');
  const uuid = await vmParam(sshd, 'installer', 'uuid');
  const state = path.join(dir, 'dom0.json');

  editConfig(dir, 'power_state = "halted"\n  memory      = "2GiB"', 'power_state = "running"\n  memory      = "2GiB"');
  editConfig(dir, '    order = "c"\n', '    order = "c"\n    once  = "d"\n');
  const plan = JSON.parse(xenform(dir, ['plan', '--json'], SSH_ENV).stdout) as Plan;
  t.same(plan.steps.filter((s) => s.address === 'vm.installer').map((s) => s.op), ['start']);
  t.match(plan.resource_changes.find((r) => r.address === 'vm.installer')!.changes, [{ path: 'boot.once', lifetime: 'once, at the next start' }]);
  t.equal(xenform(dir, ['apply', '--auto-approve'], SSH_ENV).code, 0, 'started');
  t.same(bootOrders(state, uuid), ['d']);
  t.equal(xenform(dir, ['plan', '--detailed-exitcode'], SSH_ENV).code, 0, 'the next plan is empty');

  // A change that halts the running VM restarts it from its permanent order.
  editConfig(dir, 'memory      = "2GiB"', 'memory      = "3GiB"');
  const halting = JSON.parse(xenform(dir, ['plan', '--json'], SSH_ENV).stdout) as Plan;
  t.notMatch(JSON.stringify(halting.resource_changes), /boot\.once/, 'no one-shot on the restart of a running VM');
  t.equal(xenform(dir, ['apply', '--auto-approve'], SSH_ENV).code, 0, 'applied with a halt');
  t.same(bootOrders(state, uuid), ['d', 'c'], 'the restart booted from disk');
});

t.test('boot once is refused for PV boot at validate, naming the argument', async (t) => {
  const { dir } = await quickstartOverSsh(t);
  editConfig(dir, BOOT, '  boot {\n    mode = "pv"\n    once = "d"\n  }\n');
  const r = xenform(dir, ['validate'], SSH_ENV);
  t.equal(r.code, 1);
  t.match(r.stderr, /"once" applies only to HVM boot/);
  t.match(r.stderr, /main\.xf\.hcl:\d+:\d+/);
});
