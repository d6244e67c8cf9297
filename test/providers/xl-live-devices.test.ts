// The xl provider's live routes against the simulated plain-Xen host: devices and vCPUs
// changed in a running domain with xl's device commands, the guest file kept in step.
import t, { type Test } from 'tap';
import type { VmAttributes } from '../../planner/model/vm.js';
import { xlSim } from '../support/xl-sim.js';

const MiB = 1024 * 1024;
const tiny: VmAttributes = {
  name: 'tiny', description: '', template: '', power_state: 'halted',
  memory: { static_min: 128 * MiB, static_max: 128 * MiB, dynamic_min: 128 * MiB, dynamic_max: 128 * MiB },
  vcpus: 1, vcpus_max: 4,
  boot: { mode: 'pv', bootloader: '', kernel: '/boot/vmlinuz', ramdisk: '', args: 'console=hvc0', bootloader_args: '', order: '', firmware: 'bios' },
  disks: [{ name: 'root', size: 64 * MiB, sr: '', bootable: true }],
  networks: [{ name: 'eth0', network: 'xenbr0' }],
  tags: [], other_config: {},
};

async function runningGuest(t: Test) {
  const host = xlSim(t, 'tiny');
  await host.run({ op: 'create', attributes: tiny, markers: { address: 'vm.tiny', lineage: 'L' } });
  await host.run({ op: 'start' });
  return host;
}

t.test('a disk is attached to and detached from the running domain, and the guest file follows', async (t) => {
  const { run, domain, cfg } = await runningGuest(t);
  const before = await domain();
  const added = await run({ op: 'add_disk', disk: { name: 'data', size: 32 * MiB, sr: '', bootable: false } });
  const after = await domain();
  t.equal(after.domid, before.domid, 'the same domain');
  t.same(after.config.disks!.map((d) => d.vdev), ['xvda', 'xvdb'], 'xvdb is attached live');
  t.match(cfg(), /vdev=xvdb, access=rw, target=\/var\/lib\/xen\/images\/tiny-data\.img/, 'the guest file names it');
  t.same(added.observed!.attributes.disks.map((d) => d.name), ['root', 'data']);
  await run({ op: 'remove_disk', disk: { name: 'data', size: 32 * MiB, sr: '', bootable: false } });
  t.same((await domain()).config.disks!.map((d) => d.vdev), ['xvda'], 'xvdb is detached');
  t.notMatch(cfg(), /xvdb/);
});

t.test('network interfaces are attached and detached by devid on the running domain', async (t) => {
  const { run, domain, cfg } = await runningGuest(t);
  await run({ op: 'add_network', network: { name: 'eth1', network: 'xenbr1' } });
  await run({ op: 'add_network', network: { name: 'eth2', network: 'xenbr2' } });
  t.same((await domain()).config.nics!.map((n) => [n.devid, n.bridge]), [[0, 'xenbr0'], [1, 'xenbr1'], [2, 'xenbr2']]);
  await run({ op: 'remove_network', network: { name: 'eth1', network: 'xenbr1' } });
  t.same((await domain()).config.nics!.map((n) => [n.devid, n.bridge]), [[0, 'xenbr0'], [2, 'xenbr2']], 'eth1 (devid 1) is gone, devids are not reused');
  const removed = await run({ op: 'remove_network', network: { name: 'eth2', network: 'xenbr2' } });
  t.same((await domain()).config.nics!.map((n) => n.bridge), ['xenbr0'], 'eth2 is found by its position although its devid is 2');
  t.match(cfg(), /^vif = \[ "bridge=xenbr0" \]$/m);
  t.same(removed.observed!.attributes.networks.map((n) => n.name), ['eth0']);
});

t.test('a live vCPU count is set with xl vcpu-set before the guest file', async (t) => {
  const { run, domain, cfg } = await runningGuest(t);
  await run({ op: 'set', changes: [{ path: 'vcpus', value: 3, live: true }] });
  t.same((await domain()).config.b_info.avail_vcpus, [0, 1, 2]);
  t.match(cfg(), /^vcpus = 3$/m);
  await t.rejects(run({ op: 'set', changes: [{ path: 'vcpus', value: 5, live: true }] }), { message: /Requested 5 VCPUs, however maxcpus is 4!/ }, 'above maxvcpus, xl refuses');
  t.match(cfg(), /^vcpus = 3$/m, 'and the guest file is left as it was');
});

