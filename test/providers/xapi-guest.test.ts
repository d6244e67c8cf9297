// What refresh makes of a running VM's guest metrics: xapi's own hot-plug rule (xen-api
// e2ee48d688 xapi_vbd_helpers.ml, xapi_vif_helpers.ml).
import t from 'tap';
import { observeVm, type XapiTables } from '../../providers/xapi/inventory.js';

const EMPTY: XapiTables = { vms: [], vbds: [], vdis: [], vifs: [], templates: [], srs: [], networks: [] };

function guest(hvm: boolean, metrics: Record<string, string>, power = 'running') {
  const r = { uuid: 'u-1', 'name-label': 'web', 'power-state': power, 'HVM-boot-policy': hvm ? 'BIOS order' : '', ...metrics };
  return observeVm('lab', r, EMPTY).guest;
}

const NID = '<not in database>';
const cases: { name: string; hvm: boolean; metrics: Record<string, string>; want: object | undefined; power?: string }[] = [
  {
    name: 'an HVM guest whose drivers claim hot-plug can hot-plug',
    hvm: true,
    metrics: { 'PV-drivers-detected': 'true', 'can-use-hotplug-vbd': 'true', 'can-use-hotplug-vif': 'true', other: 'feature-vcpu-hotplug: 1' },
    want: { pv_drivers: true, hotplug_disk: true, hotplug_network: true, hotplug_vcpus: true },
  },
  {
    name: 'an HVM guest with drivers that leave hot-plug unspecified can hot-plug',
    hvm: true,
    metrics: { 'PV-drivers-detected': 'true', 'can-use-hotplug-vbd': 'unspecified', 'can-use-hotplug-vif': 'unspecified', other: '' },
    want: { pv_drivers: true, hotplug_disk: true, hotplug_network: true, hotplug_vcpus: false },
  },
  {
    name: 'an HVM guest whose drivers refuse disk hot-plug cannot hot-plug disks',
    hvm: true,
    metrics: { 'PV-drivers-detected': 'true', 'can-use-hotplug-vbd': 'false', 'can-use-hotplug-vif': 'true', other: '' },
    want: { pv_drivers: true, hotplug_disk: false, hotplug_network: true, hotplug_vcpus: false },
  },
  {
    name: 'an HVM guest with no guest metrics has no drivers',
    hvm: true,
    metrics: { 'PV-drivers-detected': NID, 'can-use-hotplug-vbd': NID, 'can-use-hotplug-vif': NID, other: NID },
    want: { pv_drivers: false, hotplug_disk: false, hotplug_network: false, hotplug_vcpus: false },
  },
  {
    name: 'a PV guest always hot-plugs (its kernel is the driver)',
    hvm: false,
    metrics: { 'PV-drivers-detected': NID, 'can-use-hotplug-vbd': NID, 'can-use-hotplug-vif': NID, other: NID },
    want: { pv_drivers: true, hotplug_disk: true, hotplug_network: true, hotplug_vcpus: false },
  },
  { name: 'a halted VM has no guest capabilities', hvm: true, metrics: { 'PV-drivers-detected': 'false' }, power: 'halted', want: undefined },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    t.same(guest(c.hvm, c.metrics, c.power), c.want);
  });
}
