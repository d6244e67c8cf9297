// The XAPI provider against the simulated host, through a real OpenSSH server on 127.0.0.1.
import t from 'tap';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openProvider, openTransport, type ProviderContext } from '../../providers/factory.js';
import { ProviderError, type Provider } from '../../providers/provider.js';
import { XapiProvider } from '../../providers/xapi/provider.js';
import { loadState } from '../../providers/sim/host-file.js';
import { update } from '../../providers/sim/store.js';
import type { HostConfig } from '../../planner/config/types.js';
import type { VmAttributes } from '../../planner/model/vm.js';
import type { Step } from '../../planner/model/ops.js';
import { stepOf, type FlatStep } from '../support/steps.js';
import { startSshd, type Sshd } from '../support/sshd.js';
import { HOSTILE } from './hostile.js';
import { killSessions } from './sshd-sessions.js';

const GiB = 1024 ** 3;

function hostFor(sshd: Sshd, extra: Partial<HostConfig> = {}): HostConfig {
  return {
    name: 'lab', simulator: false, toolstack: 'xapi', address: sshd.host, port: sshd.port, user: sshd.user,
    identity_file: sshd.identityFile, known_hosts: sshd.knownHostsFile, max_parallel: 4,
    range: { filename: 'main.xf.hcl', start: { line: 1, column: 1, byte: 0 }, end: { line: 1, column: 1, byte: 0 } },
    ...extra,
  };
}

function ctxFor(dir: string): ProviderContext {
  return { workdir: dir, env: {}, ssh: { sshEnv: { home: dir, sshConfigText: null } } };
}

async function simHost(t: { teardown(fn: () => unknown): void }, faults?: object) {
  const dir = mkdtempSync(join(tmpdir(), 'xenform-xapi-ssh-'));
  const env: Record<string, string> = { XENSIM_STATE: join(dir, 'host.json') };
  if (faults) env.XENSIM_FAULTS = JSON.stringify(faults);
  const sshd = await startSshd({ env });
  t.teardown(() => sshd.stop());
  return { dir, sshd, statePath: env.XENSIM_STATE };
}

const attrs = (name: string): VmAttributes => ({
  name, description: 'made over ssh', template: 'Debian Bookworm 12', power_state: 'halted',
  memory: { static_min: 512 * 1024 ** 2, static_max: 2 * GiB, dynamic_min: 2 * GiB, dynamic_max: 2 * GiB },
  vcpus: 2, vcpus_max: 4,
  boot: { mode: 'pv', bootloader: 'pygrub', kernel: '', ramdisk: '', args: 'console=hvc0 quiet', bootloader_args: '', order: '', firmware: 'bios' },
  disks: [{ name: 'root', size: 10 * GiB, sr: 'Local storage', bootable: true }],
  networks: [{ name: 'eth0', network: 'xenbr0' }],
  tags: ['web'], other_config: { owner: 'ops' },
});

let n = 0;
const step = (address: string, flat: FlatStep): Step => stepOf(flat, { id: `s${++n}`, address, host: 'lab' });

async function create(p: Provider, address: string, name: string) {
  return p.execute(step(address, { op: 'create', attributes: attrs(name), markers: { address, lineage: 'L-1' } }), { uuid: null, address });
}

