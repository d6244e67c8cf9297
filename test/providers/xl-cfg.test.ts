import t from 'tap';
import { guestFromCfg, parseCfg, renderCfg } from '../../providers/xl/cfg.js';
import { parseXlList, parseXlListLong, powerFromLetters } from '../../providers/xl/list.js';
import type { VmAttributes } from '../../planner/model/vm.js';

const MiB = 1024 * 1024;
const ATTRS: VmAttributes = {
  name: 'web-0', description: 'says "hi" \\ back', template: '', power_state: 'halted',
  memory: { static_min: 256 * MiB, static_max: 2048 * MiB, dynamic_min: 512 * MiB, dynamic_max: 1024 * MiB },
  vcpus: 2, vcpus_max: 4,
  boot: { mode: 'pv', bootloader: 'pygrub', kernel: '', ramdisk: '', args: `console=hvc0 quote=" $(x) 'y'`, bootloader_args: '-q --entry=1', order: '', firmware: 'bios' },
  disks: [{ name: 'root', size: 20 * 1024 * MiB, sr: 'local', bootable: true }],
  networks: [{ name: 'eth0', network: 'xenbr0', mac: '00:16:3e:00:00:01' }],
  tags: ['web'], other_config: { owner: 'ops; team' },
};

t.test('a generated guest file parses back to the same VM', async (t) => {
  const text = renderCfg({ uuid: 'u-1', attributes: ATTRS, markers: { address: 'vm.web["a b"]', lineage: 'L1' }, diskPaths: ['/var/lib/xen/images/web-0-root.img'] });
  t.match(text, /^on_crash = "preserve"$/m, 'crashes are preserved so that they can be reported');
  t.match(text, /^# xenform-address = "vm\.web\[\\"a b\\"\]"$/m, 'the ownership marker is a comment');
  t.match(text, /^memory = 1024$/m, 'memory in MiB');
  t.match(text, /^maxmem = 2048$/m);
  t.match(text, /^bootloader_args = \[ "-q", "--entry=1" \]$/m);
  const back = guestFromCfg(parseCfg(text, 'web-0.cfg'));
  t.equal(back.uuid, 'u-1');
  t.same(back.markers, { address: 'vm.web["a b"]', lineage: 'L1' });
  const { power_state: _p, ...rest } = ATTRS;
  t.same(back.attributes, rest);
  t.same(back.diskPaths, ['/var/lib/xen/images/web-0-root.img']);
});

t.test('an HVM guest gets type, boot order and firmware', async (t) => {
  const hvm = { ...ATTRS, boot: { ...ATTRS.boot, mode: 'hvm' as const, bootloader: '', bootloader_args: '', args: '', order: 'dc', firmware: 'uefi' as const } };
  const text = renderCfg({ uuid: 'u-2', attributes: hvm, markers: {}, diskPaths: ['/i/root.img'] });
  t.match(text, /^type = "hvm"$/m);
  t.match(text, /^boot = "dc"$/m);
  t.match(text, /^firmware = "uefi"$/m);
  t.same(guestFromCfg(parseCfg(text, 'x.cfg')).attributes.boot, hvm.boot);
});

t.test('a value with a line break is refused with a clear error', async (t) => {
  const bad = { ...ATTRS, boot: { ...ATTRS.boot, args: 'a\nb' } };
  t.throws(() => renderCfg({ uuid: 'u', attributes: bad, markers: {}, diskPaths: ['/i'] }), { name: 'CfgError' });
  t.throws(() => renderCfg({ uuid: 'u', attributes: bad, markers: {}, diskPaths: ['/i'] }), /boot\.args contains a line break/);
});

t.test('a hand-written xl.cfg is read too', async (t) => {
  const text = [
    '# a guest written by hand',
    "name = 'legacy'",
    'builder = "hvm"',
    'memory = 512  # MiB',
    'vcpus = 1',
    'boot = "c"',
    'disk = [ "/dev/vg/legacy,raw,xvda,rw",',
    '         "format=raw, vdev=xvdb, access=rw, target=/srv/data.img" ]',
    "vif = [ 'mac=00:16:3e:aa:bb:cc,bridge=xenbr1' ]",
    '',
  ].join('\n');
  const g = guestFromCfg(parseCfg(text, '/etc/xen/legacy.cfg'));
  t.equal(g.attributes.name, 'legacy');
  t.equal(g.attributes.boot.mode, 'hvm', 'the deprecated builder key counts');
  t.equal(g.attributes.memory.static_max, 512 * MiB, 'maxmem defaults to memory');
  t.same(g.diskPaths, ['/dev/vg/legacy', '/srv/data.img'], 'positional and key=value disk specs');
  t.same(g.attributes.networks, [{ name: 'eth0', network: 'xenbr1', mac: '00:16:3e:aa:bb:cc' }]);
  t.same(g.markers, {}, 'no markers: not xenform\'s');
});

t.test('a broken file is reported with its path and line', async (t) => {
  t.throws(() => parseCfg('name = "a"\nmemory = [ 1, \n', '/etc/xen/a.cfg'), /\/etc\/xen\/a\.cfg:\d+: /);
  t.throws(() => parseCfg('name "a"\n', '/etc/xen/b.cfg'), /\/etc\/xen\/b\.cfg:1: expected "=" after name/);
});

t.test('xl list rows give name, domid and state', async (t) => {
  const out =
    'Name                                        ID   Mem VCPUs\tState\tTime(s)\n' +
    'Domain-0                                     0   750     4     r-----   11794.3\n' +
    'web 0                                        3  1024     2     -b----       1.5\n' +
    'db                                           4   512     1     --p---       0.2\n' +
    'crashy                                       5   512     1     ---sc-       0.1\n';
  const rows = parseXlList(out);
  t.same(rows.map((r) => [r.name, r.domid, r.state]), [['Domain-0', 0, 'r-----'], ['web 0', 3, '-b----'], ['db', 4, '--p---'], ['crashy', 5, '---sc-']]);
  const cases: [string, string][] = [['r-----', 'running'], ['-b----', 'running'], ['--p---', 'paused'], ['---sc-', 'crashed'], ['---s--', 'halted'], ['-----d', 'halted']];
  for (const [letters, power] of cases) t.equal(powerFromLetters(letters), power, `${letters} is ${power}`);
});

t.test('xl list -l gives what each domain booted with', async (t) => {
  const json = JSON.stringify([
    { domid: 3, config: { c_info: { type: 'pv', name: 'web-0', uuid: 'u-1' }, b_info: { 'type.pv': { bootloader: 'pygrub', bootloader_args: ['-q'], cmdline: 'console=hvc0' } } } },
    { domid: 4, config: { c_info: { type: 'hvm', name: 'win', uuid: 'u-2' }, b_info: { 'type.hvm': { boot: 'dc', bios: 'ovmf' } } } },
  ]);
  const [pv, hvm] = parseXlListLong(json);
  t.same(pv.booted, { mode: 'pv', bootloader: 'pygrub', kernel: '', ramdisk: '', args: 'console=hvc0', bootloader_args: '-q', order: '', firmware: 'bios' });
  t.same(hvm.booted, { mode: 'hvm', bootloader: '', kernel: '', ramdisk: '', args: '', bootloader_args: '', order: 'dc', firmware: 'uefi' });
  t.same(parseXlListLong(''), []);
});
