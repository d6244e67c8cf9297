// Values known only after apply (issue 20 item 9): vm.db.uuid of a VM the same apply creates,
// used in another VM's description, other-config and kernel command line. Every plan view says
// "(known after apply)", and the apply writes the real uuid to the host (read back with the
// simulated xe), after which the next plan is empty.
import t, { type Test } from 'tap';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { xenform } from './cli.js';
import { writeDir } from '../support/files.js';
import { xeProcess } from '../support/sim-host.js';

const HOST = `host "lab" {
  simulator = true
  address   = "local"
  toolstack = "xapi"
}
`;
const db = (name: string) => `
vm "${name}" {
  host     = host.lab
  name     = "${name}"
  template = "Other install media"
  memory   = "1GiB"
  vcpus    = 1
}
`;
const web = (ref: string | null) => `
vm "web" {
  host         = host.lab
  name         = "web"
  template     = "Other install media"
  power_state  = "halted"
  memory       = "1GiB"
  vcpus        = 1
  description  = ${ref ? `"db is \${${ref}}"` : '"no db"'}
  other_config = { db = ${ref ?? '"none"'} }
  boot {
    mode   = "pv"
    kernel = "/boot/vmlinuz"
    args   = ${ref ? `"db=\${${ref}}"` : '"db=none"'}
  }
}
`;

function workdir(t: Test, text: string): string {
  const dir = writeDir({ 'main.xf.hcl': text });
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// What the simulated host holds for a VM, read with xe as a user on dom0 would.
async function onHost(dir: string, name: string): Promise<{ uuid: string; description: string; db: string; args: string }> {
  const xe = async (args: string[]) => (await xeProcess({ XENSIM_STATE: path.join(dir, '.xenform', 'sim', 'lab.json') }, args)).stdout.trim();
  const uuid = await xe(['vm-list', `name-label=${name}`, '--minimal']);
  return {
    uuid,
    description: await xe(['vm-param-get', `uuid=${uuid}`, 'param-name=name-description']),
    db: await xe(['vm-param-get', `uuid=${uuid}`, 'param-name=other-config', 'param-key=db']),
    args: await xe(['vm-param-get', `uuid=${uuid}`, 'param-name=PV-args']),
  };
}

const cases: { name: string; before: string | null; config: string; saved: boolean }[] = [
  { name: 'a VM that refers to a VM created in the same apply gets its real uuid', before: null, config: HOST + db('db') + web('vm.db.uuid'), saved: false },
  { name: 'the same through a saved plan, applied from the file', before: null, config: HOST + db('db') + web('vm.db.uuid'), saved: true },
  { name: 'an existing VM updated to refer to a VM the apply creates gets its real uuid', before: HOST + web(null), config: HOST + db('db') + web('vm.db.uuid'), saved: true },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const dir = workdir(t, c.before ?? c.config);
    if (c.before) {
      t.equal(xenform(dir, ['apply', '--auto-approve']).code, 0, 'the VM exists before');
      writeFileSync(path.join(dir, 'main.xf.hcl'), c.config);
    }
    const plan = xenform(dir, ['plan', ...(c.saved ? ['--out', 'p.xfplan'] : [])]);
    t.equal(plan.code, 0, plan.stderr);
    t.match(plan.stdout, /description\s*(=|:.*->) \(known after apply\)/, 'the text plan says the description is known after apply');
    t.match(plan.stdout, /boot\.args\s*(=|:.*->) \(known after apply\)/);
    t.match(plan.stdout, /other_config\.db\s*(=|:.*->) \(known after apply\)/);
    t.notMatch(plan.stdout, /__unknown|object Object/);
    const apply = xenform(dir, c.saved ? ['apply', 'p.xfplan'] : ['apply', '--auto-approve']);
    t.equal(apply.code, 0, `the apply succeeds ${apply.stderr}`);
    const dbVm = await onHost(dir, 'db');
    const webVm = await onHost(dir, 'web');
    t.match(dbVm.uuid, /^[0-9a-f-]{36}$/, 'vm.db exists');
    t.equal(webVm.description, `db is ${dbVm.uuid}`, 'the description holds the real uuid');
    t.equal(webVm.db, dbVm.uuid, 'other-config:db holds the real uuid');
    t.equal(webVm.args, `db=${dbVm.uuid}`, 'the kernel command line holds the real uuid');
    const next = xenform(dir, ['plan', '--detailed-exitcode']);
    t.equal(next.code, 0, `the next plan is empty: ${next.stdout}`);
  });
}

t.test('every plan view shows the values as known only after apply', async (t) => {
  const dir = workdir(t, HOST + db('db') + web('vm.db.uuid'));
  t.equal(xenform(dir, ['plan', '--out', 'p.xfplan']).code, 0);
  const views: { name: string; args: string[] }[] = [
    { name: 'Markdown', args: ['plan', '--markdown'] },
    { name: 'show of the saved plan', args: ['show', 'p.xfplan'] },
    { name: 'show --markdown of the saved plan', args: ['show', '--markdown', 'p.xfplan'] },
  ];
  for (const v of views) {
    const r = xenform(dir, v.args);
    t.equal(r.code, 0, r.stderr);
    t.equal((r.stdout.match(/\(known after apply\)/g) ?? []).length, 5, `${v.name}: two uuids, the description, boot.args and other_config.db`);
    t.notMatch(r.stdout, /__unknown|object Object/, `${v.name}: no placeholder leaks`);
  }
  for (const args of [['plan', '--json'], ['show', '--json', 'p.xfplan']]) {
    const r = xenform(dir, args);
    t.equal(r.code, 0, r.stderr);
    const plan = JSON.parse(r.stdout);
    const rc = plan.resource_changes.find((x: { address: string }) => x.address === 'vm.web');
    t.equal(rc.after.description, null, `${args.join(' ')}: after holds null where the value is unknown`);
    t.same(rc.after_unknown, { description: true, boot: { args: true }, other_config: { db: true } }, 'after_unknown says where, as Terraform does');
    t.equal(plan.resource_changes.find((x: { address: string }) => x.address === 'vm.db').after_unknown, undefined, 'a VM with nothing unknown has no after_unknown');
    const create = plan.steps.find((s: { address: string; op: string }) => s.address === 'vm.web' && s.op === 'create');
    const dbCreate = plan.steps.find((s: { address: string; op: string }) => s.address === 'vm.db' && s.op === 'create');
    t.same(create.args_unknown, ['attributes.description', 'attributes.boot.args', 'attributes.other_config.db']);
    t.ok(create.depends_on.includes(dbCreate.id), 'the step that needs the uuid waits for the create that makes it');
    t.notMatch(r.stdout, /__unknown/);
  }
});
