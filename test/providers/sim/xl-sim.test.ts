// The simulated plain-Xen host: xl lifecycle, guest configs in the host's file root,
// faults, and the messages of spec §5.
import t, { type Test } from 'tap';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSim, type SimOptions } from '../../../providers/sim/index.js';

const HEADER = 'Name                                        ID   Mem VCPUs\tState\tTime(s)\n';

function host(t: Test, faults: object = {}): SimOptions & { root: string } {
  const dir = mkdtempSync(join(tmpdir(), 'xensim-xl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const root = join(dir, 'root');
  mkdirSync(join(root, 'etc/xen'), { recursive: true });
  return { statePath: join(dir, 'xen1.json'), toolstack: 'xl', root, faults: JSON.stringify(faults) };
}

function guest(o: { root: string }, name: string, extra = ''): string {
  const path = `/etc/xen/${name}.cfg`;
  writeFileSync(
    join(o.root, path),
    `# a guest\nname = "${name}"\ntype = "pv"\nkernel = "/boot/vmlinuz"  # direct boot\nextra = "console=hvc0"\nmemory = 256\nvcpus = 2\ndisk = [ 'phy:/dev/vg/${name},xvda,w',\n  ]\n${extra}`,
  );
  return path;
}

const xl = (o: SimOptions, ...args: string[]) => runSim(['xl', ...args], o);

function row(list: string, name: string): string[] {
  const line = list.split('\n').find((l) => l.startsWith(name + ' '));
  return line ? line.trim().split(/\s+/) : [];
}

t.test('a guest goes through create, pause, unpause, reboot, save, restore and shutdown', async (t) => {
  const o = host(t);
  const cfg = guest(o, 'web');
  t.same(await xl(o, 'create', cfg), { stdout: '', stderr: `Parsing config from ${cfg}\n`, code: 0 });
  const list = (await xl(o, 'list')).stdout;
  t.ok(list.startsWith(HEADER), 'the header has its tab characters');
  t.same(row(list, 'Domain-0').slice(0, 5), ['Domain-0', '0', '768', '2', 'r-----']);
  t.same(row(list, 'web').slice(0, 5), ['web', '1', '256', '2', '-b----'], 'a running guest idles: blocked');
  t.match(list, /^web {42}1 {3}256 {5}2 {5}-b---- {2} +[0-9]+\.[0-9]\n/m, 'the row layout of xl_info.c');
  t.same(await xl(o, 'pause', 'web'), { stdout: '', stderr: '', code: 0 });
  t.equal(row((await xl(o, 'list', 'web')).stdout, 'web')[4], '--p---');
  t.same(await xl(o, 'pause', 'web'), { stdout: '', stderr: '', code: 0 }, 'pausing twice still exits 0');
  await xl(o, 'unpause', 'web');
  t.same(await xl(o, 'reboot', 'web'), { stdout: '', stderr: 'Rebooting domain 1\n', code: 0 });
  t.equal((await xl(o, 'domid', 'web')).stdout, '2\n', 'a reboot builds a new domain');
  const save = await xl(o, 'save', 'web', '/var/lib/xen/save/web.save');
  t.equal(save.code, 0);
  t.match(save.stderr, /^Saving to \/var\/lib\/xen\/save\/web\.save new xl format \(info 0x3\/0x0\/[0-9]+\)\nxc: info: Saving domain 2, type x86 PV\n/);
  t.ok(existsSync(join(o.root, 'var/lib/xen/save/web.save')), 'the save file is written under the host root');
  t.same(row((await xl(o, 'list')).stdout, 'web'), [], 'a saved domain is destroyed');
  const restore = await xl(o, 'restore', '-p', '/var/lib/xen/save/web.save');
  t.equal(restore.code, 0);
  t.equal(row((await xl(o, 'list')).stdout, 'web')[4], '--p---', 'restore -p leaves it paused');
  await xl(o, 'unpause', 'web');
  const json = JSON.parse((await xl(o, 'list', '-l', 'web')).stdout);
  t.equal(json[0].config.c_info.name, 'web');
  t.same(
    { max: json[0].config.b_info.max_memkb, target: json[0].config.b_info.target_memkb, vcpus: json[0].config.b_info.max_vcpus, kernel: json[0].config.b_info.kernel, cmdline: json[0].config.b_info.cmdline },
    { max: 262144, target: 262144, vcpus: 2, kernel: '/boot/vmlinuz', cmdline: 'console=hvc0' },
    'list -l shows what the domain was built with',
  );
  t.same(await xl(o, 'shutdown', '-w', 'web'), { stdout: '', stderr: 'Shutting down domain 3\nWaiting for 1 domains\nDomain 3 has been shut down, reason code 0\n', code: 0 });
  t.equal((await xl(o, 'list')).stdout.split('\n').length, 3, 'only Domain-0 is left');
});

t.test('create -p, destroy, and the errors of unknown domains and bad configs', async (t) => {
  const o = host(t);
  const cfg = guest(o, 'db', 'on_crash = "preserve"\n');
  await xl(o, 'create', '-p', cfg);
  t.equal(row((await xl(o, 'list')).stdout, 'db')[4], '--p---', 'create -p leaves the domain paused');
  const dup = await xl(o, 'create', cfg);
  t.equal(dup.code, 3);
  t.match(dup.stderr, /Domain with name "db" already exists\./);
  t.same(await xl(o, 'destroy', 'db'), { stdout: '', stderr: '', code: 0 });
  t.same(await xl(o, 'shutdown', 'nosuch'), { stdout: '', stderr: 'nosuch is an invalid domain identifier (rc=-6)\n', code: 1 });
  t.same(await xl(o, 'list', '42'), { stdout: '', stderr: "Error: Domain '42' does not exist.\n", code: 1 });
  t.same(await xl(o, 'create', '/etc/xen/nosuch.cfg'), { stdout: '', stderr: 'Failed to read config file: /etc/xen/nosuch.cfg: No such file or directory\n', code: 3 });
  writeFileSync(join(o.root, 'etc/xen/bad.cfg'), 'name = "bad"\nmemory = = 3\n');
  const bad = await xl(o, 'create', '/etc/xen/bad.cfg');
  t.equal(bad.code, 3);
  t.match(bad.stderr, /^\/etc\/xen\/bad\.cfg:2: config parsing error near `='/, 'a parse error names the file and line');
  writeFileSync(join(o.root, 'etc/xen/noname.cfg'), 'memory = 128\n');
  t.same(await xl(o, 'create', '/etc/xen/noname.cfg'), { stdout: '', stderr: 'Parsing config from /etc/xen/noname.cfg\nDomain name must be specified.\n', code: 1 });
  t.same(await xl(o, 'restore', '/nosuch.save'), { stdout: '', stderr: "Can't open restore file: No such file or directory\n", code: 1 });
});

t.test('faults on a plain Xen host: no PV drivers, crashes, ignored shutdowns', async (t) => {
  const o = host(t, { no_pv_drivers: ['old'], crash: ['boom', 'boom2'], ignore_clean_shutdown: ['deaf'], clean_shutdown_timeout_ms: 100 });
  await xl(o, 'create', guest(o, 'old'));
  t.same(await xl(o, 'shutdown', 'old'), {
    stdout: '',
    stderr: 'Shutting down domain 1\nPV control interface not available: external graceful shutdown not possible.\nUse "-F" to fallback to ACPI power event.\nshutdown failed (rc=-8)\n',
    code: 1,
  });
  const forced = await xl(o, 'shutdown', '-F', 'old');
  t.equal(forced.code, 0, '-F falls back to an ACPI power event');
  t.same(row((await xl(o, 'list')).stdout, 'old'), []);
  await xl(o, 'create', guest(o, 'boom', 'on_crash = "preserve"\n'));
  t.equal(row((await xl(o, 'list')).stdout, 'boom')[4], '---sc-', 'a crashed domain is kept with on_crash=preserve');
  t.match((await xl(o, 'shutdown', 'boom')).stderr, /guest didn't acknowledge control request: -9\nshutdown failed \(rc=-9\)\n$/);
  await xl(o, 'destroy', 'boom');
  await xl(o, 'create', guest(o, 'boom2'));
  t.same(row((await xl(o, 'list')).stdout, 'boom2'), [], 'with the default on_crash=destroy the crashed domain is gone');
  await xl(o, 'create', guest(o, 'deaf'));
  t.same((await xl(o, 'shutdown', 'deaf')).code, 0, 'the request is sent');
  t.equal(row((await xl(o, 'list')).stdout, 'deaf')[4], '-b----', 'but the guest keeps running');
  const waited = await xl(o, 'shutdown', '-w', 'deaf');
  t.equal(waited.code, 1, 'shutdown -w gives up after the simulated timeout');
});

t.test('an HVM guest with UEFI firmware shows OVMF as its BIOS in xl list -l, as libxl does', async (t) => {
  const o = host(t);
  for (const [name, line] of [['efi', 'firmware = "uefi"'], ['old', 'bios = "ovmf"'], ['plain', 'firmware = "bios"']]) {
    writeFileSync(join(o.root, `etc/xen/${name}.cfg`), `name = "${name}"\ntype = "hvm"\nmemory = 256\nvcpus = 1\n${line}\n`);
    t.equal((await xl(o, 'create', `/etc/xen/${name}.cfg`)).code, 0, `${name} created`);
  }
  const list = JSON.parse((await xl(o, 'list', '-l')).stdout) as { config: { c_info: { name: string }; b_info: Record<string, Record<string, unknown>> } }[];
  const hvm = (name: string) => list.find((d) => d.config.c_info.name === name)!.config.b_info['type.hvm'];
  t.equal(hvm('efi').bios, 'ovmf', 'firmware = "uefi" is OVMF');
  t.equal(hvm('old').bios, 'ovmf', 'bios = "ovmf" too');
  t.equal(hvm('plain').bios, undefined, 'firmware = "bios" leaves the device model\'s default');
  t.equal(hvm('efi').firmware, undefined, 'no custom firmware path');
});
