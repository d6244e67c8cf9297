import t from 'tap';
import { XapiProvider } from '../../providers/xapi/provider.js';
import { ProviderError } from '../../providers/provider.js';
import type { VmAttributes } from '../../planner/model/vm.js';
import type { Step } from '../../planner/model/ops.js';
import { stepOf, type FlatStep } from '../support/steps.js';
import { FakeTransport, fail, ok, xeTable } from './fake-transport.js';

const WEB = '5b1d2c3e-aaaa-4bbb-8ccc-1234567890ab';
const DOM0 = '0e6a3c5f-7b7d-4b8e-9a3a-2f1c9d1e0a11';
const VDI = '7c1d2c3e-aaaa-4bbb-8ccc-1234567890ab';
const SR = '9d1d2c3e-aaaa-4bbb-8ccc-1234567890ab';
const NET = 'ad1d2c3e-aaaa-4bbb-8ccc-1234567890ab';

const vmFields = (uuid: string, name: string, other: string, extra: [string, string][] = []): [string, string][] => [
  ['uuid ( RO)', uuid],
  ['name-label ( RW)', name],
  ['name-description ( RW)', 'the web server'],
  ['is-control-domain ( RO)', uuid === DOM0 ? 'true' : 'false'],
  ['power-state ( RO)', uuid === DOM0 ? 'running' : 'halted'],
  ['memory-static-max ( RW)', '2147483648'],
  ['memory-dynamic-max ( RW)', '2147483648'],
  ['memory-dynamic-min ( RW)', '1073741824'],
  ['memory-static-min ( RW)', '536870912'],
  ['VCPUs-max ( RW)', '4'],
  ['VCPUs-at-startup ( RW)', '2'],
  ['HVM-boot-policy ( RW)', ''],
  ['HVM-boot-params (MRW)', ''],
  ['PV-kernel ( RW)', ''],
  ['PV-ramdisk ( RW)', ''],
  ['PV-args ( RW)', 'console=hvc0 quiet'],
  ['PV-bootloader ( RW)', 'pygrub'],
  ['PV-bootloader-args ( RW)', ''],
  ['other-config (MRW)', other],
  ['dom-id ( RO)', '-1'],
  ['start-time ( RO)', '19700101T00:00:00Z'],
  ['tags (SRW)', 'web, prod'],
  ['requires-reboot ( RO)', 'false'],
  ['PV-drivers-detected ( RO)', 'false'],
  ['can-use-hotplug-vbd ( RO)', 'unspecified'],
  ['can-use-hotplug-vif ( RO)', 'unspecified'],
  ['other (MRO)', ''],
  ['networks (MRO)', ''],
  ['resident-on ( RO)', uuid === DOM0 ? 'h1' : '<not in database>'],
  ['affinity ( RW)', '<not in database>'],
  ['platform (MRW)', 'timeoffset: 0; secureboot: false'],
  ['vtpms ( RO)', ''],
  ...extra,
];

