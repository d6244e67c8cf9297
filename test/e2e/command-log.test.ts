// The promises: what runs as root on dom0 is visible, and secrets stay secret. XENFORM_LOG=debug
// (or --verbose) logs every command sent to each host with its timing and exit status, and neither
// the log nor `state show` ever shows a sensitive value in clear.
import t from 'tap';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exampleCopy, xenform } from './cli.js';

const SECRET = 'hunter2-s3cr3t';

function withSecret(dir: string): void {
  const file = path.join(dir, 'main.xf.hcl');
  const text = readFileSync(file, 'utf8').replace('  memory      = "2GiB"\n', '  memory      = "2GiB"\n  other_config = { owner = var.owner }\n');
  writeFileSync(file, `variable "owner" {\n  type      = string\n  sensitive = true\n  default   = "${SECRET}"\n}\n\n${text}`);
}

t.test('XENFORM_LOG=debug logs every command sent to the host with its timing and exit status, to XENFORM_LOG_PATH (mode 0600) when set, sensitive values masked', async (t) => {
  const dir = exampleCopy('quickstart', t.teardown);
  withSecret(dir);
  const logFile = path.join(dir, 'commands.log');
  const apply = xenform(dir, ['apply', '--auto-approve'], { XENFORM_LOG: 'debug', XENFORM_LOG_PATH: logFile });
  t.equal(apply.code, 0, apply.stderr);
  t.notMatch(apply.stderr, /\[DEBUG\]/, 'with XENFORM_LOG_PATH the log goes to the file, not stderr');
  t.equal(statSync(logFile).mode & 0o777, 0o600, 'the log file has mode 0600');
  const log = readFileSync(logFile, 'utf8');
  t.match(log, /host "demo" .*: xe vm-install .* -> exit 0 in \d+ ms/, 'the create is logged with its exit status and time');
  t.match(log, /xe vm-start .* -> exit 0 in \d+ ms/, 'and so is the start');
  t.match(log, /other-config:owner=.*\(sensitive value\)/, 'the sensitive value is masked where it was sent');
  t.notMatch(log, SECRET, 'and never written in clear');
});

t.test('--verbose logs the commands to stderr, and a failed command says its exit status', async (t) => {
  const dir = exampleCopy('quickstart', t.teardown);
  const faults = JSON.stringify({ fail: [{ command: 'vm-start', nth: 1, code: 'VM_BAD_POWER_STATE' }] });
  const apply = xenform(dir, ['--verbose', 'apply', '--auto-approve'], { XENSIM_FAULTS: faults });
  t.equal(apply.code, 1, 'the injected failure fails the apply');
  t.match(apply.stderr, /\[DEBUG\] host "demo" .*xe vm-list/, 'the refresh is logged');
  t.match(apply.stderr, /xe vm-start .* -> exit 1 in \d+ ms: .*power state/, 'the failed start with its exit status and error');
  const quiet = xenform(dir, ['plan']);
  t.notMatch(quiet.stderr, /\[DEBUG\]/, 'without it nothing is logged');
});

t.test('state show masks the values that derive from a sensitive variable', async (t) => {
  const dir = exampleCopy('quickstart', t.teardown);
  withSecret(dir);
  t.equal(xenform(dir, ['apply', '--auto-approve']).code, 0);
  const shown = xenform(dir, ['state', 'show', 'vm.installer']);
  t.equal(shown.code, 0, shown.stderr);
  t.match(shown.stdout, /"owner" = \(sensitive value\)/, 'the value is masked');
  t.notMatch(shown.stdout, SECRET, 'and never shown in clear');
  t.match(shown.stdout, /name        = "installer"/, 'the other values are shown');
});

// Each `host "…" (…): ` entry not indented is one round trip; a batch's commands follow it indented.
function roundTrips(log: string): string[] {
  return log.split('\n').map((l) => /\[DEBUG\] host "[^"]*" \([^)]*\): (\S.*)$/.exec(l)?.[1]).filter((x): x is string => x !== undefined);
}
const xeIn = (entry: string): number => (entry.split(' -> ')[0].match(/(^|&& )xe /g) ?? []).length;

t.test('a start, a shutdown and a reboot each reach the host in one round trip of at most three xe', async (t) => {
  const dir = exampleCopy('quickstart', t.teardown);
  const file = path.join(dir, 'main.xf.hcl');
  const cases = [
    { name: 'the start after each create', op: 'vm-start', edit: (s: string) => s, xe: 3 },
    { name: 'a shutdown', op: 'vm-shutdown', edit: (s: string) => s.replace(/power_state = "running"/g, 'power_state = "halted"'), xe: 2 },
    { name: 'a start of halted VMs', op: 'vm-start', edit: (s: string) => s.replace(/power_state = "halted"/g, 'power_state = "running"'), xe: 3 },
  ];
  for (const c of cases) {
    writeFileSync(file, c.edit(readFileSync(file, 'utf8')));
    const logFile = path.join(dir, `${c.op}-${cases.indexOf(c)}.log`);
    const apply = xenform(dir, ['apply', '--auto-approve'], { XENFORM_LOG: 'debug', XENFORM_LOG_PATH: logFile });
    t.equal(apply.code, 0, apply.stderr);
    const trips = roundTrips(readFileSync(logFile, 'utf8'));
    const steps = trips.filter((e) => e.startsWith(`xe ${c.op} `));
    t.equal(steps.length, 2, `${c.name}: one round trip for each of the two VMs`);
    t.same(steps.map(xeIn), [c.xe, c.xe], `${c.name}: ${c.xe} xe in it (the operation, its power fields${c.xe === 3 ? ', the boot marker' : ''})`);
    for (const step of steps) {
      const uuid = /uuid=(\S+)/.exec(step)![1];
      const after = trips.slice(trips.indexOf(step) + 1).filter((e) => e.includes(uuid));
      t.same(after, [], `${c.name}: nothing more is sent about the VM after its step`);
    }
  }
});
