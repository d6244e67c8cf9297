// vCPU hot-plug on the simulated XAPI host behind a real OpenSSH server on 127.0.0.1: a guest
// with PV drivers gets its vCPUs with vm-vcpu-hotplug and keeps running in the same domain; a
// guest without them (the no_pv_drivers fault) is rebooted, and the plan says why.
import t from 'tap';
import { xenform } from '../e2e/cli.js';
import { editConfig, quickstartOverSsh, SSH_ENV, vmParam } from '../support/ssh-config.js';

const WEB = '  memory      = "1GiB"\n  vcpus       = 2\n';

t.test('a running guest with PV drivers has its vCPUs hot-plugged, never rebooted', async (t) => {
  const { dir, sshd } = await quickstartOverSsh(t);
  editConfig(dir, WEB, '  memory      = "1GiB"\n  vcpus       = 1\n  vcpus_max   = 4\n');
  t.equal(xenform(dir, ['apply', '--auto-approve'], SSH_ENV).code, 0);
  const domain = async () => [await vmParam(sshd, 'web', 'power-state'), await vmParam(sshd, 'web', 'dom-id')];
  const before = await domain();
  editConfig(dir, '  vcpus       = 1\n  vcpus_max   = 4\n', '  vcpus       = 3\n  vcpus_max   = 4\n');
  const plan = JSON.parse(xenform(dir, ['plan', '--json'], SSH_ENV).stdout);
  const rc = plan.resource_changes.find((c: { address: string }) => c.address === 'vm.web');
  t.equal(rc.disruption, 'none');
  t.match(rc.changes, [{ path: 'vcpus', effect: 'live', condition: 'the running guest supports vCPU hot-plug' }]);
  const apply = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(apply.code, 0, apply.stderr);
  t.equal(await vmParam(sshd, 'web', 'VCPUs-number'), '3', 'three vCPUs in the running domain');
  t.same(await domain(), before, 'the same domain, still running');
  t.equal(xenform(dir, ['plan', '--detailed-exitcode'], SSH_ENV).code, 0, 'the next plan is empty');
});

t.test('a running guest without PV drivers gets its vCPUs at a reboot, and the plan says why', async (t) => {
  const { dir } = await quickstartOverSsh(t, { XENSIM_FAULTS: JSON.stringify({ no_pv_drivers: ['web'] }) });
  editConfig(dir, WEB, '  memory      = "1GiB"\n  vcpus       = 1\n  vcpus_max   = 4\n');
  t.equal(xenform(dir, ['apply', '--auto-approve'], SSH_ENV).code, 0);
  editConfig(dir, '  vcpus       = 1\n', '  vcpus       = 3\n');
  const plan = JSON.parse(xenform(dir, ['plan', '--json'], SSH_ENV).stdout);
  const rc = plan.resource_changes.find((c: { address: string }) => c.address === 'vm.web');
  t.equal(rc.disruption, 'reboot');
  t.match(rc.changes, [{ path: 'vcpus', effect: 'next_boot', condition: /no PV drivers and does not report feature-vcpu-hotplug/ }]);
});
