// Refreshing a XAPI pool over a real sshd: every member and every VM in one SSH round trip
// (issue 18), counted by the transport itself.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTransport } from '../../providers/factory.js';
import { XapiProvider } from '../../providers/xapi/provider.js';
import { runSim } from '../../providers/sim/index.js';
import { blankVm } from '../../providers/sim/host.js';
import { update } from '../../providers/sim/store.js';
import type { HostConfig } from '../../planner/config/types.js';
import { fingerprint } from '../../planner/plan/fingerprint.js';
import { startSshd } from '../support/sshd.js';

const MEMBERS = ['xcp-01', 'xcp-02', 'xcp-03'];

t.test('a refresh of a pool of 3 members and 300 VMs is one SSH round trip and names where each VM runs', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xenform-pool-refresh-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const statePath = join(dir, 'pool.json');
  t.equal((await runSim(['xe', 'host-list'], { statePath, hosts: MEMBERS })).code, 0, 'the pool is created');
  await update(statePath, () => t.fail('the pool exists') as never, (st) => {
    const members = [st.host, ...(st.members ?? [])];
    for (let i = 0; i < 300; i++) {
      const vm = blankVm(st, `vm-${i}`, i % 2 === 0 ? 'running' : 'halted');
      if (vm.power === 'running') Object.assign(vm, { residentOn: members[i % 3].uuid, domid: st.nextDomid++, startTime: Date.now(), vcpusLive: 1 });
      vm.affinity = members[(i + 1) % 3].uuid;
      st.vms[vm.uuid] = vm;
    }
  });
  const sshd = await startSshd({ env: { XENSIM_STATE: statePath } });
  t.teardown(() => sshd.stop());
  const host: HostConfig = {
    name: 'pool', simulator: false, toolstack: 'xapi', address: sshd.host, port: sshd.port, user: sshd.user,
    identity_file: sshd.identityFile, known_hosts: sshd.knownHostsFile, max_parallel: 4,
    range: { filename: 'main.xf.hcl', start: { line: 1, column: 1, byte: 0 }, end: { line: 1, column: 1, byte: 0 } },
  };
  const transport = openTransport(host, { workdir: dir, env: {}, ssh: { sshEnv: { home: dir, sshConfigText: null } } });
  const p = new XapiProvider('pool', transport);
  t.teardown(() => p.close());
  const before = transport.roundTrips();
  const inv = await p.inventory();
  t.equal(transport.roundTrips() - before, 1, 'one round trip');
  t.same(inv.members?.map((m) => [m.name, m.enabled]), MEMBERS.map((m) => [m, true]), 'every member, enabled');
  t.ok(inv.members?.every((m) => m.pcpus === 16 && m.memory_free > 0 && m.memory_free < m.memory_total), 'with its pCPUs and free memory');
  t.equal(inv.vms.length, 300, 'every VM');
  const vm = (n: number) => inv.vms.find((v) => v.attributes.name === `vm-${n}`)!;
  t.same([vm(0).resident_on, vm(0).affinity], ['xcp-01', 'xcp-02'], 'a running VM: the member it runs on and its affinity');
  t.same([vm(4).resident_on, vm(4).affinity], ['xcp-02', 'xcp-03']);
  t.same([vm(1).resident_on, vm(1).affinity], [undefined, 'xcp-03'], 'a halted VM runs nowhere');

  // Apply reads a VM alone before its first step and compares its fingerprint with the plan's:
  // a provider that has not refreshed yet must name the members all the same.
  const fresh = new XapiProvider('pool', transport);
  const alone = await fresh.readVm(vm(4).uuid);
  t.same([alone?.resident_on, alone?.affinity], ['xcp-02', 'xcp-03'], 'a VM read alone names its member and affinity');
  t.equal(fingerprint(alone!), fingerprint(vm(4)), 'and fingerprints as the refresh saw it');
});
