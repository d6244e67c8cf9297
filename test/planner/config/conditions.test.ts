// Custom conditions at plan time: validations that refer to other variables and locals,
// vm preconditions (errors at the condition), check blocks (warnings), and how each is written.
import t from 'tap';
import { HOST, errors, load, warnings } from './support.js';

const vm = (lifecycle: string, extra = '') => `${HOST}
vm "web" {
  host     = host.lab
  name     = "web"
  template = "Other install media"
  memory   = "1GiB"
  vcpus    = var.vcpus
${extra}  lifecycle {
${lifecycle}
  }
}
`;
const vars = `variable "vcpus" {
  default = 2
}
variable "floor" {
  default = 2
}
locals {
  most = var.floor * 4
}
`;

const cases: { name: string; files: string; vars?: Record<string, string>; errors: string[]; warnings: string[] }[] = [
  {
    name: 'a validation that refers to another variable and a local passes when they allow the value',
    files: `${vars.replace('variable "vcpus" {\n  default = 2\n', 'variable "vcpus" {\n  default = 2\n  validation {\n    condition     = var.vcpus >= var.floor && var.vcpus <= local.most\n    error_message = "vcpus must lie between ${var.floor} and ${local.most}."\n  }\n')}`,
    errors: [],
    warnings: [],
  },
  {
    name: 'a validation that refers to another variable and a local fails with its message at its condition',
    files: `${vars.replace('variable "vcpus" {\n  default = 2\n', 'variable "vcpus" {\n  default = 2\n  validation {\n    condition     = var.vcpus >= var.floor && var.vcpus <= local.most\n    error_message = "vcpus must lie between ${var.floor} and ${local.most}."\n  }\n')}`,
    vars: { vcpus: '9' },
    errors: ['main.xf.hcl:4:21: Invalid value for variable: vcpus must lie between 2 and 8.\n\nThis was checked by the validation rule at main.xf.hcl:4,21.'],
    warnings: [],
  },
  {
    name: 'a precondition that holds lets the plan go on',
    files: vars + vm('    precondition {\n      condition     = var.vcpus <= local.most\n      error_message = "too many vCPUs"\n    }'),
    errors: [],
    warnings: [],
  },
  {
    name: 'a precondition that fails is an error at its condition with its message and the VM address',
    files: vars + vm('    precondition {\n      condition     = var.vcpus <= local.most\n      error_message = "at most ${local.most} vCPUs"\n    }'),
    vars: { vcpus: '12' },
    errors: ['main.xf.hcl:23:23: Resource precondition failed: vm.web: at most 8 vCPUs\n\nThis was checked by the condition at main.xf.hcl:23,23.'],
    warnings: [],
  },
  {
    name: 'a precondition of a counted VM sees count.index and fails for the instance it names',
    files: (vars + vm('    precondition {\n      condition     = count.index < 1\n      error_message = "only the first"\n    }', '  count = 2\n')).replace('name     = "web"', 'name     = "web-${count.index}"'),
    errors: ['main.xf.hcl:24:23: Resource precondition failed: vm.web[1]: only the first\n\nThis was checked by the condition at main.xf.hcl:24,23.'],
    warnings: [],
  },
  {
    name: 'a precondition may not use self, which only a postcondition sees',
    files: vars + vm('    precondition {\n      condition     = self.power_state == "running"\n      error_message = "x"\n    }'),
    errors: ['main.xf.hcl:23:23: Invalid "self" reference: The "self" object can be used only in a postcondition, which is checked after apply; a precondition is checked before the VM is changed.'],
    warnings: [],
  },
  {
    name: 'a postcondition is not checked when planning',
    files: vars + vm('    postcondition {\n      condition     = self.power_state == "halted"\n      error_message = "x"\n    }'),
    errors: [],
    warnings: [],
  },
  {
    name: 'a precondition without an error message is refused',
    files: vars + vm('    precondition {\n      condition = true\n    }'),
    errors: ['main.xf.hcl:22:5: Missing required argument: The argument "error_message" is required, but no definition was found.'],
    warnings: [],
  },
  {
    name: 'a precondition that is not a bool is refused',
    files: vars + vm('    precondition {\n      condition     = "yes please"\n      error_message = "x"\n    }'),
    errors: ['main.xf.hcl:23:23: Invalid condition result: The condition must return true or false.'],
    warnings: [],
  },
  {
    name: 'a failing check assertion is a warning and the plan goes on',
    files: `${vars}${HOST}check "enough" {\n  assert {\n    condition     = var.vcpus > 2\n    error_message = "two vCPUs is tight"\n  }\n}\n`,
    errors: [],
    warnings: ['main.xf.hcl:16:21: Check block assertion failed: check.enough: two vCPUs is tight\n\nThis was checked by the assertion at main.xf.hcl:16,21.'],
  },
  {
    name: 'a check assertion on a uuid known only after apply is left for after apply',
    files: vars + vm('') + 'check "db" {\n  assert {\n    condition     = vm.web.uuid != ""\n    error_message = "no uuid"\n  }\n}\n',
    errors: [],
    warnings: [],
  },
  {
    name: 'a check block with no assert block is refused',
    files: `${vars}check "empty" {\n}\n`,
    errors: ['main.xf.hcl:10:1: Missing assert block: The check block "empty" needs at least one assert block.'],
    warnings: [],
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const r = load({ 'main.xf.hcl': c.files }, { vars: c.vars });
    t.same(errors(r), c.errors);
    t.same(warnings(r), c.warnings);
  });
}
