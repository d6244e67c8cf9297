// The command line's promises about its arguments: every shared flag read one way by every
// command, an argument error answered with one line and where to get help, conflicting flags
// refused, Terraform's single-dash spellings understood, and Terraform's commands that xenform
// does without answered with what to use instead.
import t, { type Test } from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { xenform } from '../support/cli-io.js';

const CONFIG = `
variable "memory" {
  type    = string
  default = "1GiB"
}

host "lab" {
  simulator = true
  toolstack = "xapi"
}

vm "web" {
  host        = host.lab
  name        = "web"
  template    = "Debian Bookworm 12"
  power_state = "running"
  memory      = var.memory
  vcpus       = 1
  boot {
    mode       = "pv"
    bootloader = "pygrub"
  }
}
`;

const usage = (command: string) => `Run "xenform ${command}${command ? ' ' : ''}--help" for usage.`;

// stderr is the one useful line (matching `line`) and the usage line, nothing else.
function oneLineAndUsage(t: Test, stderr: string, line: RegExp, command: string): void {
  const lines = stderr.trimEnd().split('\n');
  t.equal(lines.length, 2, `two lines: the error and the usage hint, not the whole help:\n${stderr}`);
  t.match(lines[0], line);
  t.equal(lines[1], usage(command));
}

t.test('every command that takes --var refuses a --var without =value with one line that says so', async (t) => {
  const cases = [
    { command: 'plan', argv: ['plan'] },
    { command: 'apply', argv: ['apply', '--auto-approve'] },
    { command: 'destroy', argv: ['destroy', '--auto-approve'] },
    { command: 'graph', argv: ['graph'] },
    { command: 'validate', argv: ['validate'] },
    { command: 'import', argv: ['import', 'vm.web', '00000000-0000-0000-0000-000000000000'] },
  ];
  for (const c of cases) {
    const dir = t.testdir({ 'main.xf.hcl': CONFIG });
    const r = await xenform(['--chdir', dir, ...c.argv, '--var', 'memory']);
    t.equal(r.code, 1, `${c.command} exits 1`);
    oneLineAndUsage(t, r.stderr, /^Error: --var: "memory" must be a variable name and value separated by an equals sign, like --var memory=value\.$/, c.command);
    t.equal(r.stdout, '', `${c.command} prints nothing else`);
  }
});

t.test('a --var value keeps everything after the first equals sign, and a later --var wins', async (t) => {
  const dir = t.testdir({ 'main.xf.hcl': CONFIG.replace('name        = "web"', 'name        = var.memory') });
  const r = await xenform(['--chdir', dir, 'plan', '--json', '--var', 'memory=1GiB', '--var', 'memory=2GiB=x']);
  t.equal(r.code, 1, 'the value "2GiB=x" reaches the configuration, where it is not a size');
  t.match(r.stdout + r.stderr, /2GiB=x/);
});

t.test('every command reads --lock-timeout the same way, as a duration such as 1m30s', async (t) => {
  const dir = t.testdir({ 'main.xf.hcl': CONFIG });
  const plan = await xenform(['--chdir', dir, 'plan', '--lock-timeout', '1m30s']);
  t.equal(plan.code, 0, plan.stderr);
  const rm = await xenform(['--chdir', dir, 'state', 'rm', 'vm.web', '--lock-timeout', '1m30s']);
  t.notMatch(rm.stderr, /is not a duration/, 'state rm accepts the duration plan accepts');
  t.match(rm.stderr, /no state/i, 'and goes on to find there is no state to edit');
  for (const c of [{ command: 'plan', argv: ['plan'] }, { command: 'state mv', argv: ['state', 'mv', 'vm.a', 'vm.b'] }]) {
    const bad = await xenform(['--chdir', dir, ...c.argv, '--lock-timeout', 'soon']);
    t.equal(bad.code, 1);
    oneLineAndUsage(t, bad.stderr, /^Error: --lock-timeout: "soon" is not a duration/, c.command);
  }
});

t.test('an argument that is not a resource address is refused before anything runs', async (t) => {
  const cases = [
    { command: 'plan', argv: ['plan', '--target', 'web'] },
    { command: 'apply', argv: ['apply', '--replace', 'web'] },
    { command: 'import', argv: ['import', 'web', '00000000-0000-0000-0000-000000000000'] },
    { command: 'state list', argv: ['state', 'list', 'web'] },
    { command: 'state show', argv: ['state', 'show', 'web'] },
    { command: 'state rm', argv: ['state', 'rm', 'vm.db', 'web'] },
    { command: 'state mv', argv: ['state', 'mv', 'web', 'vm.b'] },
  ];
  for (const c of cases) {
    const dir = t.testdir({ 'main.xf.hcl': CONFIG });
    const r = await xenform(['--chdir', dir, ...c.argv]);
    t.equal(r.code, 1, `${c.command} exits 1`);
    oneLineAndUsage(t, r.stderr, /"web" is not a resource address; expected e\.g\. vm\.web/, c.command);
  }
});