t.test('a VM lives its whole life over SSH', async (t) => {
  const { dir, sshd } = await simHost(t);
  const p = await openProvider(hostFor(sshd), ctxFor(dir));
  t.teardown(() => p.close());
  const target = (uuid: string) => ({ uuid, address: 'vm.web[0]' });

  const created = await create(p, 'vm.web[0]', 'web-0');
  const vm = created.observed!;
  const { networks: _n, power_state: _p, ...rest } = vm.attributes;
  const { networks: _wn, power_state: _wp, ...want } = attrs('web-0');
  const { disks, ...others } = rest;
  t.same(others, (({ disks: _d, ...o }) => o)(want), 'the VM reads back as configured');
  t.same(disks.map(({ device: _dev, ...d }) => d), want.disks, 'with the declared disks (the template\'s own are not reported)');
  t.same(vm.attributes.networks.map((x) => x.name), ['eth0']);
  t.same(vm.markers, { address: 'vm.web[0]', lineage: 'L-1' }, 'with its ownership markers');
  t.equal(vm.attributes.power_state, 'halted');

  const started = (await p.execute(step('vm.web[0]', { op: 'start' }), target(vm.uuid))).observed!;
  t.equal(started.attributes.power_state, 'running');
  t.same(started.booted_with, started.attributes.boot, 'it knows what the domain booted with');

  const changed = (await p.execute(step('vm.web[0]', { op: 'set', changes: [{ path: 'boot.args', value: 'console=hvc0' }] }), target(vm.uuid))).observed!;
  t.equal(changed.requires_reboot, true, 'a boot change waits for the next boot');
  const rebooted = (await p.execute(step('vm.web[0]', { op: 'clean_reboot' }), target(vm.uuid))).observed!;
  t.equal(rebooted.requires_reboot, false, 'and the reboot applies it');
  t.equal(rebooted.booted_with?.args, 'console=hvc0');

  await p.execute(step('vm.web[0]', { op: 'pause' }), target(vm.uuid));
  const err = await p.execute(step('vm.web[0]', { op: 'clean_shutdown' }), target(vm.uuid)).catch((e) => e);
  t.type(err, ProviderError);
  t.equal(err.code, 'VM_BAD_POWER_STATE');
  t.equal(err.message, 'web-0 is paused; clean_shutdown needs a running VM');

  await p.execute(step('vm.web[0]', { op: 'unpause' }), target(vm.uuid));
  await p.execute(step('vm.web[0]', { op: 'suspend' }), target(vm.uuid));
  t.equal((await p.readVm(vm.uuid))!.attributes.power_state, 'suspended');
  await p.execute(step('vm.web[0]', { op: 'resume' }), target(vm.uuid));
  const halted = (await p.execute(step('vm.web[0]', { op: 'clean_shutdown', shutdown: { mode: 'clean', timeout_ms: 60_000, fallback: 'hard' } }), target(vm.uuid))).observed!;
  t.equal(halted.attributes.power_state, 'halted');

  await p.execute(step('vm.web[0]', { op: 'add_disk', disk: { name: 'data', size: GiB, sr: 'Local storage', bootable: false } }), target(vm.uuid));
  await p.execute(step('vm.web[0]', { op: 'add_network', network: { name: 'eth1', network: 'xenbr0' } }), target(vm.uuid));
  const grown = (await p.readVm(vm.uuid))!;
  t.same(grown.attributes.disks.map((d) => d.name), ['root', 'data']);
  t.same(grown.attributes.networks.map((x) => x.name), ['eth0', 'eth1']);
  await p.execute(step('vm.web[0]', { op: 'remove_disk', disk: { name: 'data', size: GiB, sr: 'Local storage', bootable: false } }), target(vm.uuid));
  await p.execute(step('vm.web[0]', { op: 'remove_network', network: { name: 'eth1', network: 'xenbr0' } }), target(vm.uuid));
  t.same((await p.readVm(vm.uuid))!.attributes.disks.map((d) => d.name), ['root']);

  const gone = await p.execute(step('vm.web[0]', { op: 'destroy', disks: vm.attributes.disks }), target(vm.uuid));
  t.equal(gone.observed, null);
  t.equal(await p.readVm(vm.uuid), null, 'the VM is gone');
  const transport = openTransport(hostFor(sshd), ctxFor(dir));
  t.teardown(() => transport.close());
  const vdis = await transport.exec(['xe', 'vdi-list', `other-config:xenform-vm=${vm.uuid}`, 'params=uuid', '--minimal']);
  t.equal(vdis.stdout.trim(), '', 'and so are the disks xenform made for it');
});

