// A simulated XAPI pool of three members (XENSIM_HOSTS / SimOptions.hosts): placement,
// vm-start on=, vm-migrate within the pool with xapi's refusals, host-disable, and the
// memory accounting that makes an overcommitted start fail (xapi_vm_helpers.ml
// `assert_can_boot_here`, message_forwarding.ml `VM.pool_migrate`).
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSim, type SimOptions } from '../../../providers/sim/index.js';

const GiB = 1024 ** 3;

async function pool(t: Test, hosts: string[] | undefined, faults?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'xensim-pool-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const o: SimOptions = { statePath: join(dir, 'h.json'), hostname: 'xcp-solo', seed: 'pool', hosts, faults };
  const xe = (...args: string[]) => runSim(['xe', ...args], o);
  const get = async (...args: string[]) => (await xe(...args)).stdout.trim();
  const hostUuid = (name: string) => get('host-list', `name-label=${name}`, '--minimal');
  const residentName = async (vm: string) => {
    const on = await get('vm-param-get', `uuid=${vm}`, 'param-name=resident-on');
    return get('host-param-get', `uuid=${on}`, 'param-name=name-label');
  };
  const install = async (name: string, memGiB = 1) => {
    const vm = await get('vm-install', 'template=Other install media', `new-name-label=${name}`);
    await xe('vm-memory-limits-set', `uuid=${vm}`, `static-min=${memGiB}GiB`, `static-max=${memGiB}GiB`, `dynamic-min=${memGiB}GiB`, `dynamic-max=${memGiB}GiB`);
    return vm;
  };
  return { xe, get, hostUuid, residentName, install };
}

t.test('a pool lists its members, each with its own memory, pCPUs and control domain', async (t) => {
  const p = await pool(t, ['xcp-01', 'xcp-02', 'xcp-03']);
  t.same((await p.get('host-list', 'params=name-label', '--minimal')).split(','), ['xcp-01', 'xcp-02', 'xcp-03'], 'three members, the master first');
  const h2 = await p.hostUuid('xcp-02');
  t.equal(await p.get('host-param-get', `uuid=${h2}`, 'param-name=enabled'), 'true', 'a member is enabled');
  t.equal(await p.get('host-param-get', `uuid=${h2}`, 'param-name=memory-free'), String(256 * GiB - 4 * GiB - (await dom0Overhead(p, h2))), 'free memory is the total less its control domain');
  t.match(await p.get('vm-list', 'is-control-domain=true', 'params=name-label', '--minimal'), /Control domain on host: xcp-02/, 'each member has its control domain');
});

async function dom0Overhead(p: Awaited<ReturnType<typeof pool>>, host: string): Promise<number> {
  const dom0 = await p.get('vm-list', 'is-control-domain=true', `resident-on=${host}`, '--minimal');
  return Number(await p.get('vm-param-get', `uuid=${dom0}`, 'param-name=memory-overhead'));
}

t.test('a single host stays a pool of one', async (t) => {
  const p = await pool(t, undefined);
  t.equal(await p.get('host-list', 'params=name-label', '--minimal'), 'xcp-solo');
  const vm = await p.install('web');
  t.equal((await p.xe('vm-start', `uuid=${vm}`)).code, 0);
  t.equal(await p.residentName(vm), 'xcp-solo');
});

t.test('starts go to the affinity member, or to on=, and a live migration moves the domain', async (t) => {
  const p = await pool(t, ['xcp-01', 'xcp-02', 'xcp-03']);
  const vm = await p.install('web');
  await p.xe('vm-param-set', `uuid=${vm}`, `affinity=${await p.hostUuid('xcp-02')}`);
  t.equal((await p.xe('vm-start', `uuid=${vm}`)).code, 0);
  t.equal(await p.residentName(vm), 'xcp-02', 'started on its affinity');
  const db = await p.install('db');
  t.equal((await p.xe('vm-start', `uuid=${db}`, 'on=xcp-03')).code, 0);
  t.equal(await p.residentName(db), 'xcp-03', 'on= names the member');
  const startTime = await p.get('vm-param-get', `uuid=${vm}`, 'param-name=start-time');
  const r = await p.xe('vm-migrate', `uuid=${vm}`, 'host=xcp-01', 'live=true');
  t.same([r.code, r.stderr], [0, '']);
  t.equal(await p.residentName(vm), 'xcp-01', 'resident on the destination');
  t.equal(await p.get('vm-param-get', `uuid=${vm}`, 'param-name=power-state'), 'running', 'never halted');
  t.equal(await p.get('vm-param-get', `uuid=${vm}`, 'param-name=start-time'), startTime, 'the guest was not restarted');
  const missing = await p.xe('vm-start', `uuid=${await p.install('x')}`, 'on=xcp-09');
  t.same([missing.code, missing.stderr], [1, 'Error: Host xcp-09 not found\n']);
});

