// `xenform plan` and `apply` of the quickstart against the simulated XAPI host behind a
// real OpenSSH server on 127.0.0.1, through the built command line.
import t from 'tap';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exampleCopy, xenform, xenformInBackground } from '../e2e/cli.js';
import { startSshd, ssh, type Sshd } from '../support/sshd.js';
import { killSessions } from './sshd-sessions.js';
import { until, xeRunning } from './ssh-cli.js';
import { overSsh, SSH_ENV as ENV } from '../support/ssh-config.js';

async function powerStates(sshd: Sshd): Promise<string> {
  const r = await ssh(sshd, 'xe vm-list is-control-domain=false params=name-label,power-state');
  return r.stdout;
}

t.test('plan and apply of the quickstart over SSH', async (t) => {
  const dir = exampleCopy('quickstart', t.teardown);
  const sshd = await startSshd({ env: { XENSIM_STATE: path.join(dir, 'dom0.json') } });
  t.teardown(() => sshd.stop());
  overSsh(dir, sshd);

  const plan = xenform(dir, ['plan', '--detailed-exitcode'], ENV);
  t.equal(plan.code, 2, `plan sees changes (${plan.stderr})`);
  t.match(plan.stdout, /vm\.web/);

  const apply = xenform(dir, ['apply', '--auto-approve'], ENV);
  t.equal(apply.code, 0, `apply succeeds (${apply.stderr})`);
  const states = await powerStates(sshd);
  t.match(states, /web\n.*power-state \( RO\): running/, 'the Debian VM runs on the host');
  t.match(states, /installer\n.*power-state \( RO\): running/, 'and so does the HVM VM');

  const again = xenform(dir, ['plan', '--detailed-exitcode'], ENV);
  t.equal(again.code, 0, `a second plan has nothing to do (${again.stdout}${again.stderr})`);
});