t.test('an argument error prints the one useful line and where to get help, not the whole help', async (t) => {
  const dir = t.testdir({ 'main.xf.hcl': CONFIG });
  const cases = [
    { name: 'an unknown option', argv: ['plan', '--bogus'], command: 'plan', line: /unknown option '--bogus'/ },
    { name: 'a missing argument', argv: ['state', 'mv', 'vm.a'], command: 'state mv', line: /missing required argument 'to'/ },
    { name: 'a parallelism of 0', argv: ['apply', '--parallelism', '0'], command: 'apply', line: /--parallelism.*at least 1, got "0"/ },
    { name: 'an unknown disruption level', argv: ['plan', '--max-disruption', 'sometimes'], command: 'plan', line: /--max-disruption.*none, reboot, halt, replace, destroy/ },
    { name: 'a --refresh that is not a boolean', argv: ['plan', '--refresh=no'], command: 'plan', line: /--refresh.*true or false/ },
    { name: 'an unknown command', argv: ['frobnicate'], command: '', line: /unknown command 'frobnicate'/ },
  ];
  for (const c of cases) {
    const r = await xenform(['--chdir', dir, ...c.argv]);
    t.equal(r.code, 1, `${c.name}: exit 1`);
    t.equal(r.stdout, '', `${c.name}: nothing on stdout`);
    oneLineAndUsage(t, r.stderr, c.line, c.command);
  }
});

t.test('--max-disruption destroy allows a plan that destroys a VM, and replace does not', async (t) => {
  const dir = t.testdir({ 'main.xf.hcl': CONFIG });
  const apply = await xenform(['--chdir', dir, 'apply', '--auto-approve']);
  t.equal(apply.code, 0, apply.stderr);
  const refused = await xenform(['--chdir', dir, 'plan', '--destroy', '--max-disruption', 'replace']);
  t.equal(refused.code, 1);
  t.match(refused.stderr, /vm\.web would suffer disruption "destroy".*--max-disruption = "replace"/);
  const allowed = await xenform(['--chdir', dir, 'plan', '--destroy', '--max-disruption', 'destroy']);
  t.equal(allowed.code, 0, allowed.stderr);
  t.match(allowed.stdout, /1 to destroy/);
});

t.test('plan --out refuses to overwrite a configuration or state file', async (t) => {
  for (const file of ['main.xf.hcl', 'prod.xfvars.hcl', 'web.auto.xfvars.hcl', 'xenform.state.json']) {
    const dir = t.testdir({ 'main.xf.hcl': CONFIG, 'prod.xfvars.hcl': 'memory = "1GiB"\n', 'web.auto.xfvars.hcl': 'memory = "1GiB"\n', 'xenform.state.json': '{}\n' });
    const before = fs.readFileSync(path.join(dir, file), 'utf8');
    const r = await xenform(['--chdir', dir, 'plan', '--out', file]);
    t.equal(r.code, 1, `${file}: exit 1`);
    oneLineAndUsage(t, r.stderr, new RegExp(`--out ${file.replace(/\./g, '\\.')} would overwrite`), 'plan');
    t.equal(fs.readFileSync(path.join(dir, file), 'utf8'), before, `${file} is untouched`);
  }
});

t.test('conflicting flags are refused with a message that names both', async (t) => {
  const cases = [
    { argv: ['plan', '--json', '--markdown'], command: 'plan', line: /--json.*--markdown/ },
    { argv: ['show', '--json', '--markdown'], command: 'show', line: /--json.*--markdown/ },
    { argv: ['plan', '--destroy', '--refresh-only'], command: 'plan', line: /--destroy.*--refresh-only|--refresh-only.*--destroy/ },
    { argv: ['plan', '--refresh-only', '--refresh=false'], command: 'plan', line: /--refresh-only.*--refresh=false/ },
    { argv: ['destroy', '--refresh-only'], command: 'destroy', line: /destroy.*--refresh-only/ },
    { argv: ['apply', '--destroy', 'saved.xfplan'], command: 'apply', line: /--destroy cannot be used with the saved plan saved\.xfplan/ },
    { argv: ['apply', 'saved.xfplan', '--target', 'vm.web'], command: 'apply', line: /--target.*saved plan/ },
    { argv: ['graph', 'saved.xfplan', '--max-disruption', 'none'], command: 'graph', line: /--max-disruption.*saved plan/ },
  ];
  for (const c of cases) {
    const dir = t.testdir({ 'main.xf.hcl': CONFIG, 'saved.xfplan': '{}' });
    const r = await xenform(['--chdir', dir, ...c.argv]);
    t.equal(r.code, 1, `${c.argv.join(' ')}: exit 1`);
    t.equal(r.stdout, '', `${c.argv.join(' ')}: nothing planned or shown`);
    oneLineAndUsage(t, r.stderr, c.line, c.command);
    t.notOk(fs.existsSync(path.join(dir, 'xenform.state.json')), 'nothing was applied');
  }
});

