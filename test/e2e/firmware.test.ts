// End to end through the CLI on the simulated XAPI host: a UEFI VM with Secure Boot and a vTPM
// is created, a second plan is empty, and taking the vTPM away needs allow_vtpm_destroy.
import t from 'tap';
import fs from 'node:fs';
import { xenform, editConfig } from './cli.js';
import { writeDir } from '../support/files.js';
import { runSim } from '../../providers/sim/index.js';
import { simPaths } from '../../providers/factory.js';
import type { Plan } from '../../planner/plan/types.js';

const CONFIG = `host "demo" {
  simulator = true
  toolstack = "xapi"
}

vm "win" {
  host        = host.demo
  name        = "win"
  template    = "Debian Bookworm 12"
  power_state = "running"
  memory      = "2GiB"
  vtpm        = true

  boot {
    mode        = "hvm"
    firmware    = "uefi"
    secure_boot = true
  }
}
`;

t.test('a UEFI VM with Secure Boot and a vTPM is created, then plans empty; its vTPM goes only when allowed', async (t) => {
  const dir = writeDir({ 'main.xf.hcl': CONFIG });
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const plan = JSON.parse(xenform(dir, ['plan', '--json']).stdout) as Plan;
  const after = plan.resource_changes[0].after!;
  t.same([after.boot.firmware, after.boot.secure_boot, after.vtpm], ['uefi', true, true], 'the plan shows the firmware it will make');
  const applied = xenform(dir, ['apply', '--auto-approve']);
  t.equal(applied.code, 0, `applied (${applied.stderr})`);

  const { statePath } = simPaths(dir, 'demo');
  const xe = async (...args: string[]) => (await runSim(['xe', ...args], { statePath, faults: '' })).stdout.trim();
  const vm = await xe('vm-list', 'name-label=win', 'params=uuid', '--minimal');
  t.equal(await xe('vm-param-get', `uuid=${vm}`, 'param-name=HVM-boot-params', 'param-key=firmware'), 'uefi');
  t.equal(await xe('vm-param-get', `uuid=${vm}`, 'param-name=platform', 'param-key=secureboot'), 'true');
  t.match(await xe('vtpm-list', `vm-uuid=${vm}`, 'params=uuid', '--minimal'), /^[0-9a-f-]{36}$/, 'one vTPM');
  t.equal(await xe('vm-param-get', `uuid=${vm}`, 'param-name=power-state'), 'running');
  t.equal(xenform(dir, ['plan', '--detailed-exitcode']).code, 0, 'a second plan is empty');

  editConfig(dir, '  vtpm        = true', '  vtpm        = false');
  const refused = xenform(dir, ['plan']);
  t.equal(refused.code, 1, 'vtpm = false is refused');
  t.match(refused.stderr, /vm\.win: vtpm = false would destroy its vTPM.*allow_vtpm_destroy = true/s);
  editConfig(dir, '  power_state = "running"', '  power_state = "running"\n  lifecycle {\n    allow_vtpm_destroy = true\n  }');
  const removal = JSON.parse(xenform(dir, ['plan', '--json']).stdout) as Plan;
  t.same(removal.steps.map((s) => s.op), ['clean_shutdown', 'set', 'start'], 'halted for it');
  t.match(removal.resource_changes[0].changes.find((c) => c.path === 'vtpm')!.condition, /the VM is running, and xenform destroys a vTPM only while its VM is halted/);
  t.equal(xenform(dir, ['apply', '--auto-approve']).code, 0);
  t.equal(await xe('vtpm-list', `vm-uuid=${vm}`, '--minimal'), '', 'the vTPM is gone');
  t.equal(await xe('vm-param-get', `uuid=${vm}`, 'param-name=power-state'), 'running', 'and the VM runs again');
  t.equal(xenform(dir, ['plan', '--detailed-exitcode']).code, 0, 'a plan after is empty');
});
