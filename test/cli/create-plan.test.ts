// The README's promise: a plan shows everything a create makes, not only its name.
import fs from 'node:fs';
import t from 'tap';
import { xenform } from '../support/cli-io.js';
import { writeDir } from '../support/files.js';
import { HOST } from '../planner/config/support.js';

const CONFIG =
  `${HOST}variable "token" {\n  type      = string\n  default   = "tok-SECRET"\n  sensitive = true\n}\n` +
  'vm "db" {\n  host     = host.lab\n  template = "Debian Bookworm 12"\n  memory   = "2GiB"\n}\n' +
  'vm "web" {\n  host        = host.lab\n  template    = "Debian Bookworm 12"\n  power_state = "running"\n  memory      = "1GiB"\n  vcpus       = 2\n' +
  '  tags        = ["frontend"]\n  description = "next to ${vm.db.uuid}"\n  other_config = {\n    token = var.token\n  }\n' +
  '  boot {\n    mode       = "pv"\n    bootloader = "pygrub"\n    args       = "console=hvc0"\n  }\n' +
  '  disk "root" {\n    size     = "10GiB"\n    sr       = "Local storage"\n    bootable = true\n  }\n' +
  '  network "eth0" {\n    network = "xenbr0"\n  }\n}\n';

t.test('a plan shows every attribute a create makes, in text and Markdown', async (t) => {
  const dir = writeDir({ 'main.xf.hcl': CONFIG });
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const expected: [string, RegExp][] = [
    ['the uuid is known only after apply', /uuid\s+= \(known after apply\)/],
    ['memory', /memory\s+= 1GiB/],
    ['vCPUs', /vcpus\s+= 2/],
    ['the boot configuration', /boot\.args\s+= "console=hvc0"/],
    ['each disk', /disks\.root\s+= 10GiB on "Local storage", bootable/],
    ['each network, with its MAC known after apply', /networks\.eth0\s+= on "xenbr0", mac \(known after apply\)/],
    ['tags', /tags\s+= \["frontend"\]/],
    ['a description known after apply', /description\s+= \(known after apply\)/],
    ['a sensitive other_config value masked', /other_config\.token\s+= \(sensitive value\)/],
  ];
  for (const format of [[], ['--markdown']]) {
    const r = await xenform(['--chdir', dir, 'plan', ...format], { env: { NO_COLOR: '1' }, cwd: '/' });
    t.equal(r.code, 0, r.stderr);
    for (const [what, re] of expected) t.match(r.stdout, re, `${format[0] ?? 'text'} shows ${what}`);
    t.notMatch(r.stdout, 'tok-SECRET', `${format[0] ?? 'text'} keeps the sensitive value out`);
  }
});
