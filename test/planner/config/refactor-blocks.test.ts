// moved, import and removed blocks as the configuration loader reads them: every address form,
// and each mistake refused at file:line:column.
import t from 'tap';
import { errors, HOST, load } from './support.js';

const vm = (label: string, meta = '') => `vm "${label}" {\n${meta}  host     = host.lab\n  template = "Debian Bookworm 12"\n  memory   = "1GiB"\n}\n`;

t.test('moved blocks decode every address form', async (t) => {
  const cases: { name: string; files: string; want: [string, string][] }[] = [
    { name: 'an instance moves to a for_each key', files: vm('web', '  for_each = toset(["a"])\n') + 'moved {\n  from = vm.web[0]\n  to   = vm.web["a"]\n}\n', want: [['vm.web[0]', 'vm.web["a"]']] },
    { name: 'a whole vm moves to another name', files: vm('app') + 'moved {\n  from = vm.web\n  to   = vm.app\n}\n', want: [['vm.web', 'vm.app']] },
    { name: 'a single vm becomes instance 0 of a count', files: vm('web', '  count = 1\n') + 'moved {\n  from = vm.web\n  to   = vm.web[0]\n}\n', want: [['vm.web', 'vm.web[0]']] },
    { name: 'a vm moves into a module instance', files: 'moved {\n  from = vm.web\n  to   = module.site["a"].vm.web\n}\n', want: [['vm.web', 'module.site["a"].vm.web']] },
    { name: 'a module moves to another module', files: 'moved {\n  from = module.old\n  to   = module.new\n}\n', want: [['module.old', 'module.new']] },
    { name: 'a chain of moves is kept as written', files: vm('c') + 'moved {\n  from = vm.a\n  to   = vm.b\n}\nmoved {\n  from = vm.b\n  to   = vm.c\n}\n', want: [['vm.a', 'vm.b'], ['vm.b', 'vm.c']] },
  ];
  for (const c of cases) {
    const r = load({ 'main.xf.hcl': HOST + c.files });
    t.same(errors(r), [], `${c.name}: no error`);
    t.same(r.config?.moved?.map((m) => [m.from, m.to]), c.want, c.name);
  }
});

t.test('moved blocks that cannot be followed are refused where they are written', async (t) => {
  const cases: { name: string; files: string; want: RegExp }[] = [
    { name: 'a move from a VM still declared', files: vm('web') + vm('app') + 'moved {\n  from = vm.web\n  to   = vm.app\n}\n', want: /^main\.xf\.hcl:15:1: Moved object still exists: .*vm\.web is still declared/ },
    { name: 'two moves to one address', files: vm('c') + 'moved {\n  from = vm.a\n  to   = vm.c\n}\nmoved {\n  from = vm.b\n  to   = vm.c\n}\n', want: /^main\.xf\.hcl:14:1: Ambiguous move statements: A statement at main\.xf\.hcl:10,1 declared that vm\.a moved to vm\.c, but this statement instead declares that vm\.b moved there/ },
    { name: 'one VM moved to two addresses', files: 'moved {\n  from = vm.a\n  to   = vm.b\n}\nmoved {\n  from = vm.a\n  to   = vm.c\n}\n', want: /^main\.xf\.hcl:9:1: Ambiguous move statements: .*vm\.a moved to vm\.b, but this statement instead declares that it moved to vm\.c/ },
    { name: 'a cycle of moves', files: 'moved {\n  from = vm.a\n  to   = vm.b\n}\nmoved {\n  from = vm.b\n  to   = vm.a\n}\n', want: /Cyclic dependency in move statements/ },
    { name: 'a move to the same address', files: 'moved {\n  from = vm.a[0]\n  to   = vm.a[0]\n}\n', want: /^main\.xf\.hcl:5:1: Redundant move statement/ },
    { name: 'a VM moved to a module', files: 'moved {\n  from = vm.a\n  to   = module.b\n}\n', want: /^main\.xf\.hcl:5:1: Invalid moved block: .*vm\.a cannot move to module\.b/ },
    { name: 'a host address', files: 'moved {\n  from = host.lab\n  to   = host.lab2\n}\n', want: /^main\.xf\.hcl:6:10: Invalid address: moved blocks take vm and module addresses; "host\.lab" is a host/ },
    { name: 'a computed key', files: 'moved {\n  from = vm.a[0]\n  to   = vm.a[upper("x")]\n}\n', want: /^main\.xf\.hcl:7:10: Invalid address: .*A single static reference is required/ },
    { name: 'a missing to', files: 'moved {\n  from = vm.a\n}\n', want: /^main\.xf\.hcl:5:1: Missing required argument: The argument "to" is required in a moved block/ },
  ];
  for (const c of cases) {
    const r = load({ 'main.xf.hcl': HOST + c.files });
    t.match(errors(r).join('\n'), c.want, c.name);
    t.equal(r.config, null, `${c.name}: no configuration`);
  }
});

