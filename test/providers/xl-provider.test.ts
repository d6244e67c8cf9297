import t from 'tap';
import { XlProvider } from '../../providers/xl/provider.js';
import { renderCfg } from '../../providers/xl/cfg.js';
import { asFileOp } from '../../providers/transport/file-ops.js';
import type { VmAttributes } from '../../planner/model/vm.js';
import type { Step } from '../../planner/model/ops.js';
import { stepOf, type FlatStep } from '../support/steps.js';
import { FakeTransport, ok } from './fake-transport.js';

const MiB = 1024 * 1024;
const attrs = (name: string): VmAttributes => ({
  name, description: '', template: '', power_state: 'halted',
  memory: { static_min: 512 * MiB, static_max: 1024 * MiB, dynamic_min: 1024 * MiB, dynamic_max: 1024 * MiB },
  vcpus: 1, vcpus_max: 2,
  boot: { mode: 'pv', bootloader: 'pygrub', kernel: '', ramdisk: '', args: 'console=hvc0', bootloader_args: '', order: '', firmware: 'bios' },
  disks: [{ name: 'root', size: 1024 * MiB, sr: '', bootable: true }],
  networks: [{ name: 'eth0', network: 'xenbr0' }],
  tags: [], other_config: {},
});

const HEADER = 'Name                                        ID   Mem VCPUs\tState\tTime(s)\n';
const row = (name: string, id: number, state: string) => `${name.padEnd(40)} ${String(id).padStart(5)}  1024     1     ${state}       1.0\n`;

// A host with four guests: running, halted, suspended (a save file) and crashed.
function host(files: Map<string, string>, letters: Record<string, string> = { web: '-b----', db: '---sc-' }) {
  return (argv: string[]) => {
    if (argv[0] === 'xl' && argv[1] === 'list' && argv[2] === '-l') {
      return ok(JSON.stringify(Object.keys(letters).map((name, i) => ({ domid: i + 1, config: { c_info: { type: 'pv', name, uuid: `uuid-${name}` }, b_info: { 'type.pv': { bootloader: 'pygrub', cmdline: 'console=hvc0' } } } }))));
    }
    if (argv[0] === 'xl' && argv[1] === 'list') return ok(HEADER + row('Domain-0', 0, 'r-----') + Object.entries(letters).map(([n, l], i) => row(n, i + 1, l)).join(''));
    const op = asFileOp(argv);
    if (op && argv[3].endsWith('read-dir')) {
      return ok([...files].filter(([p]) => p.startsWith(`${op.args[0]}/`)).map(([p, c]) => `${p.slice(op.args[0].length + 1)}\0${c}\0`).join(''));
    }
    if (op && argv[3].endsWith('list-dir')) return ok(op.args[0] === '/var/lib/xen/save' ? 'cache.save\n' : '');
    if (op && argv[3].endsWith('remove')) files.delete(op.args[0]);
    return undefined;
  };
}

function cfg(name: string): string {
  return renderCfg({ uuid: `uuid-${name}`, attributes: attrs(name), markers: { address: `vm.${name}`, lineage: 'L' }, diskPaths: [`/var/lib/xen/images/${name}-root.img`] });
}

const step = (address: string, flat: FlatStep): Step => stepOf(flat, { address, host: 'plain' });

t.test('the xl inventory is one round trip: domains, guest files and save files', async (t) => {
  const files = new Map(['web', 'idle', 'cache', 'db'].map((n) => [`/etc/xen/${n}.cfg`, cfg(n)]));
  const fake = new FakeTransport(host(files));
  const inv = await new XlProvider('plain', fake).inventory();
  t.equal(fake.roundTrips(), 1);
  const power = Object.fromEntries(inv.vms.map((v) => [v.attributes.name, v.attributes.power_state]));
  t.same(power, { cache: 'suspended', db: 'crashed', idle: 'halted', web: 'running' }, 'a file without a domain is halted, with a save file suspended');
  const web = inv.vms.find((v) => v.attributes.name === 'web')!;
  t.equal(web.dom_id, 1);
  t.same(web.markers, { address: 'vm.web', lineage: 'L' });
  t.same(web.booted_with, web.attributes.boot, 'what the domain booted with comes from xl list -l');
  t.equal(web.requires_reboot, false);
  t.notOk(inv.vms.some((v) => v.attributes.name === 'Domain-0'), 'dom0 has no file and is not a VM');
});

t.test('pause is checked afterwards, because xl pause exits 0 even when it fails', async (t) => {
  const files = new Map([['/etc/xen/web.cfg', cfg('web')]]);
  const fake = new FakeTransport(host(files)); // the domain stays "-b----"
  const err = await new XlProvider('plain', fake).execute(step('vm.web', { op: 'pause' }), { uuid: 'uuid-web', address: 'vm.web' }).catch((e) => e);
  t.equal(err.code, 'XL_FAILED');
  t.match(err.message, /xl reported success but the domain is running, not paused/);
});

