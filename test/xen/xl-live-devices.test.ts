// The live routes of the xl provider against a real Xen 4.17 host: vCPUs set with xl vcpu-set,
// a disk attached with xl block-attach and a network interface with xl network-attach, each
// on the running PV guest without rebuilding its domain, each followed by an empty plan.
import t, { type Test } from 'tap';
import { dom0, dom0Ok, resetDom0, waitFor, waitForBoot } from './dom0.js';
import { CONFIG_DIR, Workdir, type TinyVm } from './xenform.js';

const NAME = 'xf-live';
const BRIDGE = 'xfbr0';
const DISK = '  disk "data" {\n    size = "16MiB"\n  }';
const NIC = `  network "eth0" {\n    network = "${BRIDGE}"\n  }`;
const wd = new Workdir();
let vm: TinyVm = { name: NAME, power_state: 'running', args: 'console=hvc0', vcpus: 2, vcpus_max: 2 };
const configure = (patch: Partial<TinyVm>) => {
  vm = { ...vm, ...patch };
  wd.configure({ tiny: vm });
};

const domid = async () => Number((await dom0Ok(`xl domid ${NAME}`)).trim());
const onlineVcpus = async () => Number((await dom0Ok(`xl list ${NAME}`)).split('\n').find((l) => l.startsWith(`${NAME} `))!.trim().split(/\s+/)[3]);
const cfg = () => dom0Ok(`cat ${CONFIG_DIR}/${NAME}.cfg`);

async function liveOnly(t: Test, path: string, op: string) {
  const plan = await wd.plan();
  const rc = plan.resource_changes.find((c) => c.address === 'vm.tiny');
  t.equal(rc?.disruption, 'none', `${path}: the plan says the guest is not disrupted`);
  t.equal(rc?.changes.find((c) => c.path === path)?.effect, 'live', `${path} is live`);
  t.same(plan.steps.map((s) => s.op), [op], `one ${op} step`);
}

async function converged(t: Test) {
  const { code, output } = await wd.detailedExitCode();
  t.equal(code, 0, `plan --detailed-exitcode after apply exits 0 (no changes left)\n${output}`);
}

t.before(async () => {
  await resetDom0();
  // vif-bridge adds the backend interface to the bridge the vif names.
  await dom0Ok(`ip link show ${BRIDGE} >/dev/null 2>&1 || { ip link add ${BRIDGE} type bridge && ip link set ${BRIDGE} up; }`);
});
t.teardown(async () => {
  await resetDom0();
  await dom0(`ip link del ${BRIDGE}; rm -f /var/lib/xen/images/${NAME}-*.img`);
});

t.test('a PV guest with two vCPUs is created and boots', async (t) => {
  configure({});
  await wd.apply();
  await waitForBoot(NAME, 1);
  t.equal(await waitFor('two vCPUs online', async () => ((await onlineVcpus()) === 2 ? true : undefined), 60_000), true);
  await converged(t);
});

t.test('lowering vcpus runs xl vcpu-set on the running guest, which takes the vCPU offline', async (t) => {
  const id = await domid();
  configure({ vcpus: 1 });
  await liveOnly(t, 'vcpus', 'set');
  await wd.apply();
  t.equal(await waitFor('one vCPU online', async () => ((await onlineVcpus()) === 1 ? true : undefined), 120_000), true);
  t.equal(await domid(), id, 'the same domain');
  t.match(await cfg(), /^vcpus = 1$/m, 'the guest file says the same');
  await converged(t);
});

t.test('raising vcpus again makes the vCPU available to the running guest', async (t) => {
  const id = await domid();
  configure({ vcpus: 2 });
  await liveOnly(t, 'vcpus', 'set');
  await wd.apply();
  // xl vcpu-set writes the availability the PV guest's kernel watches; bringing the vCPU online
  // is then the guest's userspace's business (the test guest has no udev).
  t.equal((await dom0Ok(`xenstore-read /local/domain/${id}/cpu/1/availability`)).trim(), 'online');
  t.equal(await domid(), id, 'the same domain');
  t.match(await cfg(), /^vcpus = 2$/m);
  await converged(t);
});