t.test('removed blocks: destroy defaults to true, and must name something no longer declared', async (t) => {
  const cases: { name: string; files: string; want?: [string, boolean][]; error?: RegExp }[] = [
    { name: 'destroy = false forgets', files: 'removed {\n  from = vm.old\n  lifecycle {\n    destroy = false\n  }\n}\n', want: [['vm.old', false]] },
    { name: 'without a lifecycle block the VM is destroyed, as in Terraform', files: 'removed {\n  from = vm.old\n}\n', want: [['vm.old', true]] },
    { name: 'a module', files: 'removed {\n  from = module.web\n  lifecycle {\n    destroy = false\n  }\n}\n', want: [['module.web', false]] },
    { name: 'an instance key is refused', files: 'removed {\n  from = vm.old[0]\n}\n', error: /^main\.xf\.hcl:6:10: Resource instance keys not allowed/ },
    { name: 'a VM still declared is refused', files: vm('old') + 'removed {\n  from = vm.old\n}\n', error: /^main\.xf\.hcl:10:1: Removed object still exists/ },
    { name: 'destroy must be a bool', files: 'removed {\n  from = vm.old\n  lifecycle {\n    destroy = "no"\n  }\n}\n', error: /^main\.xf\.hcl:8:15: Invalid destroy argument/ },
    { name: 'an unknown lifecycle argument is refused', files: 'removed {\n  from = vm.old\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n', error: /Unsupported argument/ },
  ];
  for (const c of cases) {
    const r = load({ 'main.xf.hcl': HOST + c.files });
    if (c.error) t.match(errors(r).join('\n'), c.error, c.name);
    else t.same(r.config?.removed?.map((x) => [x.from, x.destroy]), c.want, c.name);
  }
});

t.test('import blocks: one target per for_each key, ids and targets unique', async (t) => {
  const legacy = 'variable "legacy" {\n  default = { a = "u-1", b = "u-2" }\n}\n';
  const cases: { name: string; files: string; want?: [string, string][]; error?: RegExp }[] = [
    { name: 'a single import', files: vm('x') + 'import {\n  to = vm.x\n  id = "u-9"\n}\n', want: [['vm.x', 'u-9']] },
    { name: 'for_each with each.key in the address and each.value as the id', files: legacy + vm('legacy', '  for_each = var.legacy\n') + 'import {\n  for_each = var.legacy\n  to       = vm.legacy[each.key]\n  id       = each.value\n}\n', want: [['vm.legacy["a"]', 'u-1'], ['vm.legacy["b"]', 'u-2']] },
    { name: 'into a module instance', files: 'import {\n  to = module.site[0].vm.x\n  id = "u-9"\n}\n', want: [['module.site[0].vm.x', 'u-9']] },
    { name: 'a module target is refused', files: 'import {\n  to = module.site\n  id = "u-9"\n}\n', error: /Invalid import address/ },
    { name: 'one id imported twice is refused', files: 'import {\n  to = vm.a\n  id = "u-9"\n}\nimport {\n  to = vm.b\n  id = "u-9"\n}\n', error: /^main\.xf\.hcl:9:1: Duplicate import id: VM u-9 is imported to both vm\.a/ },
    { name: 'one address imported twice is refused', files: 'import {\n  to = vm.a\n  id = "u-8"\n}\nimport {\n  to = vm.a\n  id = "u-9"\n}\n', error: /^main\.xf\.hcl:9:1: Duplicate import configuration/ },
    { name: 'an id that is not a string is refused', files: 'import {\n  to = vm.a\n  id = 7\n}\n', error: /Invalid import id/ },
    { name: 'a for_each list is refused', files: 'import {\n  for_each = ["a"]\n  to       = vm.a[each.key]\n  id       = "u"\n}\n', error: /Invalid for_each argument/ },
  ];
  for (const c of cases) {
    const r = load({ 'main.xf.hcl': HOST + c.files });
    if (c.error) t.match(errors(r).join('\n'), c.error, c.name);
    else {
      t.same(errors(r), [], `${c.name}: no error`);
      t.same(r.config?.imports?.map((x) => [x.to, x.id]), c.want, c.name);
    }
  }
});

t.test('the root module reaches into modules by address, and a block inside a module is relative to each of its instances', async (t) => {
  const module = 'variable "host" {}\nvm "app" {\n  host     = var.host\n  template = "Debian Bookworm 12"\n  memory   = "1GiB"\n}\n';
  const call = 'module "site" {\n  source   = "./modules/site"\n  for_each = toset(["a"])\n  host     = host.lab\n}\n';
  const inRoot = load({ 'main.xf.hcl': HOST + call + 'moved {\n  from = vm.app\n  to   = module.site["a"].vm.app\n}\nimport {\n  to = module.site["a"].vm.app\n  id = "u-1"\n}\n', 'modules/site/main.xf.hcl': module });
  t.same(errors(inRoot), [], 'module addresses in the root module are taken');
  t.same(inRoot.config?.moved?.map((m) => m.to), ['module.site["a"].vm.app']);
  const inModule = load({ 'main.xf.hcl': HOST + call, 'modules/site/main.xf.hcl': module + 'removed {\n  from = vm.old\n}\n' });
  t.same(errors(inModule), [], 'a removed block in a module is taken');
  t.same(inModule.config?.removed?.map((r) => [r.from, r.destroy]), [['module.site["a"].vm.old', true]]);
});
