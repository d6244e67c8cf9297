// The CD drive of an HVM guest on the simulated plain-Xen host: added to the guest file while
// halted, its media changed in the running domain with xl cd-insert/cd-eject (same domain),
// the guest file kept in step so that the next boot has what the plan promised.
import t, { type Test } from 'tap';
import { join } from 'node:path';
import type { VmAttributes } from '../../planner/model/vm.js';
import { xlSim } from '../support/xl-sim.js';

const MiB = 1024 * 1024;
const ISO = '/var/lib/xen/iso/debian-12.iso';
const hvm: VmAttributes = {
  name: 'desk', description: '', template: '', power_state: 'halted',
  memory: { static_min: 256 * MiB, static_max: 256 * MiB, dynamic_min: 256 * MiB, dynamic_max: 256 * MiB },
  vcpus: 1, vcpus_max: 1,
  boot: { mode: 'hvm', bootloader: '', kernel: '', ramdisk: '', args: '', bootloader_args: '', order: 'cd', firmware: 'bios' },
  disks: [{ name: 'root', size: 64 * MiB, sr: '', bootable: true }],
  networks: [],
  tags: [], other_config: {},
};

async function host(t: Test) {
  const h = xlSim(t, 'desk');
  const domain = async () => {
    const d = await h.domain();
    return { domid: d.domid, cd: d.config.disks?.find((x) => x.is_cdrom === 1) };
  };
  return { ...h, domain };
}

t.test('a halted HVM guest gets a drive in its guest file, and the running domain takes and gives up the ISO in place', async (t) => {
  const { run, domain, cfg } = await host(t);
  await run({ op: 'create', attributes: hvm, markers: { address: 'vm.desk', lineage: 'L' } });
  const halted = await run({ op: 'set', changes: [{ path: 'cdrom', value: { iso: null } }] });
  t.same(halted.observed!.attributes.cdrom, { iso: null }, 'refresh reads an empty drive back');
  t.match(cfg(), /"vdev=hdc, access=ro, devtype=cdrom, target=" \]$/m, 'the guest file has an empty drive');
  t.same(halted.observed!.attributes.disks.map((d) => d.name), ['root'], 'the drive is not taken for a disk');

  await run({ op: 'start' });
  const booted = await domain();
  t.same(booted.cd, { pdev_path: '', vdev: 'hdc', format: 'raw', readwrite: 0, is_cdrom: 1 }, 'the domain boots with the empty drive');

  const inserted = await run({ op: 'set', changes: [{ path: 'cdrom', value: { iso: ISO } }] });
  const after = await domain();
  t.equal(after.domid, booted.domid, 'the same domain: nothing was restarted');
  t.equal(after.cd?.pdev_path, ISO, 'xl cd-insert put the ISO in the running domain');
  t.match(cfg(), `"format=raw, vdev=hdc, access=ro, devtype=cdrom, target=${ISO}" ]`, 'the guest file says the same');
  t.same(inserted.observed!.attributes.cdrom, { iso: ISO });

  await run({ op: 'set', changes: [{ path: 'cdrom', value: { iso: null } }] });
  const ejected = await domain();
  t.equal(ejected.domid, booted.domid, 'the same domain');
  t.equal(ejected.cd?.pdev_path, '', 'xl cd-eject emptied the drive');
  t.match(cfg(), /"vdev=hdc, access=ro, devtype=cdrom, target=" \]$/m);
});

t.test('a drive written by hand under another vdev keeps its vdev', async (t) => {
  const { sim, run, domain, cfg } = await host(t);
  await run({ op: 'create', attributes: { ...hvm, cdrom: { iso: null } }, markers: { address: 'vm.desk', lineage: 'L' } });
  const path = join('/etc/xen', 'desk.cfg');
  await sim.writeFile!(path, cfg().replace('"vdev=hdc, access=ro, devtype=cdrom, target="', '",,hdd,cdrom"'), 0o644);
  await run({ op: 'start' });
  await run({ op: 'set', changes: [{ path: 'cdrom', value: { iso: ISO } }] });
  t.equal((await domain()).cd?.vdev, 'hdd');
  t.equal((await domain()).cd?.pdev_path, ISO, 'xl cd-insert names the drive the file has');
  t.match(cfg(), `"format=raw, vdev=hdd, access=ro, devtype=cdrom, target=${ISO}" ]`);
});

t.test('a running domain without a drive is refused rather than written into its guest file alone', async (t) => {
  const { run, cfg } = await host(t);
  await run({ op: 'create', attributes: hvm, markers: { address: 'vm.desk', lineage: 'L' } });
  await run({ op: 'start' });
  await t.rejects(run({ op: 'set', changes: [{ path: 'cdrom', value: { iso: ISO } }] }), { message: /the running domain has no CD drive, and xl cannot add one to a running guest/ });
  t.notMatch(cfg(), /cdrom/, 'the guest file is left as it was');
});

t.test('an ISO inserted live is in the drive again after a restart from the guest file', async (t) => {
  const { run, domain } = await host(t);
  await run({ op: 'create', attributes: { ...hvm, cdrom: { iso: null } }, markers: { address: 'vm.desk', lineage: 'L' } });
  await run({ op: 'start' });
  await run({ op: 'set', changes: [{ path: 'cdrom', value: { iso: ISO } }] });
  const live = await domain();
  await run({ op: 'hard_reboot' });
  const rebooted = await domain();
  t.not(rebooted.domid, live.domid, 'a new domain');
  t.equal(rebooted.cd?.pdev_path, ISO);
});
