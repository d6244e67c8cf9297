// Input variables: declarations, every source of values, Terraform's precedence, validation.
import t from 'tap';
import { errors, load, warnings } from './support.js';

const decl = `
variable "size" {
  type    = string
  default = "from-default"
}
output "size" {
  value = var.size
}
`;

const valueOf = (r: ReturnType<typeof load>, name = 'size') => r.config?.outputs.find((o) => o.name === name)?.value;

const precedence: [string, Record<string, string>, Parameters<typeof load>[1], unknown][] = [
  ['the default applies when nothing is given', {}, {}, 'from-default'],
  ['an environment variable beats the default', {}, { env: { XF_VAR_size: 'env' } }, 'env'],
  ['an auto file beats the environment', { 'a.auto.xfvars.hcl': 'size = "auto-a"\n' }, { env: { XF_VAR_size: 'env' } }, 'auto-a'],
  ['auto files apply in lexical order', { 'b.auto.xfvars.hcl': 'size = "auto-b"\n', 'a.auto.xfvars.hcl': 'size = "auto-a"\n' }, {}, 'auto-b'],
  ['a var file beats auto files', { 'a.auto.xfvars.hcl': 'size = "auto"\n', 'x.xfvars.hcl': 'size = "file"\n' }, { varFiles: ['x.xfvars.hcl'] }, 'file'],
  ['later var files beat earlier ones', { 'x.xfvars.hcl': 'size = "x"\n', 'y.xfvars.hcl': 'size = "y"\n' }, { varFiles: ['x.xfvars.hcl', 'y.xfvars.hcl'] }, 'y'],
  ['--var beats every file', { 'x.xfvars.hcl': 'size = "file"\n' }, { varFiles: ['x.xfvars.hcl'], vars: { size: 'cli' } }, 'cli'],
];

for (const [name, files, opts, expected] of precedence) {
  t.test(name, async (t) => {
    const r = load({ 'main.xf.hcl': decl, ...files }, opts);
    t.same(errors(r), []);
    t.equal(valueOf(r), expected);
  });
}

t.test('values of complex types given as text are parsed as HCL', async (t) => {
  const r = load(
    {
      'main.xf.hcl': `
variable "tags" {
  type = list(string)
}
variable "n" {
  type = number
}
output "size" {
  value = [var.tags, var.n + 1]
}
`,
    },
    { vars: { tags: '["a", "b"]' }, env: { XF_VAR_n: '41' } },
  );
  t.same(errors(r), []);
  t.same(valueOf(r), [['a', 'b'], 42]);
});

t.test('object types apply optional attribute defaults', async (t) => {
  const r = load({
    'main.xf.hcl': `
variable "vm" {
  type = object({
    name = string
    cpus = optional(number, 2)
    tags = optional(list(string))
  })
  default = { name = "web" }
}
output "size" {
  value = var.vm
}
`,
  });
  t.same(errors(r), []);
  t.same(valueOf(r), { name: 'web', cpus: 2, tags: null });
});

t.test('sensitive variables are recorded as such', async (t) => {
  const r = load({ 'main.xf.hcl': 'variable "pw" {\n  default   = "s3cret"\n  sensitive = true\n}\n' });
  t.same(r.config?.variables, { pw: { value: 's3cret', sensitive: true } });
});

