// The promise: the progress view tells the truth on interrupt. The interrupt is announced once,
// the summary printed once, the steps that did not run are named as such (never a finished
// shutdown), no internal step id is shown, and the end says per VM where it is now and what is
// left to do.
import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exampleCopy, repoRoot, xenform } from './cli.js';

const count = (text: string, re: RegExp): number => (text.match(new RegExp(re.source, 'g')) ?? []).length;

t.test('an interrupted apply says once that it stopped, once how it ended, and where each VM is left', async (t) => {
  const dir = exampleCopy('quickstart', t.teardown);
  t.equal(xenform(dir, ['apply', '--auto-approve']).code, 0);
  const file = path.join(dir, 'main.xf.hcl');
  writeFileSync(file, readFileSync(file, 'utf8').replace('memory      = "1GiB"', 'memory      = "2GiB"').replace('memory      = "2GiB"\n  vcpus       = 2\n\n  boot {\n    mode  = "hvm"', 'memory      = "3GiB"\n  vcpus       = 2\n\n  boot {\n    mode  = "hvm"'));

  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'xenform.js'), '--chdir', dir, '--no-color', 'apply', '--auto-approve'], {
    env: { ...process.env, NO_COLOR: '1', XENSIM_FAULTS: JSON.stringify({ latency_ms: { 'vm-shutdown': 1500 } }) },
  });
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stdout.on('data', (d) => {
    stdout += d;
    // Interrupt once both shutdowns are under way: they finish, the rest does not run.
    if (!sent && count(stdout, /clean shutdown started/) === 2) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  const all = stdout + stderr;
  t.equal(code, 1, 'the apply exits 1');
  t.ok(sent, 'the interrupt was sent while the shutdowns ran');
  t.equal(count(all, /Interrupted: finishing the steps in flight/), 1, 'the interrupt is announced once');
  t.equal(count(all, /Apply (interrupted|failed|stopped|complete)/), 1, 'the summary is printed once');
  t.equal(count(all, /clean shutdown done/), 2, 'both shutdowns finished');
  t.notMatch(all, /clean shutdown skipped|skipped \(clean shutdown\)/, 'and are never said to have been skipped');
  t.match(all, /vm\.web: set skipped: the apply was interrupted before this step could start/, 'the steps that did not run are named');
  t.notMatch(all, /\bs\d+\b/, 'no internal step id is shown');
  t.match(stderr, /Where each VM is now, and what is left to do[^\n]*\n(  vm\.\w+: halted; left to do: set memory[^\n]*, start \(halted -> running\)\n){2}/, 'each VM is halted, with the set and the start left');
  const again = xenform(dir, ['apply', '--auto-approve']);
  t.equal(again.code, 0, `the next apply finishes the job (${again.stderr})`);
});
