// Growing, copying and moving disks, and hot-plugging devices, with xapi's preconditions and
// error names (xen-api e2ee48d688 xapi_vdi.ml, xapi_vbd_helpers.ml, message_forwarding.ml;
// sm 471cf7ed FileSR.py, EXTSR.py).
import t, { type Test } from 'tap';
import { runSim } from '../../../providers/sim/index.js';
import { install, tempHost } from '../../support/sim-host.js';

const GiB = 1024 ** 3;

async function host(t: Test, faults?: object) {
  const { opts } = tempHost(t, faults);
  const xe = (...args: string[]) => runSim(['xe', ...args], opts);
  const ok = async (...args: string[]) => {
    const r = await xe(...args);
    if (r.code !== 0) throw new Error(`xe ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const sr = await ok('sr-list', 'name-label=Local storage', 'params=uuid', '--minimal');
  const vm = await install(opts, 'web');
  const vdi = await ok('vdi-create', `sr-uuid=${sr}`, 'name-label=data', `virtual-size=${10 * GiB}`);
  const vbd = await ok('vbd-create', `vm-uuid=${vm}`, `vdi-uuid=${vdi}`, 'device=1', 'type=Disk', 'mode=RW');
  return { xe, ok, sr, vm, vdi, vbd };
}

// xe prints an error's datamodel doc, then its parameters one per line.
const IN_USE = 'This operation cannot be performed because this VDI is in use by some other operation';

t.test('sm-list shows each driver\'s features as the sm sources declare them; none resizes online', async (t) => {
  const { ok } = await host(t);
  const ext = await ok('sm-list', 'type=ext', 'params=features', '--minimal');
  t.match(ext, /VDI_RESIZE: 1/);
  t.match(ext, /VDI_RESET_ON_BOOT: 2/, '"NAME/2" is version 2');
  t.notMatch(ext, /VDI_RESIZE_ONLINE/);
  t.notMatch(await ok('sm-list', 'type=iso', 'params=features', '--minimal'), /VDI_RESIZE/);
});

t.test('vdi-resize grows a detached disk, refuses an attached one and any shrink', async (t) => {
  const { xe, ok, vm, vdi, vbd } = await host(t);
  await ok('vdi-resize', `uuid=${vdi}`, `disk-size=${20 * GiB + 1}`);
  t.equal(Number(await ok('vdi-param-get', `uuid=${vdi}`, 'param-name=virtual-size')), 20 * GiB + 2 * 1024 ** 2, 'rounded up to the VHD block');
  const shrink = await xe('vdi-resize', `uuid=${vdi}`, `disk-size=${GiB}`);
  t.same([shrink.code, shrink.stderr], [1, 'Error code: SR_BACKEND_FAILURE_79\nError parameters: , VDI Invalid size [opterr=shrinking not allowed], \n'], 'SM refuses to shrink');
  await ok('vm-start', `uuid=${vm}`);
  t.equal(await ok('vbd-param-get', `uuid=${vbd}`, 'param-name=currently-attached'), 'true');
  const attached = await xe('vdi-resize', `uuid=${vdi}`, `disk-size=${30 * GiB}`);
  t.equal(attached.stderr, `${IN_USE}\nvdi: ${vdi}\noperation: resize\n`, 'VDI_IN_USE: an offline resize of an attached disk');
  const online = await xe('vdi-resize', `uuid=${vdi}`, `disk-size=${30 * GiB}`, 'online=true');
  t.match(online.stderr, /^The SR backend does not support the operation/, 'SR_OPERATION_NOT_SUPPORTED: ext declares no VDI_RESIZE_ONLINE');
});

t.test('vdi-resize online=true grows an attached disk when the SR\'s driver declares VDI_RESIZE_ONLINE', async (t) => {
  const { ok, vm, vdi } = await host(t, { sm_features: { ext: ['VDI_RESIZE_ONLINE'] } });
  await ok('vm-start', `uuid=${vm}`);
  await ok('vdi-resize', `uuid=${vdi}`, `disk-size=${30 * GiB}`, 'online=true');
  t.equal(Number(await ok('vdi-param-get', `uuid=${vdi}`, 'param-name=virtual-size')), 30 * GiB);
});

t.test('vdi-copy makes a marked copy on another SR; vdi-pool-migrate moves an attached disk', async (t) => {
  const { xe, ok, sr, vm, vdi, vbd } = await host(t);
  await ok('vdi-param-set', `uuid=${vdi}`, 'other-config:xenform-disk=data');
  const copy = await ok('vdi-copy', `uuid=${vdi}`, `sr-uuid=${sr}`);
  t.not(copy, vdi);
  t.equal(await ok('vdi-param-get', `uuid=${copy}`, 'param-name=other-config', 'param-key=xenform-disk'), 'data', 'other-config is carried over');
  const orphan = await xe('vdi-pool-migrate', `uuid=${copy}`, `sr-uuid=${sr}`);
  t.equal(orphan.stderr, `Cannot migrate a VDI which is not attached to a running VM.\nvdi: ${copy}\n`, 'VDI_NEEDS_VM_FOR_MIGRATE');
  await ok('vm-start', `uuid=${vm}`);
  t.equal((await xe('vdi-copy', `uuid=${vdi}`, `sr-uuid=${sr}`)).stderr, `${IN_USE}\nvdi: ${vdi}\noperation: copy\n`, 'a read-write attached disk is not copied');
  const moved = await ok('vdi-pool-migrate', `uuid=${vdi}`, `sr-uuid=${sr}`);
  t.equal(await ok('vbd-param-get', `uuid=${vbd}`, 'param-name=vdi-uuid'), moved, 'the VBD now uses the migrated disk');
  t.equal(await ok('vdi-list', `uuid=${vdi}`, '--minimal'), '', 'the old VDI is gone');
});

t.test('a running HVM guest without PV drivers cannot hot-plug a disk', async (t) => {
  const { xe, ok, vm, vdi } = await host(t, { no_pv_drivers: ['web'] });
  await ok('vm-start', `uuid=${vm}`);
  t.equal(await ok('vm-param-get', `uuid=${vm}`, 'param-name=can-use-hotplug-vbd'), 'unspecified');
  const vbd2 = await ok('vbd-create', `vm-uuid=${vm}`, `vdi-uuid=${vdi}`, 'device=2', 'type=Disk', 'mode=RO');
  t.match((await xe('vbd-plug', `uuid=${vbd2}`)).stderr, /^You attempted an operation on a VM which requires PV drivers to be installed but the drivers were not detected\.\nvm: /, 'VM_MISSING_PV_DRIVERS');
});

t.test('a running guest with PV drivers reports hot-plug as records.ml prints the tristate', async (t) => {
  const { ok, vm } = await host(t);
  await ok('vm-start', `uuid=${vm}`);
  t.equal(await ok('vm-param-get', `uuid=${vm}`, 'param-name=can-use-hotplug-vbd'), 'true');
  t.equal(await ok('vm-param-get', `uuid=${vm}`, 'param-name=PV-drivers-detected'), 'true');
});
