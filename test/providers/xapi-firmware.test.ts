// Firmware on XAPI through the provider: what refresh reads (in the inventory's own round
// trip) and the xe each firmware change runs.
import t from 'tap';
import { XapiProvider } from '../../providers/xapi/provider.js';
import type { Step } from '../../planner/model/ops.js';
import { stepOf, type FlatStep } from '../support/steps.js';
import { FakeTransport, ok, xeTable } from './fake-transport.js';

const VM = '5b1d2c3e-aaaa-4bbb-8ccc-1234567890ab';
const VTPM = '6c1d2c3e-aaaa-4bbb-8ccc-1234567890ab';

const vm = (platform: string, params: string, vtpms: string): [string, string][] => [
  ['uuid ( RO)', VM], ['name-label ( RW)', 'win'], ['name-description ( RW)', ''], ['power-state ( RO)', 'halted'], ['is-control-domain ( RO)', 'false'],
  ['memory-static-max ( RW)', '4294967296'], ['memory-dynamic-max ( RW)', '4294967296'], ['memory-dynamic-min ( RW)', '4294967296'], ['memory-static-min ( RW)', '4294967296'],
  ['VCPUs-max ( RW)', '2'], ['VCPUs-at-startup ( RW)', '2'], ['HVM-boot-policy ( RW)', 'BIOS order'], ['HVM-boot-params (MRW)', params],
  ['PV-kernel ( RW)', ''], ['PV-ramdisk ( RW)', ''], ['PV-args ( RW)', ''], ['PV-bootloader ( RW)', ''], ['PV-bootloader-args ( RW)', ''],
  ['other-config (MRW)', 'xenform-address: vm.win; xenform-lineage: L1'], ['dom-id ( RO)', '-1'], ['start-time ( RO)', '19700101T00:00:00Z'], ['tags (SRW)', ''],
  ['requires-reboot ( RO)', 'false'], ['resident-on ( RO)', '<not in database>'], ['affinity ( RW)', '<not in database>'],
  ['platform (MRW)', platform], ['vtpms ( RO)', vtpms],
  ['PV-drivers-detected ( RO)', 'false'], ['can-use-hotplug-vbd ( RO)', 'unspecified'], ['can-use-hotplug-vif ( RO)', 'unspecified'], ['other (MRO)', ''], ['networks (MRO)', ''],
];

function hostWith(record: [string, string][]) {
  return (argv: string[]) => {
    if (argv[1] === 'vm-list' && argv.includes('--minimal')) return ok(`${VM}\n`);
    if (argv[1] === 'vm-list') return ok(xeTable([record]));
    if (argv[1] === 'vtpm-list') return ok(`${VTPM}\n`);
    if (argv[1].endsWith('-list')) return ok('');
    return ok('');
  };
}

const cases = [
  { name: 'a UEFI VM with Secure Boot on and a vTPM', platform: 'secureboot: true', params: 'order: cd; firmware: uefi', vtpms: VTPM, firmware: 'uefi', secure: true, vtpm: true },
  { name: 'a UEFI VM whose template left secureboot "auto" reads it off, as get_secureboot_readiness does', platform: 'secureboot: auto', params: 'firmware: uefi', vtpms: '', firmware: 'uefi', secure: false, vtpm: false },
  { name: 'a BIOS VM with no platform keys', platform: '', params: 'order: cd', vtpms: '', firmware: 'bios', secure: false, vtpm: false },
];

for (const c of cases) {
  t.test(`refresh reads ${c.name} in its one round trip`, async (t) => {
    const fake = new FakeTransport(hostWith(vm(c.platform, c.params, c.vtpms)));
    const inv = await new XapiProvider('lab', fake).inventory();
    t.equal(fake.roundTrips(), 1, 'one round trip');
    t.ok(fake.calls.some((x) => x[1] === 'vm-list' && x.some((a) => a.startsWith('params=') && a.includes('platform') && a.includes('vtpms'))), 'the VM list asks for platform and vtpms');
    const [o] = inv.vms;
    t.equal(o.attributes.boot.firmware, c.firmware, 'firmware');
    t.equal(o.attributes.boot.secure_boot ?? false, c.secure, 'Secure Boot');
    t.equal(o.attributes.vtpm ?? false, c.vtpm, 'vTPM');
  });
}

const step = (flat: FlatStep): Step => stepOf(flat, { address: 'vm.win', host: 'lab' });

const sets: { name: string; path: string; value: unknown; xe: string[] }[] = [
  { name: 'a firmware switch sets HVM-boot-params:firmware and clears the NVRAM', path: 'boot.firmware', value: 'uefi', xe: [`vm-param-set uuid=${VM} HVM-boot-params:firmware=uefi`, `vm-param-clear uuid=${VM} param-name=NVRAM`] },
  { name: 'Secure Boot on sets platform:secureboot=true', path: 'boot.secure_boot', value: true, xe: [`vm-param-set uuid=${VM} platform:secureboot=true`] },
  { name: 'Secure Boot off sets platform:secureboot=false', path: 'boot.secure_boot', value: false, xe: [`vm-param-set uuid=${VM} platform:secureboot=false`] },
  { name: 'vtpm = false destroys the VM\'s vTPM, forced', path: 'vtpm', value: false, xe: [`vtpm-list vm-uuid=${VM} params=uuid --minimal`, `vtpm-destroy uuid=${VTPM} --force`] },
];

for (const c of sets) {
  t.test(c.name, async (t) => {
    const fake = new FakeTransport(hostWith(vm('', '', '')));
    await new XapiProvider('lab', fake).execute(step({ op: 'set', changes: [{ path: c.path, value: c.value }] }), { uuid: VM, address: 'vm.win' });
    t.same(fake.calls.filter((x) => !x[1].endsWith('-list') || x[1] === 'vtpm-list').map((x) => x.slice(1).join(' ')), c.xe, 'the xe it runs');
  });
}

t.test('vtpm = true creates a vTPM only when the VM has none', async (t) => {
  const fake = new FakeTransport((argv) => (argv[1] === 'vtpm-list' ? ok('\n') : hostWith(vm('', '', ''))(argv)));
  await new XapiProvider('lab', fake).execute(step({ op: 'set', changes: [{ path: 'vtpm', value: true }] }), { uuid: VM, address: 'vm.win' });
  t.same(fake.calls.filter((x) => x[1].startsWith('vtpm-')).map((x) => x.slice(1).join(' ')), [`vtpm-list vm-uuid=${VM} params=uuid --minimal`, `vtpm-create vm-uuid=${VM}`]);
});