t.test('create writes the guest file with its markers first, then the disk image', async (t) => {
  const files = new Map<string, string>();
  const fake = new FakeTransport(host(files, {}));
  const res = await new XlProvider('plain', fake).execute(step('vm.new', { op: 'create', attributes: attrs('new'), markers: { address: 'vm.new', lineage: 'L' } }), { uuid: null, address: 'vm.new' });
  const text = fake.files.get('/etc/xen/new.cfg')!;
  t.match(text, /# xenform-address = "vm\.new"/);
  t.match(text, /on_crash = "preserve"/);
  t.match(text, new RegExp(`uuid = "${res.uuid}"`), 'the VM keeps its uuid in the file');
  const images = fake.calls.filter((c) => c[3]?.endsWith('create-image')).map((c) => c.slice(4));
  t.same(images, [['/var/lib/xen/images/new-root.img', String(1024 * MiB)]]);
});

t.test('lifecycle steps are xl commands on the domain name', async (t) => {
  const cases: { op: FlatStep; calls: string[] }[] = [
    { op: { op: 'start' }, calls: ['xl create /etc/xen/web.cfg'] },
    { op: { op: 'clean_shutdown' }, calls: ['xl shutdown -w web'] },
    { op: { op: 'hard_shutdown' }, calls: ['xl destroy web'] },
    { op: { op: 'clean_reboot' }, calls: ['xl shutdown -w web', 'xl create /etc/xen/web.cfg'] },
    { op: { op: 'hard_reboot' }, calls: ['xl destroy web', 'xl create /etc/xen/web.cfg'] },
    { op: { op: 'suspend' }, calls: ['xl save web /var/lib/xen/save/web.save'] },
    { op: { op: 'resume' }, calls: ['xl restore /var/lib/xen/save/web.save'] },
  ];
  for (const c of cases) {
    const fake = new FakeTransport(host(new Map([['/etc/xen/web.cfg', cfg('web')]])));
    await new XlProvider('plain', fake).execute(step('vm.web', c.op), { uuid: 'uuid-web', address: 'vm.web' });
    const xl = fake.calls.filter((x) => x[0] === 'xl' && x[1] !== 'list').map((x) => x.join(' '));
    t.same(xl, c.calls, `${c.op.op}: ${c.calls.join(', ')}`);
  }
});

t.test('destroy removes the guest file and the images xenform made', async (t) => {
  const files = new Map([['/etc/xen/idle.cfg', cfg('idle')]]);
  const fake = new FakeTransport(host(files, {}));
  const res = await new XlProvider('plain', fake).execute(step('vm.idle', { op: 'destroy', disks: [] }), { uuid: 'uuid-idle', address: 'vm.idle' });
  t.equal(res.observed, null);
  const removed = fake.calls.filter((c) => c[3]?.endsWith('remove')).map((c) => c[4]);
  t.same(removed, ['/var/lib/xen/save/idle.save', '/var/lib/xen/images/idle-root.img', '/etc/xen/idle.cfg']);
  t.notOk(files.has('/etc/xen/idle.cfg'));
});

t.test('disk images are made and deleted only in the image directory', async (t) => {
  const outside = ['/tmp/x', '/var/lib/xen/images/../../../../tmp/x', '/var/lib/xen/images/sub/x.img'];
  for (const path of outside) {
    const text = renderCfg({ uuid: 'uuid-idle', attributes: attrs('idle'), markers: { address: 'vm.idle', lineage: 'L' }, diskPaths: [path] });
    const fake = new FakeTransport(host(new Map([['/etc/xen/idle.cfg', text]]), {}));
    await new XlProvider('plain', fake).execute(step('vm.idle', { op: 'destroy', disks: [] }), { uuid: 'uuid-idle', address: 'vm.idle' });
    const removed = fake.calls.filter((c) => c[3]?.endsWith('remove')).map((c) => c[4]);
    t.same(removed, ['/var/lib/xen/save/idle.save', '/etc/xen/idle.cfg'], `destroy leaves a disk the guest file names at ${path}`);
  }
  const hostile = { ...attrs('new'), disks: [{ name: '/../../../../tmp/x', size: MiB, sr: '', bootable: false }] };
  const fake = new FakeTransport(host(new Map(), {}));
  const create = new XlProvider('plain', fake).execute(step('vm.new', { op: 'create', attributes: hostile, markers: { address: 'vm.new', lineage: 'L' } }), { uuid: null, address: 'vm.new' });
  await t.rejects(create, /the disk label "\/\.\.\/\.\.\/\.\.\/\.\.\/tmp\/x" cannot name an image file/, 'create refuses a disk label that is a path');
  t.notOk(fake.calls.some((c) => c[3]?.endsWith('create-image')), 'and makes no image');
  t.equal(fake.files.size, 0, 'nor a guest file');
});
