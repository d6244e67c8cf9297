// Postconditions and check blocks after apply, on the simulated host: a postcondition sees the
// VM as the host reports it (self) and fails the apply; a check only warns.
import t from 'tap';
import { rmSync } from 'node:fs';
import { xenform } from './cli.js';
import { writeDir } from '../support/files.js';

const config = (postcondition: string, check = 'true') => `host "lab" {
  simulator = true
  toolstack = "xapi"
}

vm "web" {
  host        = host.lab
  name        = "web"
  template    = "Other install media"
  power_state = "halted"
  memory      = "1GiB"
  vcpus       = 1
  lifecycle {
    postcondition {
      condition     = ${postcondition}
      error_message = "web is \${self.power_state}, uuid \${self.uuid}"
    }
  }
}

check "web_known" {
  assert {
    condition     = ${check}
    error_message = "the check saw uuid \${vm.web.uuid}"
  }
}
`;

const cases: { name: string; postcondition: string; check?: string; code: number; stderr: RegExp[]; planWarns?: boolean }[] = [
  { name: 'a postcondition on the observed power state and uuid that holds lets the apply succeed', postcondition: 'self.power_state == "halted" && length(self.uuid) == 36 && length(self.ip_addresses) == 0', code: 0, stderr: [] },
  { name: 'a postcondition that fails fails the apply, naming the VM, its message and the condition', postcondition: 'self.power_state == "running"', code: 1, stderr: [/Error: Resource postcondition failed: vm\.web: web is halted, uuid [0-9a-f-]{36} \(main\.xf\.hcl:15,23\)/] },
  { name: 'a check on a uuid known only after apply is evaluated after apply and only warns', postcondition: 'true', check: 'vm.web.uuid == "not it"', code: 0, stderr: [/Warning: Check block assertion failed: check\.web_known: the check saw uuid [0-9a-f-]{36} \(main\.xf\.hcl:23,21\)/] },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const dir = writeDir({ 'main.xf.hcl': config(c.postcondition, c.check) });
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const plan = xenform(dir, ['plan']);
    t.equal(plan.code, 0, plan.stderr);
    t.notMatch(plan.stderr, /Check block assertion failed/, 'the plan cannot tell yet: no warning');
    const apply = xenform(dir, ['apply', '--auto-approve']);
    t.equal(apply.code, c.code, apply.stderr);
    for (const re of c.stderr) t.match(apply.stderr, re);
    if (c.stderr.length === 0) t.equal(apply.stderr, '', 'nothing to report');
  });
}

const withDb = (precondition: string) => `host "lab" {
  simulator = true
  toolstack = "xapi"
}

vm "db" {
  host        = host.lab
  name        = "db"
  template    = "Other install media"
  power_state = "halted"
  memory      = "1GiB"
  vcpus       = 1
}

vm "web" {
  host        = host.lab
  name        = "web"
  template    = "Other install media"
  power_state = "halted"
  memory      = "1GiB"
  vcpus       = 1
  description = "db \${vm.db.uuid}"
  lifecycle {
    precondition {
      condition     = ${precondition}
      error_message = "db is \${vm.db.uuid}"
    }
  }
}
`;

const deferred: { name: string; precondition: string; code: number; created: string[]; stderr?: RegExp }[] = [
  { name: 'a precondition on a uuid known only after apply is checked before the VM\'s first step, and holds', precondition: 'length(vm.db.uuid) == 36', code: 0, created: ['vm.db', 'vm.web'] },
  {
    name: 'a precondition on a uuid known only after apply that fails stops the VM before its first step',
    precondition: 'startswith(vm.db.uuid, "not-a-uuid")',
    code: 1,
    created: ['vm.db'],
    stderr: /Failed: vm\.web: create failed: .*Resource precondition failed: vm\.web: db is [0-9a-f-]{36} \(main\.xf\.hcl:25,23\)/,
  },
];

for (const c of deferred) {
  t.test(c.name, async (t) => {
    const dir = writeDir({ 'main.xf.hcl': withDb(c.precondition) });
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    t.equal(xenform(dir, ['plan']).code, 0, 'the plan cannot tell yet, and goes on');
    const apply = xenform(dir, ['apply', '--auto-approve']);
    t.equal(apply.code, c.code, apply.stderr);
    if (c.stderr) t.match(apply.stderr, c.stderr);
    t.same(xenform(dir, ['state', 'list']).stdout.trim().split('\n'), c.created, 'the VMs that were created');
  });
}

t.test('a postcondition sees the addresses the guest agent of a running VM reports', async (t) => {
  const running = config('length(self.ip_addresses) == 1 && startswith(self.ip_addresses[0], "10.")')
    .replace('power_state = "halted"', 'power_state = "running"')
    .replace('  vcpus       = 1\n', '  vcpus       = 1\n  network "eth0" {\n    network = "xenbr0"\n  }\n');
  const dir = writeDir({ 'main.xf.hcl': running });
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const apply = xenform(dir, ['apply', '--auto-approve']);
  t.equal(apply.code, 0, apply.stderr);
  t.equal(apply.stderr, '', 'the postcondition holds: one address, the one the guest reports');
});
