// Local modules: the VMs a module call adds and their addresses, what flows in (variables, the
// host) and out (outputs), and the mistakes a user can make in a call.
import t from 'tap';
import { errors, load, HOST } from './support.js';

const APP = `variable "host" {}
variable "size" {
  type    = number
  default = 1
  validation {
    condition     = var.size < 5
    error_message = "At most 4 replicas."
  }
}

vm "app" {
  count    = var.size
  host     = var.host
  template = "Debian"
  memory   = "1GiB"
  name     = "app-\${var.size}-\${count.index}"
  description = path.module
}

output "names" {
  value = vm.app[*].name
}
`;

const root = (calls: string, extra: Record<string, string> = {}) => ({ 'main.xf.hcl': `${HOST}${calls}`, 'modules/app/main.xf.hcl': APP, ...extra });

const addressCases: [name: string, calls: string, want: string[]][] = [
  ['a single call puts its VMs under module.NAME', 'module "web" {\n  source = "./modules/app"\n  host   = host.lab\n}\n', ['module.web.vm.app[0]']],
  [
    'a counted call puts them under module.NAME[INDEX]',
    'module "web" {\n  source = "./modules/app"\n  count  = 2\n  host   = host.lab\n  size   = count.index + 1\n}\n',
    ['module.web[0].vm.app[0]', 'module.web[1].vm.app[0]', 'module.web[1].vm.app[1]'],
  ],
  [
    'a for_each call puts them under module.NAME["KEY"]',
    'module "web" {\n  source   = "./modules/app"\n  for_each = { a = 1, b = 2 }\n  host     = host.lab\n  size     = each.value\n}\n',
    ['module.web["a"].vm.app[0]', 'module.web["b"].vm.app[0]', 'module.web["b"].vm.app[1]'],
  ],
  [
    'a module used twice gives each call its own VMs',
    'module "web" {\n  source = "./modules/app"\n  host   = host.lab\n}\nmodule "api" {\n  source = "./modules/app"\n  host   = host.lab\n  size   = 2\n}\n',
    ['module.api.vm.app[0]', 'module.api.vm.app[1]', 'module.web.vm.app[0]'],
  ],
];
for (const [name, calls, want] of addressCases) {
  t.test(name, async (t) => {
    const r = load(root(calls));
    t.same(errors(r), []);
    t.same(r.config!.vms.map((v) => v.address).sort(), want);
    t.ok(r.config!.vms.every((v) => v.host === 'lab'), 'the host passed in is the VMs\' host');
  });
}

t.test('nested modules put their VMs under each level', async (t) => {
  const r = load({
    'main.xf.hcl': `${HOST}module "site" {\n  source   = "./modules/site"\n  for_each = toset(["x"])\n  host     = host.lab\n}\n`,
    'modules/site/main.xf.hcl': 'variable "host" {}\nmodule "web" {\n  source = "../app"\n  count  = 1\n  host   = var.host\n}\noutput "inner" {\n  value = module.web[0].names\n}\n',
    'modules/app/main.xf.hcl': APP,
  });
  t.same(errors(r), []);
  t.same(
    r.config!.vms.map((v) => [v.address, v.attributes.description]),
    [['module.site["x"].module.web[0].vm.app[0]', 'modules/app']],
  );
});

t.test('outputs of a call reach the caller as module.NAME.OUTPUT, and the caller depends on its VMs', async (t) => {
  const r = load(
    root(
      'module "web" {\n  source = "./modules/app"\n  host   = host.lab\n  size   = 2\n}\nvm "lb" {\n  host        = host.lab\n  template    = "Debian"\n  memory      = "1GiB"\n  description = join(",", module.web.names)\n}\noutput "web" {\n  value = module.web.names\n}\n',
    ),
  );
  t.same(errors(r), []);
  const lb = r.config!.vms.find((v) => v.address === 'vm.lb')!;
  t.equal(lb.attributes.description, 'app-2-0,app-2-1');
  t.same(lb.depends_on.sort(), ['module.web.vm.app[0]', 'module.web.vm.app[1]']);
  t.same(r.config!.outputs.find((o) => o.name === 'web')?.value, ['app-2-0', 'app-2-1']);
});

t.test('a call that depends on a VM makes every VM inside depend on it', async (t) => {
  const r = load(
    root('vm "db" {\n  host     = host.lab\n  template = "Debian"\n  memory   = "1GiB"\n}\nmodule "web" {\n  source     = "./modules/app"\n  host       = host.lab\n  depends_on = [vm.db]\n}\n'),
  );
  t.same(errors(r), []);
  t.same(r.config!.vms.find((v) => v.address === 'module.web.vm.app[0]')?.depends_on, ['vm.db']);
});

