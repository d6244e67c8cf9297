// `placement { spread = ... }` over a real sshd to a three-member simulated XAPI pool (issue 18):
// the VMs of one spread group are created on distinct members, and nothing is left to do after.
import t from 'tap';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { xenform } from './cli.js';
import { SSH_ENV } from '../support/ssh-config.js';
import { poolOverSsh, residentOn } from '../support/sim-pool.js';
import type { Plan } from '../../planner/plan/types.js';

const web = 'vm "web" {\n  count       = 3\n  host        = host.pool\n  template    = "Other install media"\n  power_state = "running"\n  memory      = "1GiB"\n  vcpus       = 1\n  placement {\n    spread = "web"\n  }\n}\n';

// Members of 16 GiB; `big` takes 6 GiB of xcp-01, so a start left to xapi (the simulator takes
// the member with the most free memory) would put none of the group there.
const big = 'vm "big" {\n  host        = host.pool\n  template    = "Other install media"\n  power_state = "running"\n  memory      = "6GiB"\n  vcpus       = 1\n  affinity    = "xcp-01"\n}\n';

t.test('three VMs of one spread group are created on three distinct members, and a second plan is empty', async (t) => {
  const { dir, sshd } = await poolOverSsh(t, big, JSON.stringify({ host_memory_mib: 16384 }));
  t.equal(xenform(dir, ['apply', '--auto-approve'], SSH_ENV).code, 0, 'a VM that is no part of the group fills much of xcp-01');
  appendFileSync(path.join(dir, 'main.xf.hcl'), `\n${web}`);
  const planned = JSON.parse(xenform(dir, ['plan', '--json'], SSH_ENV).stdout) as Plan;
  const reasons = planned.resource_changes.map((rc) => rc.changes.find((c) => c.path === 'affinity')?.reason ?? '');
  t.equal(reasons.filter((r) => /^spread group "web": the VM starts on pool member "xcp-0[123]", which runs no other VM of the group/.test(r)).length, 3, 'the plan says where each goes and why');
  t.same(planned.warnings.filter((w) => w.startsWith('spread group')), [], 'no spread warning');

  const applied = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(applied.code, 0, `the VMs are created (${applied.stderr})`);
  const members = await Promise.all(['web-0', 'web-1', 'web-2'].map((name) => residentOn(sshd, name)));
  t.same([...members].sort(), ['xcp-01', 'xcp-02', 'xcp-03'], `one on each member (xe vm-list params=resident-on): ${members.join(', ')}`);
  t.equal(xenform(dir, ['plan', '--detailed-exitcode'], SSH_ENV).code, 0, 'a second plan is empty');
});