// The texts of the first five were captured from the real Xen 4.17.5 host of test/xen.
t.test('xl device commands fail as xl does', async (t) => {
  const { sim } = await runningGuest(t);
  t.same(await sim.exec(['xl', 'block-detach', 'tiny', 'xvdz']), {
    stdout: '',
    stderr: 'libxl: error: libxl_disk.c:516:libxl__disk_from_xenstore: disk /libxl/1/device/vbd/268441856 does not exist (no backend path\nError: Device xvdz not connected.\n',
    code: 1,
  });
  t.same(await sim.exec(['xl', 'network-detach', 'tiny', '9']), {
    stdout: '',
    stderr: "libxl: error: libxl_xshelp.c:206:libxl__xs_read_mandatory: xenstore read failed: `/libxl/1/device/vif/9': No such file or directory\nUnknown device 9.\n",
    code: 1,
  });
  for (const args of [['cd-insert', 'tiny', 'hdc', '/tmp/xf-empty.iso'], ['cd-eject', 'tiny', 'hdc']]) {
    t.same(await sim.exec(['xl', ...args]), { stdout: '', stderr: 'libxl: error: libxl_disk.c:838:libxl_cdrom_insert: Domain 1:cdrom-insert requires an HVM domain\n', code: 1 }, `xl ${args[0]} on a PV domain`);
  }
  t.same(await sim.exec(['xl', 'cd-insert']), {
    stdout: "Usage: xl [-vtTfN] cd-insert <Domain> <VirtualDevice> <path>\n\nInsert a cdrom into a guest's cd drive.\n\n",
    stderr: "'xl cd-insert' requires at least 3 arguments.\n\n",
    code: 2,
  });
  t.same(await sim.exec(['xl', 'cd-eject', 'tiny']), {
    stdout: "Usage: xl [-vtTfN] cd-eject <Domain> <VirtualDevice>\n\nEject a cdrom from a guest's cd drive.\n\n",
    stderr: "'xl cd-eject' requires at least 2 arguments.\n\n",
    code: 2,
  });
  t.match(await sim.exec(['xl', 'cd-insert', 'xf-nosuch', 'hdc', '/tmp/xf-empty.iso']), { code: 1, stderr: 'xf-nosuch is an invalid domain identifier (rc=-6)\n' });
  t.match(await sim.exec(['xl', 'vcpu-set', 'tiny', 'many']), { code: 1, stderr: 'Error: Invalid argument many as number of vcpus.\n' });
  t.match(await sim.exec(['xl', 'block-attach', 'nosuch', 'format=raw, vdev=xvdb, access=rw, target=/x']), { code: 1, stderr: /nosuch is an invalid domain identifier/ });
});

t.test('after live device and vCPU changes, a restart from the guest file boots the same devices', async (t) => {
  const { run, domain } = await runningGuest(t);
  await run({ op: 'add_disk', disk: { name: 'data', size: 32 * MiB, sr: '', bootable: false } });
  await run({ op: 'add_network', network: { name: 'eth1', network: 'xenbr1' } });
  await run({ op: 'set', changes: [{ path: 'vcpus', value: 2, live: true }] });
  const live = await domain();
  await run({ op: 'hard_reboot' });
  const rebooted = await domain();
  t.not(rebooted.domid, live.domid, 'a new domain, built from the guest file');
  t.same(rebooted.config.disks!.map((d) => d.vdev), live.config.disks!.map((d) => d.vdev), 'the same disks');
  t.same(rebooted.config.nics!.map((n) => n.bridge), ['xenbr0', 'xenbr1'], 'the same interfaces');
  t.same(rebooted.config.b_info.avail_vcpus, [0, 1], 'the same vCPUs');
});