t.test('xapi refuses a migration or a start the destination cannot take, and the VM stays where it was', async (t) => {
  const p = await pool(t, ['xcp-01', 'xcp-02', 'xcp-03'], JSON.stringify({ no_pv_drivers: ['nodrivers'] }));
  const vm = await p.install('web');
  await p.xe('vm-start', `uuid=${vm}`, 'on=xcp-01');
  const h2 = await p.hostUuid('xcp-02');
  const iso = await p.get('vdi-list', 'name-label=debian-12.7.0-amd64-netinst.iso', '--minimal');
  const isoSr = await p.get('vdi-param-get', `uuid=${iso}`, 'param-name=sr-uuid');
  const cdVm = await p.install('cd');
  await p.xe('vbd-create', `vm-uuid=${cdVm}`, `vdi-uuid=${iso}`, 'device=3', 'type=CD', 'mode=RO');
  await p.xe('vm-start', `uuid=${cdVm}`, 'on=xcp-01');
  const noDrivers = await p.install('nodrivers');
  await p.xe('vm-start', `uuid=${noDrivers}`, 'on=xcp-01');
  const cases: { name: string; run: () => Promise<{ code: number; stderr: string; stdout: string }>; vm: string; stderr: string }[] = [
    {
      name: 'a disabled member receives no migration',
      run: async () => (await p.xe('host-disable', 'host=xcp-02'), p.xe('vm-migrate', `uuid=${vm}`, 'host=xcp-02', 'live=true')),
      vm,
      stderr: `The specified server is disabled.\nhost: ${h2} (xcp-02)\n`,
    },
    {
      name: 'a CD on the master\'s local ISO library pins the VM (VM_REQUIRES_SR)',
      run: async () => (await p.xe('host-enable', 'host=xcp-02'), p.xe('vm-migrate', `uuid=${cdVm}`, 'host=xcp-02', 'live=true')),
      vm: cdVm,
      stderr: `You attempted to run a VM on a host which doesn't have access to an SR needed by the VM. The VM has at least one VBD attached to a VDI in the SR.\nvm: ${cdVm} (cd)\nsr: ${isoSr} (ISO library)\n`,
    },
    {
      name: 'a running HVM guest without PV drivers cannot be migrated',
      run: () => p.xe('vm-migrate', `uuid=${noDrivers}`, 'host=xcp-02', 'live=true'),
      vm: noDrivers,
      stderr: `You attempted an operation on a VM which lacks the feature.\nvm: ${noDrivers} (nodrivers)\n`,
    },
  ];
  for (const c of cases) {
    const r = await c.run();
    t.same([r.code, r.stderr], [1, c.stderr], c.name);
    t.equal(await p.residentName(c.vm), 'xcp-01', `${c.name}: the VM stays on its member`);
  }
});

t.test('memory is accounted per member: an overcommitted start fails as xapi does, another member takes it', async (t) => {
  const p = await pool(t, ['xcp-01', 'xcp-02'], JSON.stringify({ host_memory_mib: 16 * 1024 }));
  const big = await p.install('big', 10);
  t.equal((await p.xe('vm-start', `uuid=${big}`, 'on=xcp-01')).code, 0);
  const h1 = await p.hostUuid('xcp-01');
  const free = Number(await p.get('host-param-get', `uuid=${h1}`, 'param-name=memory-free'));
  const other = await p.install('other', 10);
  const r = await p.xe('vm-start', `uuid=${other}`, 'on=xcp-01');
  t.same([r.code, r.stderr], [1, `Not enough server memory is available to perform this operation.\nneeded: ${10 * GiB}\navailable: ${free}\n`], 'start_on a full member: HOST_NOT_ENOUGH_FREE_MEMORY with the figures');
  await p.xe('vm-param-set', `uuid=${other}`, `affinity=${h1}`);
  t.equal((await p.xe('vm-start', `uuid=${other}`)).code, 0, 'without on=, xapi picks a member with room');
  t.equal(await p.residentName(other), 'xcp-02');
  const third = await p.install('third', 10);
  const full = await p.xe('vm-start', `uuid=${third}`);
  t.equal(full.code, 1);
  t.match(full.stderr, /^Not enough server memory is available to perform this operation\.\nneeded: 10737418240\n/, 'no member has room: the start fails on the chosen one');
  const move = await p.xe('vm-migrate', `uuid=${big}`, 'host=xcp-02', 'live=true');
  t.match(move.stderr, /^Not enough server memory/, 'a migration onto a full member is refused');
  t.equal(await p.residentName(big), 'xcp-01');
});
