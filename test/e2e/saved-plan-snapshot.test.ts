// A saved plan carries the configuration it was made from: applying it evaluates hosts, VMs
// and outputs from that snapshot, never from the working directory as it is now.
import t from 'tap';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exampleCopy, xenform } from './cli.js';

function edit(dir: string, from: string, to: string): void {
  const file = path.join(dir, 'main.xf.hcl');
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`fixture does not contain ${from}`);
  writeFileSync(file, text.replace(from, to));
}

interface StateFile {
  resources: { address: string; uuid: string; attributes: { memory: { static_max: number }; vcpus: number } }[];
  outputs: Record<string, { value: unknown }>;
}
const readState = (dir: string): StateFile => JSON.parse(readFileSync(path.join(dir, 'xenform.state.json'), 'utf8')) as StateFile;
const uuidOf = (s: StateFile, address: string) => s.resources.find((r) => r.address === address)?.uuid;

const GiB = 1024 ** 3;

t.test('a saved plan applies the configuration it was made from, and says which files changed since', async (t) => {
  const cases: { name: string; setup?: (dir: string) => void; change: (dir: string) => void; changed: RegExp }[] = [
    {
      name: 'the memory of a VM was edited after planning',
      change: (dir) => edit(dir, 'memory      = "1GiB"', 'memory      = "4GiB"'),
      changed: /main\.xf\.hcl/,
    },
    {
      name: 'the configuration file was deleted after planning',
      change: (dir) => rmSync(path.join(dir, 'main.xf.hcl')),
      changed: /main\.xf\.hcl/,
    },
    {
      name: 'the output was pointed at another VM after planning',
      change: (dir) => edit(dir, 'value = vm.web.uuid', 'value = vm.installer.uuid'),
      changed: /main\.xf\.hcl/,
    },
    {
      name: 'a file the configuration reads with file() was deleted after planning',
      setup: (dir) => {
        writeFileSync(path.join(dir, 'installer-order.txt'), 'dc');
        edit(dir, 'order = "dc"', 'order = file("installer-order.txt")');
      },
      change: (dir) => rmSync(path.join(dir, 'installer-order.txt')),
      changed: /installer-order\.txt/,
    },
  ];
  for (const c of cases) {
    await t.test(c.name, async (t) => {
      const dir = exampleCopy('quickstart', t.teardown);
      c.setup?.(dir);
      const plan = xenform(dir, ['plan', '--out', 'tonight.xfplan']);
      t.equal(plan.code, 0, plan.stderr);
      c.change(dir);

      const apply = xenform(dir, ['apply', 'tonight.xfplan']);
      t.equal(apply.code, 0, `the saved plan applies: ${apply.stderr}`);
      t.match(apply.stdout, /changed since the plan was made/, 'apply notes that the configuration changed');
      t.match(apply.stdout, c.changed, 'and names the changed file');
      const state = readState(dir);
      const web = state.resources.find((r) => r.address === 'vm.web');
      t.equal(web?.attributes.memory.static_max, 1 * GiB, 'vm.web has the memory that was planned');
      t.equal(state.outputs.web_uuid?.value, uuidOf(state, 'vm.web'), "the output holds the new VM's uuid, as planned");
    });
  }
});

t.test('an unchanged configuration gives no note', async (t) => {
  const dir = exampleCopy('quickstart', t.teardown);
  t.equal(xenform(dir, ['plan', '--out', 'tonight.xfplan']).code, 0);
  const apply = xenform(dir, ['apply', 'tonight.xfplan']);
  t.equal(apply.code, 0, apply.stderr);
  t.notMatch(apply.stdout, /changed since the plan was made/);
  const state = readState(dir);
  t.equal(state.outputs.web_uuid?.value, uuidOf(state, 'vm.web'), "the output that needed the new VM's uuid is recorded");
});

const VARIABLES = `
variable "web_memory" {
  type = string
}

variable "web_vcpus" {
  type = number
}
`;

t.test('a saved plan keeps the variable values it was made with', async (t) => {
  const dir = exampleCopy('quickstart', t.teardown);
  writeFileSync(path.join(dir, 'variables.xf.hcl'), VARIABLES);
  edit(dir, 'memory      = "1GiB"', 'memory      = var.web_memory');
  edit(dir, 'vcpus       = 2\n\n  disk "data"', 'vcpus       = var.web_vcpus\n\n  disk "data"');
  writeFileSync(path.join(dir, 'big.xfvars.hcl'), 'web_memory = "3GiB"\n');

  const plan = xenform(dir, ['plan', '--var-file', 'big.xfvars.hcl', '--out', 'tonight.xfplan'], { XF_VAR_web_vcpus: '3' });
  t.equal(plan.code, 0, plan.stderr);
  t.equal(statSync(path.join(dir, 'tonight.xfplan')).mode & 0o777, 0o600, 'the plan file, which holds the values, is private');
  rmSync(path.join(dir, 'big.xfvars.hcl'));

  const apply = xenform(dir, ['apply', 'tonight.xfplan']);
  t.equal(apply.code, 0, `applied without the var file or the environment variable: ${apply.stderr}`);
  t.match(apply.stdout, /big\.xfvars\.hcl/, 'the note names the var file that is gone');
  const web = readState(dir).resources.find((r) => r.address === 'vm.web');
  t.equal(web?.attributes.memory.static_max, 3 * GiB, 'with the memory from the var file');
  t.equal(web?.attributes.vcpus, 3, 'and the vcpus from XF_VAR_web_vcpus');

  const withVar = xenform(dir, ['apply', 'tonight.xfplan', '--var', 'web_vcpus=4']);
  t.equal(withVar.code, 1, 'variables cannot be given to a saved plan');
  t.match(withVar.stderr, /--var cannot be used with the saved plan tonight\.xfplan/);
});

t.test('the snapshot stays in the saved plan file: show and the plan JSON leave it out', async (t) => {
  const dir = exampleCopy('quickstart', t.teardown);
  writeFileSync(path.join(dir, 'variables.xf.hcl'), 'variable "token" {\n  type      = string\n  sensitive = true\n}\n');
  const plan = xenform(dir, ['plan', '--json', '--out', 'tonight.xfplan', '--var', 'token=secret-value'], { XF_VAR_other: 'env-secret' });
  t.equal(plan.code, 0, plan.stderr);
  t.notMatch(plan.stdout, /configuration_snapshot|simulator = true|secret/, 'plan --json has no configuration files or values');
  const saved = readFileSync(path.join(dir, 'tonight.xfplan'), 'utf8');
  t.match(saved, /configuration_snapshot/, 'the saved plan carries the snapshot');
  for (const args of [['show', 'tonight.xfplan'], ['show', '--json', 'tonight.xfplan'], ['show', '--markdown', 'tonight.xfplan']]) {
    const shown = xenform(dir, args);
    t.equal(shown.code, 0, shown.stderr);
    t.notMatch(shown.stdout, /configuration_snapshot|simulator = true|secret/, `${args.join(' ')} prints no file contents or values`);
  }
});
