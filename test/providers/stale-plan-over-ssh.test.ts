// The promise: a reviewed plan is approved as a whole. A saved plan some of whose VMs changed
// since it was made is refused before any step, naming every VM that changed; --allow-partial
// runs the steps of the others. Through the command line and a real sshd.
import t from 'tap';
import { xenform } from '../e2e/cli.js';
import { ssh } from '../support/sshd.js';
import { editConfig, quickstartOverSsh, SSH_ENV, vmParam } from '../support/ssh-config.js';

t.test('a stale saved plan is refused as a whole before any step, naming every VM that changed', async (t) => {
  const { dir, sshd } = await quickstartOverSsh(t);
  t.equal(xenform(dir, ['apply', '--auto-approve'], SSH_ENV).code, 0);
  editConfig(dir, 'vcpus       = 2', 'vcpus       = 1', true);
  t.equal(xenform(dir, ['plan', '--out', 'p.xfplan'], SSH_ENV).code, 0);
  const webUuid = await vmParam(sshd, 'web', 'uuid');
  const installerUuid = await vmParam(sshd, 'installer', 'uuid');
  const installerDescription = await vmParam(sshd, 'installer', 'name-description');

  await ssh(sshd, `xe vm-param-set uuid=${webUuid} name-description=edited-by-hand`);
  const one = xenform(dir, ['apply', 'p.xfplan'], SSH_ENV);
  t.equal(one.code, 1, 'the plan is refused');
  t.match(one.stderr, /saved plan is stale: 1 VM changed since it was made, so no step was run: vm\.web\b/);
  t.match(one.stderr, /--allow-partial/, 'the refusal says how to run the rest anyway');
  t.equal(await vmParam(sshd, 'installer', 'VCPUs-at-startup'), '2', 'the VM that did not change was not touched either');

  await ssh(sshd, `xe vm-param-set uuid=${installerUuid} name-description=edited-too`);
  const both = xenform(dir, ['apply', 'p.xfplan'], SSH_ENV);
  t.equal(both.code, 1);
  t.match(both.stderr, /2 VMs changed since it was made, so no step was run: vm\.web, vm\.installer\./, 'every VM that changed is named');
  t.match(both.stderr, /Refused vm\.web: .*edited-by-hand/, 'each with what changed');

  await ssh(sshd, `xe vm-param-set uuid=${installerUuid} name-description=${installerDescription || '""'}`);
  const partial = xenform(dir, ['apply', '--allow-partial', 'p.xfplan'], SSH_ENV);
  t.equal(partial.code, 1, 'with --allow-partial the changed VM is still refused');
  t.match(partial.stderr, /Refused vm\.web/);
  t.equal(await vmParam(sshd, 'installer', 'VCPUs-at-startup'), '1', 'and the others run');
  t.equal(await vmParam(sshd, 'web', 'VCPUs-at-startup'), '2', 'the changed one is untouched');
});