t.test("Terraform's single-dash spellings mean the same as the double-dash ones", async (t) => {
  const dir = t.testdir({ 'main.xf.hcl': CONFIG });
  const same = [
    { single: ['-chdir=DIR', 'plan', '-var', 'memory=2GiB', '-no-color'], double: ['--chdir', 'DIR', 'plan', '--var', 'memory=2GiB', '--no-color'] },
    { single: ['plan', '-chdir=DIR', '-var=memory=2GiB', '-json'], double: ['--chdir', 'DIR', 'plan', '--var=memory=2GiB', '--json'] },
    { single: ['-chdir=DIR', 'plan', '-target=vm.web', '-refresh=false', '-lock-timeout=5s', '-detailed-exitcode'], double: ['--chdir=DIR', 'plan', '--target=vm.web', '--refresh=false', '--lock-timeout=5s', '--detailed-exitcode'] },
    { single: ['-chdir=DIR', 'plan', '-var-file=vars.xfvars.hcl', '-max-disruption=none', '-replace=vm.web'], double: ['--chdir=DIR', 'plan', '--var-file=vars.xfvars.hcl', '--max-disruption=none', '--replace=vm.web'] },
    { single: ['-chdir=DIR', 'validate', '-json'], double: ['--chdir=DIR', 'validate', '--json'] },
  ];
  fs.writeFileSync(path.join(dir, 'vars.xfvars.hcl'), 'memory = "3GiB"\n');
  for (const c of same) {
    const fill = (argv: string[]) => argv.map((a) => a.replace('DIR', dir));
    // Each plan without a state is made against a new lineage: that uuid differs, nothing else.
    const run = async (argv: string[]) => {
      const r = await xenform(fill(argv));
      return { ...r, stdout: r.stdout.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'UUID') };
    };
    const single = await run(c.single);
    const double = await run(c.double);
    t.same(single, double, c.single.join(' '));
    t.not(double.code, 1, `${c.double.join(' ')} succeeds: ${double.stderr}`);
  }

  const apply = await xenform([`-chdir=${dir}`, 'apply', '-auto-approve', '-parallelism=2', '-replace=vm.web', '-out=x']);
  t.equal(apply.code, 1, 'an option apply does not have is still refused');
  t.match(apply.stderr, /unknown option '--out=x'/);
  const applied = await xenform([`-chdir=${dir}`, 'apply', '-auto-approve', '-parallelism=2']);
  t.equal(applied.code, 0, applied.stderr);
  const after = await xenform(['plan', `-chdir=${dir}`, '-refresh-only', '-detailed-exitcode']);
  t.equal(after.code, 0, `nothing drifted: ${after.stderr}`);
  const saved = await xenform([`-chdir=${dir}`, 'plan', '-destroy', '-out=gone.xfplan']);
  t.equal(saved.code, 0, saved.stderr);
  t.ok(fs.existsSync(path.join(dir, 'gone.xfplan')), '-out=FILE saved the plan');
  const destroyed = await xenform([`-chdir=${dir}`, 'destroy', '-auto-approve']);
  t.equal(destroyed.code, 0, destroyed.stderr);
  t.match(destroyed.stdout, /Destroy complete! Resources: 1 destroyed\./);
});

t.test("Terraform's commands that xenform does without are answered with what to use instead", async (t) => {
  const dir = t.testdir({ 'main.xf.hcl': CONFIG });
  const cases = [
    { argv: ['init'], code: 0, line: /state is kept locally \(xenform\.state\.json .*nothing to initialise/ },
    { argv: ['init', '-upgrade', '-input=false'], code: 0, line: /nothing to initialise/ },
    { argv: ['refresh'], code: 1, line: /xenform has no refresh command: use `xenform apply --refresh-only`/ },
    { argv: ['taint', 'vm.web[0]'], code: 1, line: /xenform has no taint command: use `xenform apply --replace vm\.web\[0\]`/ },
    { argv: ['taint'], code: 1, line: /xenform has no taint command: use `xenform apply --replace ADDR`/ },
    { argv: ['untaint', 'vm.web'], code: 1, line: /xenform has no untaint command: .*--replace/ },
    { argv: ['workspace', 'select', 'prod'], code: 1, line: /xenform has no workspaces: .*--chdir/ },
    { argv: ['providers'], code: 1, line: /xenform has no providers command: / },
    { argv: ['login'], code: 1, line: /xenform has no login command: .*SSH/ },
  ];
  for (const c of cases) {
    const r = await xenform(['--chdir', dir, ...c.argv]);
    t.equal(r.code, c.code, `${c.argv.join(' ')}: exit ${c.code}`);
    const text = (r.stdout + r.stderr).trimEnd();
    t.equal(text.split('\n').length, 1, `${c.argv.join(' ')}: one line, not the help:\n${text}`);
    t.match(text, c.line);
  }
  const help = await xenform(['--help']);
  t.notMatch(help.stdout, /taint|refresh /, 'the help lists only the commands xenform has');
});