function inventoryHost(argv: string[]) {
  const cmd = argv[1];
  if (cmd === 'vm-list') {
    return ok(xeTable([
      vmFields(DOM0, 'Control domain on host: xcp1', ''),
      vmFields(WEB, 'web-0', 'xenform-address: vm.web[0]; xenform-lineage: L1; xenform-template: Debian Bookworm 12; mac_seed: 3f; owner: ops'),
    ]));
  }
  if (cmd === 'vbd-list') return ok(xeTable([[['uuid ( RO)', 'b1'], ['vm-uuid ( RO)', WEB], ['vdi-uuid ( RO)', VDI], ['empty ( RO)', 'false'], ['userdevice ( RW)', '0'], ['bootable ( RW)', 'true'], ['type ( RW)', 'Disk'], ['currently-attached ( RO)', 'false'], ['vdi-name-label ( RO)', 'web-0-root']]]));
  if (cmd === 'vdi-list') return ok(xeTable([[['uuid ( RO)', VDI], ['name-label ( RW)', 'web-0-root'], ['virtual-size ( RO)', '21474836480'], ['sr-uuid ( RO)', SR], ['other-config (MRW)', `xenform-disk: root; xenform-vm: ${WEB}`]]]));
  if (cmd === 'vif-list') return ok(xeTable([[['uuid ( RO)', 'v1'], ['vm-uuid ( RO)', WEB], ['device ( RO)', '0'], ['MAC ( RO)', 'aa:bb:cc:dd:ee:ff'], ['other-config (MRW)', 'xenform-network: eth0'], ['network-uuid ( RO)', NET], ['currently-attached ( RO)', 'false']]]));
  if (cmd === 'template-list') return ok(xeTable([[['uuid ( RO)', 't1'], ['name-label ( RW)', 'Debian Bookworm 12'], ['HVM-boot-policy ( RW)', 'BIOS order'], ['HVM-boot-params (MRW)', 'order: cdn'], ['PV-kernel ( RW)', ''], ['PV-ramdisk ( RW)', ''], ['PV-args ( RW)', ''], ['PV-bootloader ( RW)', ''], ['PV-bootloader-args ( RW)', ''], ['platform (MRW)', 'secureboot: auto']]]));
  if (cmd === 'sr-list') return ok(xeTable([[['uuid ( RO)', SR], ['name-label ( RW)', 'Local storage'], ['type ( RO)', 'lvm'], ['host ( RO)', 'lab']]]));
  if (cmd === 'network-list') return ok(xeTable([[['uuid ( RO)', NET], ['name-label ( RW)', 'Pool-wide network associated with eth0'], ['bridge ( RO)', 'xenbr0']]]));
  if (cmd === 'sm-list') return ok(xeTable([[['uuid ( RO)', 'sm1'], ['type ( RO)', 'lvm'], ['features (MRO)', 'SR_PROBE: 1; VDI_RESIZE: 1; VDI_RESET_ON_BOOT: 2']]]));
  return undefined;
}

t.test('the inventory is one round trip and reads every VM but dom0', async (t) => {
  const fake = new FakeTransport(inventoryHost);
  const inv = await new XapiProvider('lab', fake).inventory();
  t.equal(fake.roundTrips(), 1, 'one round trip');
  const lists = ['vm-list', 'vbd-list', 'vdi-list', 'vif-list', 'template-list', 'sr-list', 'network-list', 'host-list', 'sm-list'];
  t.same(fake.calls.filter((c) => !c.includes('--minimal')).map((c) => c[1]), lists);
  t.same(fake.calls.filter((c) => c.includes('--minimal')).map((c) => c.slice(1).join(' ')), lists.map((l) => `${l} params=uuid --minimal`), 'each with its uuids');
  t.equal(inv.vms.length, 1, 'the control domain is left out');
  const [vm] = inv.vms;
  t.same(vm.markers, { address: 'vm.web[0]', lineage: 'L1' }, 'markers come from other-config');
  t.same(vm.attributes.other_config, { owner: 'ops' }, 'markers and xapi keys are not user other_config');
  t.equal(vm.attributes.template, 'Debian Bookworm 12');
  t.same(vm.attributes.memory, { static_min: 536870912, static_max: 2147483648, dynamic_min: 1073741824, dynamic_max: 2147483648 });
  t.equal(vm.attributes.vcpus, 2);
  t.equal(vm.attributes.vcpus_max, 4);
  t.same(vm.attributes.boot, { mode: 'pv', bootloader: 'pygrub', kernel: '', ramdisk: '', args: 'console=hvc0 quiet', bootloader_args: '', order: '', firmware: 'bios' });
  t.same(vm.attributes.disks, [{ name: 'root', size: 21474836480, sr: 'Local storage', bootable: true, device: '0' }]);
  t.same(vm.attributes.networks, [{ name: 'eth0', network: 'Pool-wide network associated with eth0', mac: 'aa:bb:cc:dd:ee:ff' }]);
  t.same(vm.attributes.tags, ['web', 'prod']);
  t.equal(vm.attributes.power_state, 'halted');
  t.equal(vm.booted_with, null, 'a halted VM has no booted configuration');
  t.same(inv.srs, [{ uuid: SR, name: 'Local storage', type: 'lvm', allocation_unit: 2 * 1024 * 1024, capabilities: ['SR_PROBE', 'VDI_RESIZE', 'VDI_RESET_ON_BOOT'] }], 'an LVM SR gives disks whole 2 MiB blocks; its driver\'s features are its capabilities');
  t.equal(vm.guest, undefined, 'a halted VM has no guest capabilities');
  const hvm = { mode: 'hvm', bootloader: '', kernel: '', ramdisk: '', args: '', bootloader_args: '', order: 'cdn', firmware: 'bios' };
  t.same(inv.templates, [{ uuid: 't1', name: 'Debian Bookworm 12', boot: hvm }], 'templates say how they boot');
});

