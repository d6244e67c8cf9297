// README: "Nothing is installed on the hosts." Over a real sshd, a quickstart plan and apply send
// only xe commands (the toolstack's own CLI) and write nothing in the remote user's home or
// temporary directory: no agent, no script, no copied file.
import t from 'tap';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exampleCopy, xenform } from './cli.js';
import { ssh, startSshd } from '../support/sshd.js';
import { overSsh, SSH_ENV } from '../support/ssh-config.js';

t.test('nothing is installed on the hosts: a quickstart plan and apply over ssh run only xe and leave the remote home and temp directory empty', async (t) => {
  const dir = exampleCopy('quickstart', t.teardown);
  const home = mkdtempSync(path.join(tmpdir(), 'xenform-remote-home-'));
  const tmp = mkdtempSync(path.join(tmpdir(), 'xenform-remote-tmp-'));
  // The toolstack's own runtime files (the simulator daemon's socket) live in the host's runtime
  // directory, as xapi's live under /var/run on a dom0: not in the session's directories.
  const run = mkdtempSync(path.join(tmpdir(), 'xenform-remote-run-'));
  t.teardown(() => {
    for (const d of [home, tmp, run]) rmSync(d, { recursive: true, force: true });
  });
  const sshd = await startSshd({ env: { XENSIM_STATE: path.join(dir, 'dom0.json'), HOME: home, TMPDIR: tmp, XDG_RUNTIME_DIR: run } });
  t.teardown(() => sshd.stop());
  overSsh(dir, sshd);
  t.equal((await ssh(sshd, 'echo "$HOME $TMPDIR"')).stdout.trim(), `${home} ${tmp}`, 'the remote session lives in the directories watched');

  const log = path.join(dir, 'commands.log');
  const env = { ...SSH_ENV, XENFORM_LOG: 'debug', XENFORM_LOG_PATH: log };
  t.equal(xenform(dir, ['plan'], env).code, 0);
  const apply = xenform(dir, ['apply', '--auto-approve'], env);
  t.equal(apply.code, 0, apply.stderr);
  t.match(xenform(dir, ['plan'], env).stdout, /No changes/);

  // Each command sent: "host "demo" (ssh …):   CMD -> exit N", or one command without a batch.
  const sent = readFileSync(log, 'utf8').split('\n').flatMap((l) => {
    const m = /\(ssh [^)]*\): {1,3}(.*?) -> (exit|\d+ answered)/.exec(l);
    return m && !m[1].startsWith('batch of') ? [m[1]] : [];
  });
  t.ok(sent.length > 20, `the log lists the commands (${sent.length})`);
  const programs = new Set(sent.map((c) => c.split(' ')[0]));
  t.same([...programs], ['xe'], 'only xe was invoked on the XAPI host');
  t.same(sent.filter((c) => /\/tmp|\$HOME|~\/|\bscp\b|\bmkdir\b|\btee\b|\bcat\s*>/.test(c)), [], 'no command writes a file of its own');
  t.same(readdirSync(home), [], 'the remote home is as it was');
  t.same(readdirSync(tmp), [], 'the remote temporary directory is as it was');
});