t.test('a module\'s files are read and named relative to the root', async (t) => {
  const r = load(root('module "web" {\n  source = "./modules/app"\n  host   = host.lab\n}\n'));
  t.same(Object.keys(r.files).sort(), ['main.xf.hcl', 'modules/app/main.xf.hcl']);
});

const mistakes: [name: string, calls: string, want: string][] = [
  [
    'a registry source is refused, naming the source and where',
    'module "web" {\n  source = "hashicorp/consul/aws"\n}\n',
    'main.xf.hcl:6:12: Unsupported module source: Module "web" has source "hashicorp/consul/aws" (at main.xf.hcl:6,12), which is not a local path.',
  ],
  [
    'a git source is refused',
    'module "web" {\n  source = "git::https://example.com/vpc.git"\n}\n',
    'main.xf.hcl:6:12: Unsupported module source: Module "web" has source "git::https://example.com/vpc.git"',
  ],
  ['a source built from a variable is refused', 'variable "d" {\n  default = "./modules/app"\n}\nmodule "web" {\n  source = var.d\n}\n', 'main.xf.hcl:9:12: Invalid module source'],
  ['a missing module directory is refused at the source', 'module "web" {\n  source = "./modules/none"\n}\n', 'main.xf.hcl:6:12: Cannot read the module directory: modules/none: no such directory.'],
  ['a call without source is refused', 'module "web" {\n  host = host.lab\n}\n', 'main.xf.hcl:5:1: Missing required argument: The argument "source" is required'],
  [
    'an argument the module does not declare is refused with a suggestion',
    'module "web" {\n  source = "./modules/app"\n  host   = host.lab\n  sise   = 2\n}\n',
    'main.xf.hcl:8:3: Unsupported argument: An argument named "sise" is not expected here: the module at modules/app declares no variable "sise". Did you mean "size"?',
  ],
  [
    'a required variable the call does not set is reported at the call',
    'module "web" {\n  source = "./modules/app"\n}\n',
    'main.xf.hcl:5:1: No value for required variable: The input variable "host" is not set, and has no default value. The module call at main.xf.hcl:5,1 must set host = ….',
  ],
  [
    'a value the module\'s validation refuses is reported at the argument',
    'module "web" {\n  source = "./modules/app"\n  host   = host.lab\n  size   = 9\n}\n',
    'main.xf.hcl:8:12: Invalid value for variable: At most 4 replicas.',
  ],
  [
    'a value of the wrong type is reported at the argument',
    'module "web" {\n  source = "./modules/app"\n  host   = host.lab\n  size   = "many"\n}\n',
    'main.xf.hcl:8:12: Invalid value for input variable: The value for var.size given by the module call at main.xf.hcl:5,1',
  ],
  ['a reference to an undeclared module is refused', 'output "x" {\n  value = module.nope.names\n}\n', 'main.xf.hcl:6:11: Reference to undeclared module'],
  ['a module that calls itself is refused', 'module "web" {\n  source = "./"\n}\n', 'main.xf.hcl:6:12: Module calls itself'],
  ['a version argument is refused', 'module "web" {\n  source  = "./modules/app"\n  version = "1.0"\n  host    = host.lab\n}\n', 'main.xf.hcl:7:3: Unsupported argument: "version" is not supported in a module block'],
];
for (const [name, calls, want] of mistakes) {
  t.test(name, async (t) => {
    const r = load(root(calls));
    const errs = errors(r);
    t.ok(
      errs.some((e) => e.startsWith(want)),
      `${want} in ${JSON.stringify(errs)}`,
    );
    t.equal(r.config, null);
  });
}

t.test('a host block inside a module is refused where it stands', async (t) => {
  const r = load(root('module "web" {\n  source = "./modules/app"\n  host   = host.lab\n}\n', { 'modules/app/host.xf.hcl': HOST }));
  t.ok(errors(r).some((e) => e.startsWith('modules/app/host.xf.hcl:1:1: Host block in a module')), JSON.stringify(errors(r)));
});

t.test('a mistake inside a module is reported at the module file\'s line and column', async (t) => {
  const r = load(root('module "web" {\n  source = "./modules/app"\n  host   = host.lab\n}\n', { 'modules/app/extra.xf.hcl': 'vm "bad" {\n  host   = var.host\n  memory = "lots"\n}\n' }));
  t.ok(errors(r).some((e) => e.startsWith('modules/app/extra.xf.hcl:3:12: ')), JSON.stringify(errors(r)));
});