t.test('every hostile value reaches the simulated xe byte for byte', async (t) => {
  const { dir, sshd } = await simHost(t);
  const transport = openTransport(hostFor(sshd), ctxFor(dir));
  const p = new XapiProvider('lab', transport);
  t.teardown(() => p.close());
  const { uuid } = await p.execute(step('vm.odd', { op: 'create', attributes: { ...attrs('odd'), disks: [], networks: [] }, markers: { address: 'vm.odd', lineage: 'L-1' } }), { uuid: null, address: 'vm.odd' });
  const commands = HOSTILE.flatMap(([, value]) => [
    ['xe', 'vm-param-set', `uuid=${uuid}`, `name-label=${value}`],
    ['xe', 'vm-param-get', `uuid=${uuid}`, 'param-name=name-label'],
  ]);
  const results = await transport.batch!(commands);
  HOSTILE.forEach(([name, value], i) => {
    const [set, get] = [results[2 * i], results[2 * i + 1]];
    if (value.includes('\n')) {
      // xe's wire joins arguments with "\n" and xapi splits them again: the first line is set,
      // the next one is taken for a field (xapi_cli.ml `get_line`)
      const [first, second] = value.split('\n');
      t.same([set.code, set.stderr], [1, `Error: Unknown field '${second}'\n`], `${name} is cut at its first line`);
      t.equal(get.stdout.replace(/\n$/, ''), first, `${name}: the first line was set`);
      return;
    }
    t.equal(set.code, 0, `${name} is accepted`);
    t.equal(get.stdout.replace(/\n$/, ''), value, `${name} comes back unchanged`);
  });
});

t.test('a refresh is one SSH round trip whatever the number of VMs', async (t) => {
  const { dir, sshd } = await simHost(t);
  const transport = openTransport(hostFor(sshd), ctxFor(dir));
  const p = new XapiProvider('lab', transport);
  t.teardown(() => p.close());
  const roundTripsOfInventory = async () => {
    const before = transport.roundTrips();
    const inv = await p.inventory();
    return { trips: transport.roundTrips() - before, vms: inv.vms.length };
  };
  t.same(await roundTripsOfInventory(), { trips: 1, vms: 0 }, 'an empty host');
  await create(p, 'vm.a', 'a');
  t.same(await roundTripsOfInventory(), { trips: 1, vms: 1 }, 'one VM');
  for (const name of ['b', 'c', 'd', 'e']) {
    const r = await transport.exec(['xe', 'vm-install', 'template=Other install media', `new-name-label=${name}`]);
    t.equal(r.code, 0, `VM ${name} installed`);
  }
  t.same(await roundTripsOfInventory(), { trips: 1, vms: 5 }, 'five VMs');
});

t.test('host keys are verified before anything runs', async (t) => {
  const { dir, sshd } = await simHost(t);
  const unknown = join(dir, 'empty_known_hosts');
  writeFileSync(unknown, '');
  const p1 = await openProvider(hostFor(sshd, { known_hosts: unknown }), ctxFor(dir));
  const e1 = await p1.inventory().catch((e) => e);
  await p1.close();
  t.equal(e1.code, 'HOST_KEY', 'an unknown key is refused');
  t.match(e1.message, sshd.hostKeyFingerprint, 'the message shows the fingerprint');
  t.match(e1.message, /ssh-keyscan|host_key =/, 'and how to trust it');

  const changed = join(dir, 'changed_known_hosts');
  const other = readFileSync(sshd.knownHostsFile, 'utf8').replace(/AAAA\S+/, 'AAAAC3NzaC1lZDI1NTE5AAAAIBx8c1QhYkq1e4vNfZ6uWUw3pZyD1iQ4m5XGv2cK0a1b');
  writeFileSync(changed, other);
  const p2 = await openProvider(hostFor(sshd, { known_hosts: changed }), ctxFor(dir));
  const e2 = await p2.inventory().catch((e) => e);
  await p2.close();
  t.equal(e2.code, 'HOST_KEY', 'a changed key is refused');
  t.match(e2.message, /CHANGED/);
  t.notOk(existsSync(join(dir, 'host.json')), 'nothing ran on the host: its simulated state was never even created');
});