t.test('an unknown or changed host key stops plan before anything runs', async (t) => {
  const dir = exampleCopy('quickstart', t.teardown);
  const sshd = await startSshd({ env: { XENSIM_STATE: path.join(dir, 'dom0.json') } });
  t.teardown(() => sshd.stop());
  overSsh(dir, sshd);
  const known = readFileSync(sshd.knownHostsFile, 'utf8');

  writeFileSync(sshd.knownHostsFile, '');
  const unknown = xenform(dir, ['plan'], ENV);
  t.equal(unknown.code, 1, 'plan fails');
  t.match(unknown.stdout + unknown.stderr, sshd.hostKeyFingerprint, 'the message shows the fingerprint');
  t.match(unknown.stdout + unknown.stderr, /host_key = "SHA256:/, 'and how to pin it');

  writeFileSync(sshd.knownHostsFile, known.replace(/AAAA\S+/, 'AAAAC3NzaC1lZDI1NTE5AAAAIBx8c1QhYkq1e4vNfZ6uWUw3pZyD1iQ4m5XGv2cK0a1b'));
  const changed = xenform(dir, ['apply', '--auto-approve'], ENV);
  t.equal(changed.code, 1, 'apply fails');
  const said = changed.stdout + changed.stderr;
  t.match(said, /CHANGED/);
  const presented = known.split(' ')[2].trim();
  t.notOk(said.includes(presented), 'the presented key is not handed over as a line to paste into known_hosts');
  t.notMatch(said, /ssh-keyscan|host_key = "SHA256/, 'nor a command or setting that would trust it');
  t.match(said, /ssh-keygen -lf \/etc\/ssh\/ssh_host_ed25519_key\.pub/, 'it says how to check the key on the host');
  t.match(said, /ssh-keygen -R '\[127\.0\.0\.1\]:\d+' -f /, 'and how to remove the old one once checked');
  t.match(await ssh(sshd, 'xe vm-list is-control-domain=false --minimal').then((r) => r.stdout.trim()), '', 'no VM was created');
});

t.test('a connection killed in the middle of apply: a clear error, then a state the next apply completes', async (t) => {
  const dir = exampleCopy('quickstart', t.teardown);
  const sshd = await startSshd({ env: { XENSIM_STATE: path.join(dir, 'dom0.json'), XENSIM_FAULTS: JSON.stringify({ latency_ms: { 'vm-start': 5000 } }) } });
  t.teardown(() => sshd.stop());
  overSsh(dir, sshd);

  const applying = xenformInBackground(dir, ['apply', '--auto-approve'], ENV).done;
  // Wait until a vm-start is under way on the host (the sshd runs on this machine), then cut every session.
  await until(() => xeRunning(path.join(dir, 'dom0.json'), 'vm-start'), 'a vm-start runs on the host');
  t.ok(killSessions(sshd) > 0, 'the sessions are killed on the server');
  const first = await applying;
  t.not(first.code, 0, 'apply reports the failure');
  t.match(first.stdout + first.stderr, /connection|lost|closed/i, 'and says the connection went away');
  t.notMatch(first.stderr, /^\s+at /m, 'without a stack trace');
  const state = JSON.parse(readFileSync(path.join(dir, 'xenform.state.json'), 'utf8'));
  t.ok(Array.isArray(state.resources), 'the state file is whole');

  // The host finishes what it was doing: the simulated xe outlives the killed session.
  await until(() => !xeRunning(path.join(dir, 'dom0.json'), ''), 'the host is idle');
  const second = xenform(dir, ['apply', '--auto-approve'], ENV);
  t.equal(second.code, 0, `the next apply completes (${second.stdout}${second.stderr})`);
  const vms = await ssh(sshd, 'xe vm-list is-control-domain=false params=name-label --minimal');
  t.same(vms.stdout.trim().split(',').sort(), ['installer', 'web'], 'each VM exists once: the interrupted create was adopted, not repeated');
  t.equal(xenform(dir, ['plan', '--detailed-exitcode'], ENV).code, 0, 'and nothing is left to do');
});

t.test('a Host alias of ~/.ssh/config brings its HostName, Port and User: the host block\'s defaults come after it', async (t) => {
  const dir = exampleCopy('quickstart', t.teardown);
  const sshd = await startSshd({ env: { XENSIM_STATE: path.join(dir, 'dom0.json') } });
  t.teardown(() => sshd.stop());
  const home = mkdtempSync(path.join(tmpdir(), 'xenform-home-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  mkdirSync(path.join(home, '.ssh'), { mode: 0o700 });
  writeFileSync(
    path.join(home, '.ssh', 'config'),
    `Host lab-alias\n  HostName ${sshd.host}\n  Port ${sshd.port}\n  User ${sshd.user}\n  IdentityFile ${sshd.identityFile}\n  UserKnownHostsFile ${sshd.knownHostsFile}\n`,
  );
  const file = path.join(dir, 'main.xf.hcl');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/  simulator = true\n/, '  address   = "lab-alias"\n'));

  const plan = xenform(dir, ['plan', '--detailed-exitcode'], { SSH_AUTH_SOCK: '', HOME: home });
  t.equal(plan.code, 2, `plan reaches the host through the alias (${plan.stdout}${plan.stderr})`);
  t.notMatch(plan.stderr, /root@|:22\)/, 'and never tries root on port 22');
});

t.test('a 1001MiB disk, which the SR rounds up, converges: the second plan has nothing to do', async (t) => {
  const dir = exampleCopy('quickstart', t.teardown);
  const sshd = await startSshd({ env: { XENSIM_STATE: path.join(dir, 'dom0.json') } });
  t.teardown(() => sshd.stop());
  overSsh(dir, sshd);
  const file = path.join(dir, 'main.xf.hcl');
  const text = readFileSync(file, 'utf8');
  const withDisk = text.replace('size = "10GiB"', 'size = "1001MiB"');
  t.not(withDisk, text, 'the quickstart\'s first VM gets a 1001MiB disk');
  writeFileSync(file, withDisk);

  // the host's ext SR gives whole 2 MiB blocks: the plan shows the disk it will really get
  const text1 = xenform(dir, ['plan'], ENV);
  t.match(text1.stdout, /disks\.data\s+= 1002MiB on "Local storage"/, `the text plan shows 1002MiB (${text1.stderr})`);
  t.match(text1.stdout, /disk "data": 1001MiB becomes 1002MiB/, 'and says why');
  t.match(xenform(dir, ['plan', '--markdown'], ENV).stdout, /disks\.data\s+= 1002MiB/, 'so does the Markdown plan');
  const json = JSON.parse(xenform(dir, ['plan', '--json'], ENV).stdout) as { resource_changes: { address: string; after: { disks: { size: number }[] } }[] };
  t.equal(json.resource_changes.find((c) => c.address === 'vm.web')?.after.disks[0].size, 1002 * 1024 ** 2, 'and the plan JSON\'s planned value');

  const apply = xenform(dir, ['apply', '--auto-approve'], ENV);
  t.equal(apply.code, 0, `apply succeeds (${apply.stdout}${apply.stderr})`);
  const again = xenform(dir, ['plan', '--detailed-exitcode'], ENV);
  t.equal(again.code, 0, `a second plan has nothing to do (${again.stdout}${again.stderr})`);
  t.notMatch(again.stdout, /replace/, 'and never replaces the VM');
});