t.test('a sensitive value stays sensitive across the module boundary, both ways', async (t) => {
  const files = {
    'main.xf.hcl': `${HOST}variable "secret" {\n  sensitive = true\n  default   = "s3cret"\n}\nmodule "web" {\n  source = "./modules/sec"\n  host   = host.lab\n  note   = var.secret\n}\noutput "leak" {\n  value = module.web.token\n}\n`,
    'modules/sec/main.xf.hcl':
      'variable "host" {}\nvariable "note" {}\nvm "app" {\n  host        = var.host\n  template    = "Debian"\n  memory      = "1GiB"\n  description = var.note\n}\noutput "token" {\n  value     = "t-${var.note}"\n  sensitive = true\n}\n',
  };
  const r = load(files);
  t.ok(
    errors(r).some((e) => e.startsWith('main.xf.hcl:15:11: Output refers to sensitive values')),
    `an output of a sensitive module output must say sensitive: ${JSON.stringify(errors(r))}`,
  );
  const fixed = load({ ...files, 'main.xf.hcl': files['main.xf.hcl'].replace('value = module.web.token', 'value     = module.web.token\n  sensitive = true') });
  t.same(errors(fixed), []);
  t.same(fixed.config!.vms[0].sensitive_paths, ['description'], 'a VM inside masks what derives from a sensitive input');
});

t.test('a host passed in by name works as well as a host reference, whatever the file order', async (t) => {
  const r = load({
    'a.xf.hcl': 'module "web" {\n  source = "./modules/app"\n  host   = "lab"\n}\n',
    'b.xf.hcl': HOST,
    'modules/app/main.xf.hcl': APP,
  });
  t.same(errors(r), []);
  t.same(
    r.config!.vms.map((v) => [v.address, v.host]),
    [['module.web.vm.app[0]', 'lab']],
  );
});

t.test('moved, import and removed blocks in a module are relative to each instance of it', async (t) => {
  const blocks =
    'moved {\n  from = vm.old\n  to   = vm.app\n}\nimport {\n  to = vm.app[0]\n  id = "uuid-${var.size}"\n}\nremoved {\n  from = vm.gone\n  lifecycle {\n    destroy = false\n  }\n}\n';
  const r = load(root('module "web" {\n  source   = "./modules/app"\n  for_each = { a = 1, b = 2 }\n  host     = host.lab\n  size     = each.value\n}\n', { 'modules/app/refactor.xf.hcl': blocks }));
  t.same(errors(r), []);
  t.same(
    r.config!.imports!.map((i) => [i.to, i.id]),
    [
      ['module.web["a"].vm.app[0]', 'uuid-1'],
      ['module.web["b"].vm.app[0]', 'uuid-2'],
    ],
  );
  t.same(r.config!.moved!.map((m) => [m.from, m.to]), [
    ['module.web["a"].vm.old', 'module.web["a"].vm.app'],
    ['module.web["b"].vm.old', 'module.web["b"].vm.app'],
  ]);
  t.same(r.config!.removed!.map((m) => [m.from, m.destroy]), [
    ['module.web["a"].vm.gone', false],
    ['module.web["b"].vm.gone', false],
  ]);
});

t.test('the postconditions and check blocks of a module are kept for after apply, under its VMs\' addresses', async (t) => {
  const checks =
    'check "up" {\n  assert {\n    condition     = var.size > 0\n    error_message = "No replicas."\n  }\n}\n';
  const post = APP.replace('  description = path.module\n', '  description = path.module\n  lifecycle {\n    postcondition {\n      condition     = self.power_state == "running"\n      error_message = "Not running."\n    }\n  }\n');
  const r = load({ ...root('module "web" {\n  source = "./modules/app"\n  host   = host.lab\n}\n'), 'modules/app/main.xf.hcl': post, 'modules/app/checks.xf.hcl': checks });
  t.same(errors(r), []);
  t.same([...r.config!.conditions!.postconditions.keys()], ['module.web.vm.app[0]']);
  t.equal(r.config!.conditions!.checks.length, 1);
});

t.test('a sensitive value as a module call\'s for_each is refused: it would be shown as instance keys', async (t) => {
  const r = load(root('variable "keys" {\n  sensitive = true\n  default   = ["a"]\n}\nmodule "web" {\n  source   = "./modules/app"\n  for_each = toset(var.keys)\n  host     = host.lab\n}\n'));
  t.ok(errors(r).some((e) => e.startsWith('main.xf.hcl:11:14: Invalid for_each argument')), JSON.stringify(errors(r)));
});