t.test('a connection cut in the middle of a step gives a clear error and a consistent host', async (t) => {
  const { dir, sshd, statePath } = await simHost(t, { latency_ms: { 'vm-start': 1500 } });
  const p = await openProvider(hostFor(sshd), ctxFor(dir));
  t.teardown(() => p.close());
  const { uuid } = await create(p, 'vm.web[0]', 'web-0');
  const starting = p.execute(step('vm.web[0]', { op: 'start' }), { uuid, address: 'vm.web[0]' });
  await new Promise((r) => setTimeout(r, 500));
  t.ok(killSessions(sshd) > 0, 'the session is killed on the server');
  const err = await starting.catch((e) => e);
  t.type(err, ProviderError);
  t.equal(err.code, 'TRANSPORT');
  t.match(err.message, /vm-start/, 'the error names the interrupted command');
  t.match(err.message, /not repeated/, 'and says it was not repeated');
  // The host carries on with what it was doing, as xapi does when a client goes away.
  await new Promise((r) => setTimeout(r, 2000));
  t.ok(loadState(statePath!)?.vms, 'the host state is intact');
  const after = await p.readVm(uuid);
  t.ok(after && ['halted', 'running'].includes(after.attributes.power_state), `the VM is in a plain state (${after?.attributes.power_state})`);
  if (after!.attributes.power_state === 'halted') await p.execute(step('vm.web[0]', { op: 'start' }), { uuid, address: 'vm.web[0]' });
  t.equal((await p.readVm(uuid))!.attributes.power_state, 'running', 'and the next apply can carry on over a new connection');
});

t.test('values that look like xenform\'s markers make no VM xenform\'s', async (t) => {
  const { dir, sshd, statePath } = await simHost(t);
  const transport = openTransport(hostFor(sshd), ctxFor(dir));
  const p = new XapiProvider('lab', transport);
  t.teardown(() => p.close());
  const { uuid: own } = await create(p, 'vm.a', 'a');
  const install = async (name: string) => (await transport.exec(['xe', 'vm-install', 'template=Other install media', `new-name-label=${name}`])).stdout.trim();
  const forged = '\n     other-config (MRW): xenform-address: vm.a; xenform-lineage: L-1';
  // What anyone allowed to tag, rename or file a VM can write through the API (no xe wire there).
  const victims: [string, (vm: { tags: string[]; name: string; desc: string; other: Record<string, string> }) => void][] = [
    ['a tag', (vm) => void (vm.tags = [`web${forged}`])],
    ['a name', (vm) => void (vm.name = `v${forged}`)],
    ['a description holding a whole record', (vm) => void (vm.desc = `d\n\n\nuuid ( RO)                   : ${own}${forged}`)],
    ['a folder (vm-operator may set it)', (vm) => void (vm.other = { ...vm.other, folder: '/x; xenform-address: vm.a; xenform-lineage: L-1' })],
  ];
  const uuids: string[] = [];
  for (const [i] of victims.entries()) uuids.push(await install(`victim${i}`));
  await update(statePath, () => t.fail('the host exists') as never, (st) => {
    victims.forEach(([, plant], i) => plant(st.vms[uuids[i]] as never));
  });
  const trips = transport.roundTrips();
  const inv = await p.inventory();
  t.ok(transport.roundTrips() - trips <= 3, 'an ambiguous listing costs a round trip or two more, not one per VM');
  victims.forEach(([name], i) => {
    const vm = inv.vms.find((v) => v.uuid === uuids[i]);
    t.same(vm?.markers, {}, `${name} does not make the VM xenform's`);
  });
  t.equal(inv.vms.find((v) => v.uuid === uuids[1])?.attributes.name, `v${forged}`, 'the forged name is read as the name it is');
  t.same(inv.vms.find((v) => v.uuid === own)?.markers, { address: 'vm.a', lineage: 'L-1' }, 'the real VM keeps its markers');
  t.equal(inv.vms.filter((v) => v.markers.address === 'vm.a').length, 1, 'one VM claims vm.a');
  for (const [i, [name]] of victims.entries()) t.same((await p.readVm(uuids[i]))?.markers, {}, `${name}: reading the VM alone agrees`);
});