const failures: [string, Record<string, string>, Parameters<typeof load>[1], string[], string[]][] = [
  [
    'a required variable without a value is named',
    { 'main.xf.hcl': 'variable "region" {\n  type = string\n}\n' },
    {},
    [
      'main.xf.hcl:1:1: No value for required variable: The input variable "region" is not set, and has no default value. Use a --var or --var-file command line argument, a *.auto.xfvars.hcl file or the XF_VAR_region environment variable to provide a value for this variable.',
    ],
    [],
  ],
  [
    'an undeclared --var is an error',
    { 'main.xf.hcl': decl },
    { vars: { sise: '1' } },
    [
      'Value for undeclared variable: A variable named "sise" was assigned on the command line, but the configuration does not declare a variable of that name. Did you mean "size"? To use this value, add a "variable" block to the configuration.',
    ],
    [],
  ],
  [
    'an undeclared variable in a file is a warning',
    { 'main.xf.hcl': decl, 'a.auto.xfvars.hcl': 'other = 1\n' },
    {},
    [],
    [
      'a.auto.xfvars.hcl:1:9: Value for undeclared variable: The configuration does not declare a variable named "other" but a value was found in file "a.auto.xfvars.hcl". If you meant to use this value, add a "variable" block to the configuration.',
    ],
  ],
  ['an undeclared environment variable is ignored', { 'main.xf.hcl': decl }, { env: { XF_VAR_other: '1' } }, [], []],
  [
    'a value of the wrong type says what was expected',
    { 'main.xf.hcl': 'variable "n" {\n  type = number\n}\n', 'a.auto.xfvars.hcl': 'n = "many"\n' },
    {},
    [
      'a.auto.xfvars.hcl:1:5: Invalid value for input variable: The value for var.n given by file "a.auto.xfvars.hcl" is not suitable for the variable declared at main.xf.hcl:1,10: cannot convert "many" to number; given string must be a decimal representation of a number.',
    ],
    [],
  ],
  [
    'a failed validation shows its error message',
    {
      'main.xf.hcl': `variable "count_of" {
  type = number
  validation {
    condition     = var.count_of <= 10
    error_message = "At most 10 VMs, please."
  }
}
`,
    },
    { vars: { count_of: '11' } },
    ['main.xf.hcl:4:21: Invalid value for variable: At most 10 VMs, please.\n\nThis was checked by the validation rule at main.xf.hcl:4,21.'],
    [],
  ],
  [
    'a default that does not fit the type is refused',
    { 'main.xf.hcl': 'variable "n" {\n  type    = number\n  default = "x"\n}\n' },
    {},
    [
      `main.xf.hcl:3:13: Invalid default value for variable: This default value is not compatible with the variable's type constraint: cannot convert "x" to number; given string must be a decimal representation of a number.`,
    ],
    [],
  ],
  [
    'a variable default may not refer to other values',
    { 'main.xf.hcl': 'variable "n" {\n  default = var.m\n}\n' },
    {},
    ['main.xf.hcl:2:13: Variables not allowed: Variables may not be used here.'],
    [],
  ],
  [
    'an unknown type keyword is refused',
    { 'main.xf.hcl': 'variable "n" {\n  type = strin\n  default = "x"\n}\n' },
    {},
    ['main.xf.hcl:2:10: Invalid type specification: The keyword "strin" is not a valid type specification.'],
    [],
  ],
];

for (const [name, files, opts, expectedErrors, expectedWarnings] of failures) {
  t.test(name, async (t) => {
    const r = load(files, opts);
    t.same(errors(r), expectedErrors);
    t.same(warnings(r), expectedWarnings);
  });
}

t.test('without an explicit environment, XF_VAR_ variables come from the process', async (t) => {
  process.env.XF_VAR_size = 'from-process';
  t.teardown(() => {
    delete process.env.XF_VAR_size;
  });
  const r = load({ 'main.xf.hcl': decl }, { env: undefined });
  t.equal(valueOf(r), 'from-process');
});

const secret = `
variable "password" {
  default   = "hunter2"
  sensitive = true
}
locals {
  conn = "user:\${var.password}"
  safe = "x"
}
host "lab" {
  simulator = true
  toolstack = "xapi"
}
`;

t.test('vm attributes derived from sensitive variables are listed as sensitive', async (t) => {
  const r = load({
    'main.xf.hcl': `${secret}vm "web" {\n  host = host.lab\n  template = local.safe\n  memory = "1GiB"\n  other_config = { conn = local.conn }\n  boot {\n    args = "pw=\${length(var.password)}"\n  }\n}\n`,
  });
  t.same(errors(r), []);
  t.same(r.config!.vms[0].sensitive_paths, ['other_config', 'boot.args']);
});

t.test('an output derived from a sensitive variable must be marked sensitive', async (t) => {
  const r = load({ 'main.xf.hcl': `${secret}output "conn" {\n  value = local.conn\n}\noutput "ok" {\n  value     = local.conn\n  sensitive = true\n}\n` });
  t.same(errors(r), [
    'main.xf.hcl:15:11: Output refers to sensitive values: To reduce the risk of accidentally exporting sensitive data, an output whose value derives from a sensitive variable must be marked as sensitive, to confirm your intent. If you do intend to export this data, add sensitive = true to the output block.',
  ]);
});

t.test('a sensitive value cannot choose for_each instance keys', async (t) => {
  const r = load({ 'main.xf.hcl': `${secret}vm "web" {\n  for_each = toset([var.password])\n  host = host.lab\n  template = "t"\n  memory = "1GiB"\n}\n` });
  t.same(errors(r), [
    'main.xf.hcl:15:14: Invalid for_each argument: Sensitive values, or values derived from sensitive values, cannot be used as for_each arguments: they would be exposed as instance keys.',
  ]);
});