const ATTRS: VmAttributes = {
  name: 'web-0', description: 'the web server', template: 'Debian Bookworm 12', power_state: 'halted',
  memory: { static_min: 536870912, static_max: 2147483648, dynamic_min: 2147483648, dynamic_max: 2147483648 },
  vcpus: 2, vcpus_max: 4,
  boot: { mode: 'pv', bootloader: 'pygrub', kernel: '', ramdisk: '', args: 'console=hvc0 $(reboot)', bootloader_args: '', order: '', firmware: 'bios' },
  disks: [{ name: 'root', size: 21474836480, sr: 'Local storage', bootable: true }],
  networks: [{ name: 'eth0', network: 'xenbr0' }],
  tags: ['web'], other_config: { owner: 'ops' },
};

const step = (flat: FlatStep): Step => stepOf(flat, { address: 'vm.web[0]', host: 'lab' });

t.test('create installs the VM and marks it in one round trip, then sets it up by uuid', async (t) => {
  const fake = new FakeTransport((argv) => {
    if (argv[1] === 'vm-install') return ok(`${WEB}\n`);
    if (argv[1] === 'sr-list' && argv[2] === 'name-label=Local storage') return ok(`${SR}\n`);
    if (argv[1] === 'network-list' && argv[2] === 'name-label=xenbr0') return ok('\n');
    if (argv[1] === 'network-list' && argv[2] === 'bridge=xenbr0') return ok(`${NET}\n`);
    if (argv[1] === 'vm-param-get') return ok('web-0\n');
    if (argv[1] === 'vdi-create') return ok(`${VDI}\n`);
    if (argv[1] === 'vbd-list' && argv.includes('--minimal')) return ok('\n');
    if (argv[1] === 'vif-list' && argv.includes('--minimal')) return ok('\n');
    if (argv[1] === 'vbd-create') return ok('b1\n');
    if (argv[1] === 'vif-create') return ok('v1\n');
    return inventoryHost(argv);
  });
  const provider = new XapiProvider('lab', fake);
  const result = await provider.execute(step({ op: 'create', attributes: ATTRS, markers: { address: 'vm.web[0]', lineage: 'L1' } }), { uuid: null, address: 'vm.web[0]' });
  t.equal(result.uuid, WEB);
  const lines = fake.calls.map((c) => c.join(' '));
  t.equal(lines[0], 'xe template-list name-label=Debian Bookworm 12 params=uuid --minimal', 'the template is found by name among templates, not snapshots');
  t.equal(lines[1], 'xe vm-install template=t1 new-name-label=web-0 sr-name-label=Local storage', 'and installed by uuid');
  t.equal(lines[2], `xe vm-param-set other-config:xenform-address=vm.web[0] other-config:xenform-lineage=L1 other-config:xenform-template=Debian Bookworm 12 uuid=${WEB}`, 'the markers come right after vm-install');
  const at = (s: string) => lines.findIndex((l) => l.includes(s));
  t.equal(at('vbd-destroy'), -1, 'disks the template provisioned are left alone');
  t.ok(at('vm-memory-limits-set') > 1, 'memory is set');
  t.ok(at('VCPUs-at-startup=1') < at('VCPUs-max=4') && at('VCPUs-max=4') < at('VCPUs-at-startup=2'), 'vCPUs are set in an order xapi accepts');
  t.ok(lines.includes(`xe vm-param-set uuid=${WEB} HVM-boot-policy= PV-bootloader=pygrub PV-kernel= PV-ramdisk= PV-args=console=hvc0 $(reboot) PV-bootloader-args=`), 'PV boot fields, the value passed as one argument');
  t.ok(lines.includes(`xe vdi-create sr-uuid=${SR} name-label=web-0-root virtual-size=21474836480 type=user`));
  t.ok(lines.includes(`xe vdi-param-set uuid=${VDI} other-config:xenform-disk=root other-config:xenform-vm=${WEB}`), 'the disk is marked as xenform\'s');
  t.ok(lines.includes(`xe vbd-create vm-uuid=${WEB} vdi-uuid=${VDI} device=0 bootable=true mode=RW type=Disk`));
  t.ok(lines.includes(`xe vif-create vm-uuid=${WEB} network-uuid=${NET} device=0`), 'a network found by bridge');
  t.ok(lines.includes(`xe vm-param-add uuid=${WEB} param-name=tags param-key=web`));
  t.ok(lines.includes(`xe vm-param-set uuid=${WEB} other-config:owner=ops`));
  const vmCommands = fake.calls.filter((c) => c[1].startsWith('vm-') && c[1] !== 'vm-install' && c[1] !== 'vm-list');
  t.ok(vmCommands.length > 5 && vmCommands.every((c) => c.includes(`uuid=${WEB}`)), 'every later vm-* command selects the VM by uuid');
});

