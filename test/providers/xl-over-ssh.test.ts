// xenform against the simulated plain-Xen (xl) host behind a real OpenSSH server on
// 127.0.0.1, through the built command line: create, power states, boot args, destroy.
import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { xenform } from '../e2e/cli.js';
import { startSshd, ssh } from '../support/sshd.js';

const ENV = { SSH_AUTH_SOCK: '', HOME: '/nonexistent-xenform-home' };

t.test('an xl guest goes through its power states over SSH and converges after each apply', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'xenform-xl-ssh-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const etc = path.join(dir, 'host-etc-xen');
  const save = path.join(dir, 'host-save');
  const boot = path.join(dir, 'host-boot');
  for (const d of [etc, save, boot]) mkdirSync(d);
  writeFileSync(path.join(boot, 'vmlinuz'), 'kernel');
  writeFileSync(path.join(boot, 'initrd.gz'), 'ramdisk');

  const sshd = await startSshd({ env: { XENSIM_STATE: path.join(dir, 'dom0.json'), XENSIM_TOOLSTACK: 'xl' } });
  t.teardown(() => sshd.stop());

  const write = (power: string, args: string) =>
    writeFileSync(
      path.join(dir, 'main.xf.hcl'),
      `host "edge" {
  toolstack     = "xl"
  address       = "${sshd.host}"
  port          = ${sshd.port}
  user          = "${sshd.user}"
  identity_file = "${sshd.identityFile}"
  known_hosts   = "${sshd.knownHostsFile}"
  config_dir    = "${etc}"
  suspend_dir   = "${save}"
}

vm "tiny" {
  host        = host.edge
  name        = "tiny"
  power_state = "${power}"
  memory      = "128MiB"
  vcpus       = 1

  boot {
    mode    = "pv"
    kernel  = "${boot}/vmlinuz"
    ramdisk = "${boot}/initrd.gz"
    args    = "${args}"
  }

  shutdown {
    timeout  = "10s"
    fallback = "hard"
  }
}
`,
    );
  const xlList = async () => (await ssh(sshd, 'xl list')).stdout;

  write('running', 'console=hvc0');
  const create = xenform(dir, ['apply', '--auto-approve'], ENV);
  t.equal(create.code, 0, `create and start (${create.stderr})`);
  t.match(await xlList(), /^tiny\s+\d+\s+128\s+1\s+(r-|-b)----/m, 'the domain runs on the host');
  t.equal(xenform(dir, ['plan', '--detailed-exitcode'], ENV).code, 0, 'converged after create');

  const steps: [string, string, RegExp][] = [
    ['paused', 'console=hvc0', /^tiny\s+\d+\s+128\s+1\s+--p/m],
    ['running', 'console=hvc0', /^tiny\s+\d+\s+128\s+1\s+(r-|-b)----/m],
    ['suspended', 'console=hvc0', /^Name/],
    ['running', 'console=hvc0 quiet', /^tiny\s+\d+\s+128\s+1\s+(r-|-b)----/m],
    ['halted', 'console=hvc0 quiet', /^Name/],
  ];
  for (const [power, args, listed] of steps) {
    write(power, args);
    const plan = xenform(dir, ['plan', '--detailed-exitcode'], ENV);
    t.not(plan.code, 0, `going to ${power} (${args}) is planned`);
    const apply = xenform(dir, ['apply', '--auto-approve'], ENV);
    t.equal(apply.code, 0, `apply to ${power} succeeds (${apply.stderr})`);
    t.match(await xlList(), listed, `xl list shows tiny ${power}`);
    const again = xenform(dir, ['plan', '--detailed-exitcode'], ENV);
    t.equal(again.code, 0, `converged at ${power} (${again.stdout}${again.stderr})`);
  }
  t.notMatch(await xlList(), /^tiny/m, 'a halted xl guest has no domain');

  const destroy = xenform(dir, ['destroy', '--auto-approve'], ENV);
  t.equal(destroy.code, 0, `destroy (${destroy.stderr})`);
  t.equal((await ssh(sshd, `ls ${etc}`)).stdout.trim(), '', 'the guest configuration file is removed');
});
