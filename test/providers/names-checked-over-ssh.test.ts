// The promise: a replacement never destroys a VM before it knows it can create it again. Every
// template, SR and network a plan's steps name is checked against what the plan read from the
// host; a typo is refused at plan time with file:line:column and a did-you-mean, before any
// step. Through the command line and a real sshd.
import t from 'tap';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { xenform } from '../e2e/cli.js';
import { ssh } from '../support/sshd.js';
import { editConfig, quickstartOverSsh, SSH_ENV, vmParam } from '../support/ssh-config.js';

t.test('a template typo on an existing VM is refused at plan time: the VM is not destroyed', async (t) => {
  const { dir, sshd } = await quickstartOverSsh(t);
  t.equal(xenform(dir, ['apply', '--auto-approve'], SSH_ENV).code, 0);
  const uuid = await vmParam(sshd, 'web', 'uuid');
  editConfig(dir, 'template    = "Debian Bookworm 12"', 'template    = "Debain Bookworm 12"');

  const plan = xenform(dir, ['plan'], SSH_ENV);
  t.equal(plan.code, 1, 'the plan is refused');
  t.match(plan.stderr, /Unknown template/);
  t.match(plan.stderr, /main\.xf\.hcl:\d+:17/, 'at the file, line and column of the attribute');
  t.match(plan.stderr, /Did you mean "Debian Bookworm 12"\?/);

  const apply = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(apply.code, 1, 'apply refuses too');
  t.equal(await vmParam(sshd, 'web', 'uuid'), uuid, 'and the VM is still there, untouched');
  t.equal(await vmParam(sshd, 'web', 'power-state'), 'running');
});

t.test('an unknown network or SR is refused before any step: no half-made VM is left behind', async (t) => {
  const { dir, sshd } = await quickstartOverSsh(t);
  appendFileSync(
    path.join(dir, 'main.xf.hcl'),
    '\nvm "extra" {\n  host     = host.demo\n  name     = "extra"\n  template = "Debian Bookworm 12"\n  memory   = "1GiB"\n  vcpus    = 1\n' +
      '  disk "root" {\n    size = "10GiB"\n    sr   = "Local storag"\n  }\n  network "eth0" {\n    network = "xenbr9"\n  }\n}\n',
  );
  const apply = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(apply.code, 1);
  t.match(apply.stderr, /Unknown SR[\s\S]*main\.xf\.hcl:\d+:\d+[\s\S]*no SR named "Local storag"\. Did you mean "Local storage"\?/);
  t.match(apply.stderr, /Unknown network[\s\S]*no network named "xenbr9"\. Did you mean "xenbr0"\?/);
  const vms = await ssh(sshd, 'xe vm-list is-control-domain=false params=name-label --minimal');
  t.equal(vms.stdout.trim(), '', 'no VM was created, not even the ones without a typo');
});
