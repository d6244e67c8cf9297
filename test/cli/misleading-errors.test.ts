// The README's promise: a mistake gets one clear error that says what and where, never a
// silent wrong meaning ("memory = 1024" as 1024 bytes) or a false "No changes".
import fs from 'node:fs';
import t from 'tap';
import { xenform } from '../support/cli-io.js';
import { writeDir } from '../support/files.js';
import { HOST } from '../planner/config/support.js';

const vm = (memory: string, extra = ''): string =>
  `${HOST}${extra}vm "web" {\n  host     = host.lab\n  template = "Debian Bookworm 12"\n  memory   = ${memory}\n}\n`;

const VALIDATED = 'variable "mem" {\n  type    = string\n  default = "1GiB"\n  validation {\n    condition     = endswith(var.mem, "GiB")\n    error_message = "Memory must be in GiB."\n  }\n}\n';

const cases: { name: string; config: string; args: string[]; stderr: (string | RegExp)[]; absent?: string }[] = [
  { name: 'a size without a unit is refused with the unit it probably meant', config: vm('1024'), args: [], stderr: ['main.xf.hcl:8:14', 'has no unit', '"1024MiB"'] },
  { name: 'a size string without a unit is refused too', config: vm('"2048"'), args: [], stderr: ['main.xf.hcl:8:14', '"2048MiB"'] },
  { name: 'memory under 16 MiB is refused', config: vm('"8MiB"'), args: [], stderr: ['main.xf.hcl:8:14', 'below the smallest allowed, 16MiB'] },
  { name: 'GB suggests GiB', config: vm('"2GB"'), args: [], stderr: ['main.xf.hcl:8:14', 'did you mean "2GiB"?'] },
  { name: 'MB suggests MiB', config: vm('"512MB"'), args: [], stderr: ['did you mean "512MiB"?'] },
  {
    name: 'a failed variable validation is one error, not a second one about values known after apply',
    config: vm('var.mem', VALIDATED),
    args: ['--var', 'mem=512MiB'],
    stderr: ['Memory must be in GiB.'],
    absent: 'known only after apply',
  },
  { name: '--target of an address that does not exist is refused with a did-you-mean', config: vm('"1GiB"'), args: ['--target', 'vm.wbe'], stderr: ['--target vm.wbe', 'Did you mean vm.web?'] },
  { name: '--replace of an address that does not exist is refused with a did-you-mean', config: vm('"1GiB"'), args: ['--replace', 'vm.web[0]'], stderr: ['--replace vm.web[0]', 'Did you mean vm.web?'] },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const dir = writeDir({ 'main.xf.hcl': c.config });
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
    const r = await xenform(['--chdir', dir, 'plan', ...c.args], { env: { NO_COLOR: '1' }, cwd: '/' });
    t.equal(r.code, 1, 'the plan fails');
    t.notMatch(r.stdout, 'No changes');
    for (const s of c.stderr) t.match(r.stderr, s);
    if (c.absent) t.notMatch(r.stderr, c.absent);
  });
}

t.test('a plan with --json reports a bad --target as an error, with the did-you-mean', async (t) => {
  const dir = writeDir({ 'main.xf.hcl': vm('"1GiB"') });
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const r = await xenform(['--chdir', dir, 'plan', '--json', '--target', 'vm.wbe'], { env: { NO_COLOR: '1' }, cwd: '/' });
  t.equal(r.code, 1);
  t.equal(r.stdout, '', 'no plan is printed');
  t.match(JSON.parse(r.stderr).errors, ['--target vm.wbe: no VM with this address is in the configuration or the state. Did you mean vm.web?']);
});