t.test('an HVM boot sets the policy, order and firmware', async (t) => {
  const fake = new FakeTransport(inventoryHost);
  await new XapiProvider('lab', fake).execute(step({ op: 'set', changes: [
    { path: 'boot', value: { ...ATTRS.boot, mode: 'hvm', order: 'dc', firmware: 'uefi', args: '' } },
  ] }), { uuid: WEB, address: 'vm.web[0]' });
  t.same(fake.calls[0], ['xe', 'vm-param-set', `uuid=${WEB}`, 'HVM-boot-policy=BIOS order', 'HVM-boot-params:order=dc',
    'HVM-boot-params:firmware=uefi', 'platform:secureboot=false', 'PV-bootloader=', 'PV-kernel=', 'PV-ramdisk=', 'PV-args=', 'PV-bootloader-args=']);
});

t.test('set applies each change in the order given', async (t) => {
  const fake = new FakeTransport(inventoryHost);
  await new XapiProvider('lab', fake).execute(step({ op: 'set', changes: [
    { path: 'memory.static_max', value: 4294967296 },
    { path: 'memory.dynamic_max', value: 4294967296 },
    { path: 'vcpus_max', value: 8 },
    { path: 'vcpus', value: 6 },
    { path: 'boot.args', value: "quiet 'single'" },
    { path: 'name', value: 'web-zero' },
    { path: 'other_config.owner', value: 'sre' },
    { path: 'other_config.gone', value: null },
    { path: 'tags', value: ['a', 'b'] },
  ] }), { uuid: WEB, address: 'vm.web[0]' });
  const sets = fake.calls.filter((c) => c[1] !== 'vm-list' && c[1] !== 'vbd-list' && c[1] !== 'vdi-list' && c[1] !== 'vif-list' && !c[1].endsWith('-list') && c[1] !== 'template-list');
  t.same(sets.map((c) => c.slice(1).join(' ')), [
    `vm-param-set uuid=${WEB} memory-static-max=4294967296`,
    `vm-param-set uuid=${WEB} memory-dynamic-max=4294967296`,
    `vm-param-set uuid=${WEB} VCPUs-max=8`,
    `vm-param-set uuid=${WEB} VCPUs-at-startup=6`,
    `vm-param-set uuid=${WEB} PV-args=quiet 'single'`,
    `vm-param-set uuid=${WEB} name-label=web-zero`,
    `vm-param-set uuid=${WEB} other-config:owner=sre`,
    `vm-param-remove uuid=${WEB} param-name=other-config param-key=gone`,
    `vm-param-clear uuid=${WEB} param-name=tags`,
    `vm-param-add uuid=${WEB} param-name=tags param-key=a`,
    `vm-param-add uuid=${WEB} param-name=tags param-key=b`,
  ]);
});