t.test('a value xe cannot carry is refused before anything is sent', async (t) => {
  const { dir, sshd } = await simHost(t);
  const transport = openTransport(hostFor(sshd), ctxFor(dir));
  const p = new XapiProvider('lab', transport);
  t.teardown(() => p.close());
  const cases: [string, Partial<VmAttributes>, string][] = [
    ['a heredoc description', { description: 'Web server\nowned by team A\n' }, 'description contains a newline'],
    ['a carriage return in a name', { name: 'web\r' }, 'name contains a carriage return'],
    ['a line separator in a tag', { tags: ['a\u2028b'] }, 'tags[0] contains U+2028'],
    ['a control character in an other_config value', { other_config: { team: 'a\u0007' } }, 'other_config["team"] contains the control character U+0007'],
    ['a newline in boot args', { boot: { ...attrs('x').boot, args: 'quiet\n' } }, 'boot.args contains a newline'],
  ];
  for (const [name, change, message] of cases) {
    const err = await p.execute(step('vm.x', { op: 'create', attributes: { ...attrs('x'), ...change }, markers: { address: 'vm.x', lineage: 'L-1' } }), { uuid: null, address: 'vm.x' }).catch((x) => x);
    t.ok(err instanceof ProviderError && err.code === 'INVALID_VALUE' && err.message.includes(message), `${name}: ${err.message}`);
  }
  t.equal((await p.inventory()).vms.length, 0, 'no VM was made by the refused creates');
  const { uuid } = await create(p, 'vm.x', 'x');
  const vm = { uuid: uuid! };
  const err = await p.execute(step('vm.x', { op: 'set', changes: [{ path: 'description', value: 'two\nlines' }] }), { uuid: vm.uuid, address: 'vm.x' }).catch((x) => x);
  t.equal(err.code, 'INVALID_VALUE', 'a change is refused the same way');
  t.equal((await p.readVm(vm.uuid))?.attributes.description, 'made over ssh', 'and nothing of it was applied');
});

t.test('xe splits a value at its newlines as a real host does', async (t) => {
  const { dir, sshd } = await simHost(t);
  const transport = openTransport(hostFor(sshd), ctxFor(dir));
  t.teardown(() => transport.close());
  const uuid = (await transport.exec(['xe', 'vm-install', 'template=Other install media', 'new-name-label=v'])).stdout.trim();
  const set = await transport.exec(['xe', 'vm-param-set', `uuid=${uuid}`, 'name-description=Web server\nowned by team A\n']);
  t.same([set.code, set.stderr], [1, "Error: Unknown field 'owned by team A'\n"], 'the second line is taken for a field');
  const get = await transport.exec(['xe', 'vm-param-get', `uuid=${uuid}`, 'param-name=name-description']);
  t.equal(get.stdout, 'Web server\n', 'after the first line was set');
  const cr = await transport.exec(['xe', 'vm-param-set', `uuid=${uuid}`, 'name-description=dos\r']);
  t.equal(cr.code, 0);
  t.equal((await transport.exec(['xe', 'vm-param-get', `uuid=${uuid}`, 'param-name=name-description'])).stdout, 'dos\n', 'a trailing carriage return is dropped');
});