t.test('a disk added to the running guest is attached with xl block-attach', async (t) => {
  const id = await domid();
  configure({ devices: DISK });
  await liveOnly(t, 'disks.data', 'add_disk');
  await wd.apply();
  t.match(await dom0Ok(`xl block-list ${NAME}`), /^51712\s/m, 'xvda is attached to the domain');
  t.equal(await domid(), id, 'the same domain');
  t.match(await cfg(), /vdev=xvda, access=rw, target=\/var\/lib\/xen\/images\/xf-live-data\.img/);
  await converged(t);
});

t.test('a network interface added to the running guest is attached with xl network-attach', async (t) => {
  const id = await domid();
  configure({ devices: `${DISK}\n${NIC}` });
  await liveOnly(t, 'networks.eth0', 'add_network');
  await wd.apply();
  t.match(await dom0Ok(`xl network-list ${NAME}`), /^0\s/m, 'vif devid 0 is attached to the domain');
  t.match(await dom0Ok(`ip -o link show master ${BRIDGE}`), new RegExp(`vif${id}\\.0`), 'its backend is on the bridge');
  t.equal(await domid(), id, 'the same domain');
  await converged(t);
});

// What the real xl answers where the simulated xl (providers/sim/xl/devices.ts) imitates it: the
// CD commands on a PV domain (xl(1): HVM guests only), usage errors and unknown devices (the
// texts were captured from this host by hand; test/providers/xl-live-devices.test.ts holds the
// simulator to the same). The test guest is PV: dom0 has no device model (qemu) for HVM.
t.test('xl refuses the CD commands on the PV guest and names unknown devices, as the simulated xl does', async (t) => {
  const id = await domid();
  const hvmOnly = `libxl: error: libxl_disk.c:838:libxl_cdrom_insert: Domain ${id}:cdrom-insert requires an HVM domain\n`;
  const cases: [string, number, string][] = [
    [`xl cd-insert ${NAME} hdc /tmp/xf-empty.iso`, 1, hvmOnly],
    [`xl cd-eject ${NAME} hdc`, 1, hvmOnly],
    ['xl cd-insert', 2, "'xl cd-insert' requires at least 3 arguments.\n\n"],
    [`xl cd-eject ${NAME}`, 2, "'xl cd-eject' requires at least 2 arguments.\n\n"],
    ['xl cd-insert xf-nosuch hdc /tmp/xf-empty.iso', 1, 'xf-nosuch is an invalid domain identifier (rc=-6)\n'],
    [`xl network-detach ${NAME} 9`, 1, `libxl: error: libxl_xshelp.c:206:libxl__xs_read_mandatory: xenstore read failed: \`/libxl/${id}/device/vif/9': No such file or directory\nUnknown device 9.\n`],
  ];
  await dom0Ok('truncate -s 1M /tmp/xf-empty.iso');
  for (const [line, code, stderr] of cases) {
    const r = await dom0(line);
    t.same({ code: r.code, stderr: r.stderr }, { code, stderr }, line);
  }
});

t.test('xl reads an empty CD drive and one with an ISO in the guest file xenform writes for an HVM guest', async (t) => {
  const cfgText = ['name = "xf-cd"', 'type = "hvm"', 'memory = 64', 'disk = [ "vdev=hdc, access=ro, devtype=cdrom, target=", "format=raw, vdev=hdd, access=ro, devtype=cdrom, target=/tmp/xf-empty.iso" ]', ''].join('\n');
  await dom0Ok(`printf '%s' '${cfgText}' > /tmp/xf-cd.cfg`);
  // xl create -n: a dry run that prints the domain configuration libxl would build.
  const out = await dom0Ok('xl create -n /tmp/xf-cd.cfg');
  t.match(out, /"pdev_path": "",\s*"vdev": "hdc",\s*"format": "empty",\s*"removable": 1,\s*"is_cdrom": 1/, 'an empty target is an empty drive');
  t.match(out, /"pdev_path": "\/tmp\/xf-empty.iso",\s*"vdev": "hdd",\s*"format": "raw"/, 'a target is the ISO in the drive');
});