const BAD_POWER = (expected: string, actual: string) =>
  "You attempted an operation on a VM that was not in an appropriate power state at the time; for example, you attempted to start a VM that was already running. The parameters returned are the VM's handle, and the expected and actual VM state at the time of the call.\n" +
  `vm: ${WEB} (web-0)\nexpected: ${expected}\nactual: ${actual}\n`;

t.test('xe errors become ProviderErrors a user understands', async (t) => {
  const cases: { name: string; op: FlatStep; stderr: string; code: string; message: RegExp }[] = [
    { name: 'a paused VM asked to shut down cleanly', op: { op: 'clean_shutdown' }, stderr: BAD_POWER('running', 'paused'), code: 'VM_BAD_POWER_STATE', message: /^web-0 is paused; clean_shutdown needs a running VM$/ },
    { name: 'a running VM asked to be destroyed', op: { op: 'destroy', disks: [] }, stderr: BAD_POWER('halted, suspended', 'running'), code: 'VM_BAD_POWER_STATE', message: /^web-0 is running; destroy needs a halted or suspended VM$/ },
    { name: 'a VM deleted outside xenform', op: { op: 'start' }, stderr: 'Error: No matching VMs found\n', code: 'VM_NOT_FOUND', message: /vm\.web\[0\] no longer exists on host "lab"/ },
    { name: 'an unknown error code', op: { op: 'start' }, stderr: 'Error code: SR_BACKEND_FAILURE_44\nError parameters: , There is insufficient space, \n', code: 'SR_BACKEND_FAILURE_44', message: /start of vm\.web\[0\] failed on host "lab"/ },
    { name: 'not enough memory', op: { op: 'start' }, stderr: 'Not enough server memory is available to perform this operation.\nneeded: 4294967296\navailable: 1073741824\n', code: 'HOST_NOT_ENOUGH_FREE_MEMORY', message: /host "lab" has not enough free memory to start vm\.web\[0\] \(needs 4294967296, has 1073741824\)/ },
  ];
  for (const c of cases) {
    const fake = new FakeTransport((argv) => (argv[1].startsWith('vm-') && argv[1] !== 'vm-list' ? fail(c.stderr) : argv[1] === 'vdi-list' ? ok('\n') : inventoryHost(argv)));
    const err = await new XapiProvider('lab', fake).execute(step(c.op), { uuid: WEB, address: 'vm.web[0]' }).catch((e) => e);
    t.type(err, ProviderError, c.name);
    t.equal(err.code, c.code, `${c.name}: code ${c.code}`);
    t.match(err.message, c.message, `${c.name}: message`);
  }
});

t.test('a clean shutdown is one xe call that stops waiting when the engine aborts it', async (t) => {
  const fake = new FakeTransport(inventoryHost);
  await new XapiProvider('lab', fake).execute(step({ op: 'clean_shutdown', shutdown: { mode: 'clean', timeout_ms: 1000, fallback: 'hard' } }), { uuid: WEB, address: 'vm.web[0]' });
  t.same(fake.calls.filter((c) => c[1] === 'vm-shutdown'), [['xe', 'vm-shutdown', `uuid=${WEB}`]], 'the fallback is left to the engine');
  const aborted = new AbortController();
  aborted.abort();
  const err = await new XapiProvider('lab', new FakeTransport(inventoryHost))
    .execute(step({ op: 'clean_shutdown' }), { uuid: WEB, address: 'vm.web[0]' }, aborted.signal)
    .catch((e) => e);
  t.equal(err.code, 'ABORTED', 'an aborted step does not start');
});

