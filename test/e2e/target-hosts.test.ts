// The promise: one unreachable host does not block every plan. With --target, only the hosts the
// targeted VMs (and their dependencies) need are read.
import t from 'tap';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { exampleCopy, xenform } from './cli.js';
import { freePort } from '../support/sshd.js';

t.test('with --target, a plan reads only the hosts the targeted VMs need', async (t) => {
  const dir = exampleCopy('quickstart', t.teardown);
  const port = await freePort();
  appendFileSync(
    path.join(dir, 'main.xf.hcl'),
    `\nhost "far" {\n  address     = "127.0.0.1"\n  port        = ${port}\n  toolstack   = "xapi"\n  known_hosts = "${path.join(dir, 'known_hosts')}"\n}\n\n` +
      'vm "remote" {\n  host        = host.far\n  name        = "remote"\n  template    = "Debian Bookworm 12"\n  memory      = "1GiB"\n  vcpus       = 1\n}\n\n' +
      'vm "needs_remote" {\n  host        = host.demo\n  name        = "needs-remote"\n  template    = "Debian Bookworm 12"\n  memory      = "1GiB"\n  vcpus       = 1\n  depends_on  = [vm.remote]\n}\n',
  );
  const env = { SSH_AUTH_SOCK: '', HOME: '/nonexistent-xenform-home' };

  const all = xenform(dir, ['plan'], env);
  t.equal(all.code, 1, 'without --target the unreachable host fails the plan');
  t.match(all.stderr, /Host "far" could not be read/);

  const targeted = xenform(dir, ['plan', '--target', 'vm.web'], env);
  t.equal(targeted.code, 0, `a plan for a VM on the reachable host succeeds (${targeted.stderr})`);
  t.notMatch(targeted.stderr, /far/, 'and never tries the other host');
  t.match(targeted.stdout, /vm\.web will be created/);

  const applied = xenform(dir, ['apply', '--auto-approve', '--target', 'vm.web'], env);
  t.equal(applied.code, 0, `so does its apply (${applied.stderr})`);

  const dependent = xenform(dir, ['plan', '--target', 'vm.needs_remote'], env);
  t.equal(dependent.code, 1, 'a target that depends on a VM of the unreachable host still needs that host');
  t.match(dependent.stderr, /Host "far" could not be read/);
});
