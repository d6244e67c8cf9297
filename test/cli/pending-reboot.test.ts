// The README's promise: a boot change xenform set for the next boot is not reported as a change
// made outside xenform, and does not keep `--detailed-exitcode` at 2 until the guest reboots.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { xenform } from '../support/cli-io.js';
import { writeDir } from '../support/files.js';
import { HOST } from '../planner/config/support.js';

const config = (args: string): string =>
  `${HOST}vm "web" {\n  host        = host.lab\n  template    = "Debian Bookworm 12"\n  power_state = "running"\n  memory      = "1GiB"\n` +
  `  boot {\n    mode       = "pv"\n    bootloader = "pygrub"\n    args       = "${args}"\n  }\n` +
  '  lifecycle {\n    apply_boot_changes = "next_boot"\n  }\n}\n';

t.test('a pending reboot xenform set is not drift and not a change', async (t) => {
  const dir = writeDir({ 'main.xf.hcl': config('console=hvc0') });
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const run = (...args: string[]) => xenform(['--chdir', dir, ...args], { env: { NO_COLOR: '1' }, cwd: '/' });
  t.equal((await run('apply', '--auto-approve')).code, 0);
  fs.writeFileSync(path.join(dir, 'main.xf.hcl'), config('console=hvc0 quiet'));
  const set = await run('apply', '--auto-approve');
  t.equal(set.code, 0, set.stderr);

  const cases: { name: string; args: string[] }[] = [
    { name: 'plan', args: ['plan', '--detailed-exitcode'] },
    { name: 'plan --refresh-only', args: ['plan', '--refresh-only', '--detailed-exitcode'] },
  ];
  for (const c of cases) {
    const r = await run(...c.args);
    t.equal(r.code, 0, `${c.name} exits 0: nothing to do until the guest reboots (${r.stderr})`);
    t.notMatch(r.stdout, 'Objects have changed outside of xenform', `${c.name} does not call it drift`);
    t.match(r.stdout, /Configured, not yet booted[\s\S]*vm\.web/, `${c.name} lists the VM under its own heading`);
  }
  const md = await run('plan', '--markdown');
  t.notMatch(md.stdout, 'Objects have changed outside of xenform', 'the Markdown does not call it drift');
  t.match(md.stdout, 'Configured, not yet booted', 'the Markdown has its own section');
});