t.test('destroy deletes only the unshared, non-snapshot disks that are the VM\'s own', async (t) => {
  const disks: Record<string, { vbdOther: string; snapshot: string; marker: string | null; users: string; sharable: string }> = {
    '11111111-0000-4000-8000-000000000001': { vbdOther: '', snapshot: 'false', marker: WEB, users: WEB, sharable: 'false' },
    '11111111-0000-4000-8000-000000000002': { vbdOther: 'owner: ', snapshot: 'false', marker: null, users: WEB, sharable: 'false' },
    '11111111-0000-4000-8000-000000000003': { vbdOther: '', snapshot: 'false', marker: null, users: WEB, sharable: 'false' },
    '11111111-0000-4000-8000-000000000004': { vbdOther: '', snapshot: 'true', marker: WEB, users: WEB, sharable: 'false' },
    '11111111-0000-4000-8000-000000000005': { vbdOther: '', snapshot: 'false', marker: WEB, users: `${WEB},${DOM0}`, sharable: 'false' },
    '11111111-0000-4000-8000-000000000006': { vbdOther: 'owner: ', snapshot: 'false', marker: null, users: WEB, sharable: 'true' },
  };
  const fake = new FakeTransport((argv) => {
    const [, cmd, first] = argv;
    const vdi = first?.replace(/^(uuid|vdi-uuid)=/, '') ?? '';
    if (cmd === 'vbd-list' && first === `vm-uuid=${WEB}`) {
      return ok(xeTable(Object.entries(disks).map(([v, d], i): [string, string][] => [['uuid ( RO)', `b${i}`], ['vdi-uuid ( RO)', v], ['other-config (MRW)', d.vbdOther]])));
    }
    if (cmd === 'vm-param-get') return ok('halted\n');
    if (cmd === 'vbd-list') return ok(`${disks[vdi].users}\n`);
    if (cmd === 'vdi-param-get' && argv[3] === 'param-name=is-a-snapshot') return ok(`${disks[vdi].snapshot}\n`);
    if (cmd === 'vdi-param-get' && argv[3] === 'param-name=sharable') return ok(`${disks[vdi].sharable}\n`);
    if (cmd === 'vdi-param-get') return disks[vdi].marker ? ok(`${disks[vdi].marker}\n`) : fail('Error: Key xenform-vm not found in map\n');
    return ok();
  });
  const result = await new XapiProvider('lab', fake).execute(step({ op: 'destroy', disks: [] }), { uuid: WEB, address: 'vm.web[0]' });
  t.equal(result.observed, null);
  const destroyed = fake.calls.filter((c) => c[1] === 'vm-destroy' || c[1] === 'vdi-destroy').map((c) => c.slice(1).join(' '));
  t.same(destroyed, [
    `vm-destroy uuid=${WEB}`,
    'vdi-destroy uuid=11111111-0000-4000-8000-000000000001', // made by xenform for it
    'vdi-destroy uuid=11111111-0000-4000-8000-000000000002', // provisioned by its template
  ], 'not an attached disk of someone else, a snapshot, a disk another VM uses or a sharable one');
});

