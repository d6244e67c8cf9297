// The last guard of the providers: a step whose arguments hold anything but text, numbers and
// flags is refused, naming the attribute, before any command reaches the host.
import t from 'tap';
import { XapiProvider } from '../../providers/xapi/provider.js';
import { XlProvider } from '../../providers/xl/provider.js';
import { ProviderError, type Provider } from '../../providers/provider.js';
import { UNKNOWN } from '../../planner/config/types.js';
import { stepOf, type FlatStep } from '../support/steps.js';
import { FakeTransport } from './fake-transport.js';

const WEB = '5b1d2c3e-aaaa-4bbb-8ccc-1234567890ab';
const step = (flat: FlatStep) => stepOf(flat, { address: 'vm.web', host: 'lab' });
const boot = { mode: 'pv', bootloader: '', kernel: '/boot/vmlinuz', ramdisk: '', args: '', bootloader_args: '', order: '', firmware: 'bios' };
const attrs = (over: Record<string, unknown>) => ({
  name: 'web', description: '', template: 'Other install media', power_state: 'halted',
  memory: { static_min: 1 << 30, dynamic_min: 1 << 30, dynamic_max: 1 << 30, static_max: 1 << 30 },
  vcpus: 1, vcpus_max: 1, boot, disks: [], networks: [], tags: [], other_config: {}, ...over,
});
const create = (over: Record<string, unknown>) => step({ op: 'create', attributes: attrs(over), markers: { address: 'vm.web', lineage: 'L1' } });

class Opaque {
  toString(): string {
    return 'opaque';
  }
}

const cases: { name: string; step: ReturnType<typeof step>; attribute: string; says: RegExp }[] = [
  { name: 'a description still known only after apply is refused, naming description', step: create({ description: UNKNOWN }), attribute: 'description', says: /description is known only after apply/ },
  { name: 'an other-config value still known only after apply is refused, naming its key', step: create({ other_config: { team: 'ops', db: UNKNOWN } }), attribute: 'other_config.db', says: /other_config\.db is known only after apply/ },
  { name: 'a disk size that is a Date is refused', step: create({ disks: [{ name: 'root', size: new Date(0), sr: 'Local storage', bootable: true }] }), attribute: 'disks[0].size', says: /disks\[0\]\.size is a Date/ },
  { name: 'a kernel command line that is a class instance is refused', step: create({ boot: { ...boot, args: new Opaque() } }), attribute: 'boot.args', says: /boot\.args is a Opaque, not text or a number/ },
  { name: 'a set of boot.args to a placeholder is refused under the attribute it sets', step: step({ op: 'set', changes: [{ path: 'boot.args', value: UNKNOWN }] }), attribute: 'boot.args', says: /boot\.args is known only after apply/ },
  { name: 'a set of other_config with an object value is refused', step: step({ op: 'set', changes: [{ path: 'other_config.db', value: { a: 1n } }] }), attribute: 'other_config.db.a', says: /other_config\.db\.a is a bigint/ },
];

for (const [toolstack, open] of [
  ['xapi', (f: FakeTransport): Provider => new XapiProvider('lab', f)],
  ['xl', (f: FakeTransport): Provider => new XlProvider('lab', f)],
] as const) {
  for (const c of cases) {
    t.test(`${toolstack}: ${c.name}`, async (t) => {
      const fake = new FakeTransport(() => undefined);
      const err = await open(fake).execute(c.step, { uuid: c.step.op === 'create' ? null : WEB, address: 'vm.web' }).then(() => null, (e: unknown) => e);
      t.type(err, ProviderError);
      t.equal((err as ProviderError).code, 'INVALID_VALUE');
      t.equal((err as ProviderError).params.attribute, c.attribute);
      t.match((err as Error).message, c.says);
      t.same(fake.calls, [], 'no command reached the host');
    });
  }
}

t.test('text, numbers, flags and null in lists and maps pass the guard', async (t) => {
  const fake = new FakeTransport(() => ({ stdout: '', stderr: '', code: 0 }));
  await new XapiProvider('lab', fake).execute(step({ op: 'set', changes: [
    { path: 'description', value: 'db is 0000' },
    { path: 'vcpus', value: 2 },
    { path: 'tags', value: ['a', 'b'] },
    { path: 'other_config.gone', value: null },
  ] }), { uuid: WEB, address: 'vm.web' });
  t.ok(fake.calls.some((c) => c.includes('name-description=db is 0000')), 'the description was sent');
});
