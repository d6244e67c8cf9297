// A root that uses one local module twice (for_each), on the simulated host: it plans, applies
// and converges, and --target module.NAME["KEY"] touches only that module's VMs.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { editConfig, xenform } from './cli.js';
import { writeDir } from '../support/files.js';
import { xeProcess } from '../support/sim-host.js';
import { simPaths } from '../../providers/factory.js';

const ROOT = `host "demo" {
  simulator = true
  toolstack = "xapi"
}

module "site" {
  source   = "./modules/site"
  for_each = { a = 1, b = 2 }
  host     = host.demo
  disks    = each.value
  note     = "v1"
}

output "names" {
  value = { for k, m in module.site : k => m.name }
}
`;

const SITE = `variable "host" {}

variable "disks" {
  type = number
}

variable "note" {
  type = string
}

vm "app" {
  host        = var.host
  name        = "app-\${var.disks}"
  template    = "Debian Bookworm 12"
  memory      = "1GiB"
  description = var.note

  dynamic "disk" {
    for_each = range(var.disks)
    iterator = d
    labels   = ["data\${d.value}"]
    content {
      size = "\${d.value + 1}GiB"
    }
  }
}

output "name" {
  value = vm.app.name
}
`;

t.test('a module used twice with for_each plans, applies, converges and can be targeted', async (t) => {
  const dir = writeDir({ 'main.xf.hcl': ROOT, 'modules/site/main.xf.hcl': SITE });
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

  const plan = xenform(dir, ['plan']);
  t.equal(plan.code, 0, plan.stderr);
  t.match(plan.stdout, /module\.site\["a"\]\.vm\.app will be created/);
  t.match(plan.stdout, /module\.site\["b"\]\.vm\.app will be created/);

  const json = xenform(dir, ['plan', '--json']);
  t.equal(json.code, 0, json.stderr);
  t.match(json.stdout, /"module\.site\[\\"b\\"\]\.vm\.app"/, 'the JSON plan names the module address');

  const applied = xenform(dir, ['apply', '--auto-approve']);
  t.equal(applied.code, 0, applied.stderr);
  t.match(applied.stdout, /names = \{/);

  const again = xenform(dir, ['plan', '--detailed-exitcode']);
  t.equal(again.code, 0, `the second plan is empty (${again.stdout}${again.stderr})`);
  t.match(again.stdout, /No changes/);

  const uuid = xenform(dir, ['state', 'show', 'module.site["b"].vm.app']).stdout.match(/[0-9a-f]{8}-[0-9a-f-]{27}/)?.[0];
  const env = { XENSIM_STATE: simPaths(dir, 'demo').statePath };
  const marker = await xeProcess(env, ['vm-param-get', `uuid=${uuid}`, 'param-name=other-config', 'param-key=xenform-address']);
  t.equal(marker.stdout.trim(), 'module.site["b"].vm.app', `the host's marker carries the module address (${marker.stderr})`);

  const listed = xenform(dir, ['state', 'list', 'module.site["b"]']);
  t.equal(listed.code, 0, listed.stderr);
  t.equal(listed.stdout, 'module.site["b"].vm.app\n', 'state list filters by module instance');

  editConfig(dir, 'note     = "v1"', 'note     = "v2"');
  const targeted = xenform(dir, ['apply', '--auto-approve', '--target', 'module.site["a"]']);
  t.equal(targeted.code, 0, targeted.stderr);
  t.match(targeted.stdout, /module\.site\["a"\]\.vm\.app will be updated in place/);
  t.notMatch(targeted.stdout, /module\.site\["b"\]/, 'the other module instance is not touched');

  const rest = xenform(dir, ['plan', '--detailed-exitcode', '--out=rest.plan']);
  t.equal(rest.code, 2, 'what was not targeted is still to do');
  t.match(rest.stdout, /module\.site\["b"\]\.vm\.app will be updated in place/);
  t.notMatch(rest.stdout, /module\.site\["a"\]/);

  // the saved plan holds the module's files: an edit after it is not applied
  fs.writeFileSync(path.join(dir, 'modules/site/main.xf.hcl'), SITE.replace('description = var.note', 'description = "edited"'));
  const saved = xenform(dir, ['apply', 'rest.plan']);
  t.equal(saved.code, 0, saved.stderr);
  t.match(saved.stdout + saved.stderr, /changed since the plan was made \(`modules\/site\/main\.xf\.hcl`\)/);
  const desc = await xeProcess(env, ['vm-param-get', `uuid=${uuid}`, 'param-name=name-description']);
  t.equal(desc.stdout.trim(), 'v2', 'the module file saved with the plan is what was applied');
});

t.test('validate and fmt --recursive cover module directories', async (t) => {
  const dir = writeDir({ 'main.xf.hcl': ROOT, 'modules/site/main.xf.hcl': SITE.replace('memory      = "1GiB"', 'memory      = "lots"') });
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const validate = xenform(dir, ['validate']);
  t.equal(validate.code, 1);
  t.match(validate.stderr, /modules\/site\/main\.xf\.hcl:15:17/, 'validate points into the module file');

  fs.writeFileSync(path.join(dir, 'modules/site/main.xf.hcl'), SITE.replace('  host        = var.host', '  host = var.host'));
  const fmt = xenform(dir, ['fmt', '--check', '--recursive']);
  t.equal(fmt.code, 3, fmt.stdout + fmt.stderr);
  t.match(fmt.stdout, /modules\/site\/main\.xf\.hcl/);
});