t.test('reading one VM is one round trip; SR and network names are read once per provider', async (t) => {
  const fake = new FakeTransport(inventoryHost);
  const provider = new XapiProvider('lab', fake);
  const first = await provider.readVm(WEB);
  t.equal(fake.roundTrips(), 1, 'one round trip');
  t.same(fake.calls.filter((c) => !c.includes('--minimal')).map((c) => c.slice(1, 3).join(' ')), [
    `vm-list uuid=${WEB}`,
    `vbd-list vm-uuid=${WEB}`,
    `vdi-list other-config:xenform-vm=${WEB}`,
    `vif-list vm-uuid=${WEB}`,
    'sr-list params=uuid,name-label,type,host',
    'network-list params=uuid,name-label,bridge',
    'host-list params=uuid,name-label,cpu_info,memory-total,memory-free,enabled',
  ], 'the VM, its devices, only the disks made for it, and the names (of the pool members too)');
  t.same(first?.attributes.disks, [{ name: 'root', size: 21474836480, sr: 'Local storage', bootable: true, device: '0' }]);
  fake.calls.length = 0;
  const again = await provider.readVm(WEB);
  t.same(fake.calls.filter((c) => !c.includes('--minimal')).map((c) => c[1]), ['vm-list', 'vbd-list', 'vdi-list', 'vif-list'], 'the names are not read again');
  t.same(again, first);
});

t.test('a disk made for another VM is not one of this VM\'s managed disks', async (t) => {
  const fake = new FakeTransport((argv) =>
    argv[1] === 'vdi-list'
      ? ok(xeTable([[['uuid ( RO)', VDI], ['name-label ( RW)', 'copied'], ['virtual-size ( RO)', '1024'], ['sr-uuid ( RO)', SR], ['other-config (MRW)', 'xenform-disk: root; xenform-vm: 11111111-2222-4333-8444-555555555555']]]))
      : inventoryHost(argv),
  );
  const inv = await new XapiProvider('lab', fake).inventory();
  t.same(inv.vms[0].attributes.disks, [], 'a copy of another VM\'s disk is left alone');
});

t.test('a start, the read of its new domain and the marker that names the domain go in one round trip of three xe', async (t) => {
  let power = 'halted';
  const fake = new FakeTransport((argv) => {
    if (argv[1] === 'vm-start') {
      power = 'running';
      return ok();
    }
    if (argv[1] === 'vm-list') {
      // as xe does, only the fields params= names
      const wanted = (argv.find((a) => a.startsWith('params='))?.slice('params='.length) ?? '').split(',');
      const fields = vmFields(WEB, 'web-0', 'xenform-address: vm.web[0]', [['resident-on ( RO)', 'h']])
        .map(([k, v]): [string, string] => (k.startsWith('power-state') ? [k, power] : k.startsWith('dom-id') ? [k, power === 'running' ? '7' : '-1'] : k.startsWith('start-time') ? [k, power === 'running' ? '20261206T15:00:00Z' : v] : [k, v]))
        .filter(([k]) => wanted.includes(k.split(' ')[0]));
      return ok(xeTable([fields]));
    }
    return inventoryHost(argv);
  });
  const provider = new XapiProvider('lab', fake);
  const before = await provider.readVm(WEB);
  fake.calls.length = 0;
  const trips = fake.roundTrips();
  const result = await provider.execute(step({ op: 'start' }), { uuid: WEB, address: 'vm.web[0]' });
  t.equal(fake.roundTrips() - trips, 1, 'one round trip');
  const boot = before!.attributes.boot;
  const prefix = Buffer.from(JSON.stringify({ boot })).toString('base64');
  t.same(fake.calls.map((c) => c.slice(1).join(' ')), [
    `vm-start uuid=${WEB}`,
    `vm-list uuid=${WEB} params=uuid,power-state,dom-id,start-time,requires-reboot`,
    `vm-param-set uuid=${WEB} other-config:xenform-booted-with=${prefix} 7 20261206T15:00:00Z`,
  ], 'the start, its power fields, then the marker with the boot, the new dom-id and start-time');
  t.equal(result.observed?.attributes.power_state, 'running');
  t.same(result.observed?.booted_with, boot, 'the boot it was built with');
  t.equal(result.observed?.requires_reboot, false);
  t.same(result.observed?.attributes.disks, before!.attributes.disks, 'its disks, as read before');
  t.same(result.observed?.attributes.networks, before!.attributes.networks, 'its networks, as read before');
});