t.test('a 1001 MiB disk is given 1002 MiB, and the inventory says the SR rounds to 2 MiB', async (t) => {
  const { dir, sshd } = await simHost(t);
  const transport = openTransport(hostFor(sshd), ctxFor(dir));
  const p = new XapiProvider('lab', transport);
  t.teardown(() => p.close());
  const MiB = 1024 ** 2;
  const a = { ...attrs('sized'), disks: [{ name: 'root', size: 1001 * MiB, sr: 'Local storage', bootable: true }] };
  const { observed } = await p.execute(step('vm.s', { op: 'create', attributes: a, markers: { address: 'vm.s', lineage: 'L-1' } }), { uuid: null, address: 'vm.s' });
  t.equal(observed?.attributes.disks[0].size, 1002 * MiB, 'SM rounded the size up to a 2 MiB block');
  const sr = (await p.inventory()).srs.find((s) => s.name === 'Local storage');
  t.same(sr && { type: sr.type, unit: sr.allocation_unit }, { type: 'ext', unit: 2 * MiB }, 'the inventory gives the unit');
  const got = observed!.attributes.disks[0].size;
  t.ok(got >= 1001 * MiB && got - 1001 * MiB < sr!.allocation_unit!, 'so the planner can see the disk is the one asked for');
});

t.test('destroy deletes the VM\'s own disks, never its snapshot\'s or its clone\'s', async (t) => {
  const { dir, sshd } = await simHost(t);
  const transport = openTransport(hostFor(sshd), ctxFor(dir));
  const p = new XapiProvider('lab', transport);
  t.teardown(() => p.close());
  const xe = async (...args: string[]) => {
    const r = await transport.exec(['xe', ...args]);
    t.equal(r.code, 0, `xe ${args.join(' ')} (${r.stderr.trim()})`);
    return r.stdout.trim();
  };
  const disksOf = async (vm: string) => (await xe('vbd-list', `vm-uuid=${vm}`, 'type=Disk', 'params=vdi-uuid', '--minimal')).split(',').filter((v) => v !== '');
  const exists = async (vdi: string) => (await transport.exec(['xe', 'vdi-list', `uuid=${vdi}`, 'params=uuid', '--minimal'])).stdout.trim() === vdi;

  const { uuid } = await create(p, 'vm.a', 'a');
  const own = await disksOf(uuid!);
  t.equal(own.length, 2, 'the VM has the disk the template provisioned and the one xenform made');
  const snapshot = await xe('vm-snapshot', `uuid=${uuid}`, 'new-name-label=before-upgrade');
  const clone = await xe('vm-clone', `uuid=${uuid}`, 'new-name-label=a-copy');
  const others = [...(await disksOf(snapshot)), ...(await disksOf(clone))];
  t.equal(others.length, 4, 'the snapshot and the clone have disks of their own');
  const marked = (await xe('vdi-list', `other-config:xenform-vm=${uuid}`, 'params=uuid', '--minimal')).split(',');
  t.equal(marked.length, 3, 'the snapshot\'s and the clone\'s copies carry xenform\'s marker, as on a real host');

  await p.execute(step('vm.a', { op: 'destroy', disks: [] }), { uuid, address: 'vm.a' });
  for (const vdi of own) t.notOk(await exists(vdi), `the VM's own disk ${vdi} is gone`);
  for (const vdi of others) t.ok(await exists(vdi), `the snapshot's or clone's disk ${vdi} is kept`);
  t.equal(await xe('vm-param-get', `uuid=${clone}`, 'param-name=power-state'), 'halted', 'the clone is untouched');
});

t.test('destroying a suspended VM leaves neither its suspend image nor its disks', async (t) => {
  const { dir, sshd } = await simHost(t);
  const transport = openTransport(hostFor(sshd), ctxFor(dir));
  const p = new XapiProvider('lab', transport);
  t.teardown(() => p.close());
  const vdis = async () => (await transport.exec(['xe', 'vdi-list', 'params=uuid', '--minimal'])).stdout.trim().split(',').filter((v) => v !== '').sort();
  const before = await vdis();
  const { uuid } = await create(p, 'vm.b', 'b');
  const to = { uuid, address: 'vm.b' };
  await p.execute(step('vm.b', { op: 'start' }), to);
  await p.execute(step('vm.b', { op: 'suspend' }), to);
  const image = (await transport.exec(['xe', 'vm-param-get', `uuid=${uuid}`, 'param-name=suspend-VDI-uuid'])).stdout.trim();
  t.match(image, /^[0-9a-f-]{36}$/, 'the suspended VM has a suspend image');
  await p.execute(step('vm.b', { op: 'destroy', disks: [] }), to);
  t.same(await vdis(), before, 'every VDI the VM had is gone, the suspend image included');
});

t.test('a VM with more vCPUs than the host has pCPUs does not start, as on a real host', async (t) => {
  const { dir, sshd } = await simHost(t, { host_cpus: 4 });
  const transport = openTransport(hostFor(sshd), ctxFor(dir));
  const p = new XapiProvider('lab', transport);
  t.teardown(() => p.close());
  t.equal((await p.inventory()).pcpus, 4, 'the inventory gives the host\'s pCPU count');
  const a = { ...attrs('wide'), vcpus: 2, vcpus_max: 8 };
  const { uuid } = await p.execute(step('vm.w', { op: 'create', attributes: a, markers: { address: 'vm.w', lineage: 'L-1' } }), { uuid: null, address: 'vm.w' });
  const raw = await transport.exec(['xe', 'vm-start', `uuid=${uuid}`]);
  t.same(raw, {
    code: 1,
    stdout: 'There are no suitable hosts to start this VM on.\nThe following table provides per-host reasons for why the VM could not be started:\n\n' +
      'host    : Cannot start here [Not enough CPUs (VM needs 8, but host has 4)]\n\n\n',
    stderr: 'There were no servers available to complete the specified operation.\n',
  }, 'xe prints the per-host table on stdout and NO_HOSTS_AVAILABLE on stderr');
  const err = await p.execute(step('vm.w', { op: 'start' }), { uuid, address: 'vm.w' }).catch((e) => e);
  t.equal(err.code, 'NO_HOSTS_AVAILABLE');
  t.match(err.message, /Not enough CPUs \(VM needs 8, but host has 4\)/, 'the provider says why');
  await transport.exec(['xe', 'vm-param-set', `uuid=${uuid}`, 'VCPUs-at-startup=2', 'VCPUs-max=4']);
  t.equal((await p.execute(step('vm.w', { op: 'start' }), { uuid, address: 'vm.w' })).observed?.attributes.power_state, 'running', 'four vCPUs start');
});

t.test('templates are XCP-ng\'s and are installed by uuid, whatever snapshots are called', async (t) => {
  const { dir, sshd } = await simHost(t);
  const transport = openTransport(hostFor(sshd), ctxFor(dir));
  const p = new XapiProvider('lab', transport);
  t.teardown(() => p.close());
  const templates = (await p.inventory()).templates;
  const boot = (name: string) => templates.find((x) => x.name === name)?.boot;
  t.match(boot('Debian Bookworm 12'), { mode: 'hvm', order: 'cdn', firmware: 'bios' }, 'Debian 12 is HVM from base-hvmlinux');
  t.match(boot('Generic Linux UEFI'), { mode: 'hvm', order: 'cdn', firmware: 'uefi' }, 'the generic UEFI template boots UEFI');
  t.match(boot('Debian Trixie 13'), { mode: 'hvm', order: 'cdn', firmware: 'uefi' }, 'XCP-ng 8.3\'s Debian 13 derives from base-linux-uefi');
  t.match(boot('Rocky Linux 10'), { mode: 'hvm', firmware: 'uefi' }, 'and so does its Rocky Linux 10');
  // someone snapshots a VM under the template's name: `vm-install template=NAME` now matches two
  const other = (await transport.exec(['xe', 'vm-install', 'template=Other install media', 'new-name-label=x'])).stdout.trim();
  t.equal((await transport.exec(['xe', 'vm-snapshot', `uuid=${other}`, 'new-name-label=Debian Bookworm 12'])).code, 0);
  const byName = await transport.exec(['xe', 'vm-install', 'template=Debian Bookworm 12', 'new-name-label=y']);
  t.same([byName.code, byName.stderr], [1, 'Error: More than one matching template found\n'], 'xe by name is ambiguous, as on a real host');
  const hvm = { ...attrs('h'), boot: { ...attrs('h').boot, mode: 'hvm' as const, bootloader: '', args: '', order: 'cdn' } };
  const { uuid, observed } = await p.execute(step('vm.h', { op: 'create', attributes: hvm, markers: { address: 'vm.h', lineage: 'L-1' } }), { uuid: null, address: 'vm.h' });
  t.equal(observed?.attributes.template, 'Debian Bookworm 12', 'xenform installs from the template all the same');
  t.equal((await p.execute(step('vm.h', { op: 'start' }), { uuid, address: 'vm.h' })).observed?.attributes.power_state, 'running', 'and the HVM guest starts');
});

t.test('a reboot outside xenform clears the pending reboot; a resume keeps the boot it had', async (t) => {
  const { dir, sshd } = await simHost(t);
  const transport = openTransport(hostFor(sshd), ctxFor(dir));
  const p = new XapiProvider('lab', transport);
  t.teardown(() => p.close());
  const { uuid } = await create(p, 'vm.r', 'r');
  const to = { uuid, address: 'vm.r' };
  const started = (await p.execute(step('vm.r', { op: 'start' }), to)).observed!;
  const built = started.attributes.boot;
  t.same(started.booted_with, built);
  const get = async (field: string) => (await transport.exec(['xe', 'vm-param-get', `uuid=${uuid}`, `param-name=${field}`])).stdout;
  t.equal(await get('last-boot-record'), "''\n", 'a running VM has an empty last-boot-record, as on every xapi since 2017');
  t.equal((await transport.exec(['xe', 'vm-list', `uuid=${uuid}`, 'params=last-boot-record', '--minimal'])).stdout, '<expensive field>\n', 'and lists do not print it');

  await p.execute(step('vm.r', { op: 'set', changes: [{ path: 'boot.args', value: 'console=hvc0 single' }] }), to);
  const pending = (await p.readVm(uuid!))!;
  t.same([pending.requires_reboot, pending.booted_with?.args], [true, 'console=hvc0 quiet'], 'the change waits for a reboot');

  t.equal((await transport.exec(['xe', 'vm-reboot', `uuid=${uuid}`])).code, 0, 'an admin reboots the VM outside xenform');
  const after = (await p.readVm(uuid!))!;
  t.same([after.requires_reboot, after.booted_with?.args, after.rebuilt_outside], [false, 'console=hvc0 single', true], 'the new domain runs the configuration it had then');

  await p.execute(step('vm.r', { op: 'suspend' }), to);
  t.match(await get('last-boot-record'), /^'\(\(domains .+\)'\n$/, 'a suspended VM holds xenopsd\'s metadata there');
  await p.execute(step('vm.r', { op: 'set', changes: [{ path: 'boot.args', value: 'console=hvc0 quiet' }] }), to);
  const resumed = (await p.execute(step('vm.r', { op: 'resume' }), to)).observed!;
  t.same([resumed.booted_with?.args, resumed.requires_reboot], ['console=hvc0 single', true], 'a resume keeps the boot the domain had, and the pending change');
  const again = (await p.readVm(uuid!))!;
  t.same([again.booted_with?.args, again.rebuilt_outside], ['console=hvc0 single', undefined], 'the marker names the resumed domain');
});

t.test('a clone carrying xenform\'s markers is reported beside the VM it was cloned from', async (t) => {
  const { dir, sshd } = await simHost(t);
  const transport = openTransport(hostFor(sshd), ctxFor(dir));
  const p = new XapiProvider('lab', transport);
  t.teardown(() => p.close());
  const { uuid } = await create(p, 'vm.a', 'a');
  const clone = (await transport.exec(['xe', 'vm-clone', `uuid=${uuid}`, 'new-name-label=a-copy'])).stdout.trim();
  const claims = (await p.inventory()).vms.filter((v) => v.markers.address === 'vm.a').map((v) => v.uuid).sort();
  t.same(claims, [uuid, clone].sort(), 'both VMs claim vm.a, and both are reported for the planner to refuse');
});
