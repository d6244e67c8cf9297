// Faults from XENSIM_FAULTS (providers/sim/faults.ts): failing the nth call, guests
// without PV drivers, crashing guests, guests that ignore clean shutdown, bad input.
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSim, type SimOptions } from '../../../providers/sim/index.js';

function host(t: Test, faults: object): SimOptions {
  const dir = mkdtempSync(join(tmpdir(), 'xensim-faults-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return { statePath: join(dir, 'xcp1.json'), hostname: 'xcp1', faults: JSON.stringify(faults) };
}

const xe = (o: SimOptions, ...args: string[]) => runSim(['xe', ...args], o);

async function vm(o: SimOptions, name: string, running = true): Promise<string> {
  const u = (await xe(o, 'vm-install', 'template=Debian Bookworm 12', `new-name-label=${name}`)).stdout.trim();
  if (running) await xe(o, 'vm-start', `uuid=${u}`);
  return u;
}

const get = async (o: SimOptions, u: string, p: string) => (await xe(o, 'vm-param-get', `uuid=${u}`, `param-name=${p}`)).stdout.trim();

t.test('the nth call of a command fails with the XAPI error asked for, with its parameters filled in', async (t) => {
  const o = host(t, { fail: [{ command: 'vm-start', nth: 2, code: 'VM_BAD_POWER_STATE' }, { command: 'vm-shutdown', nth: 1, code: 'NO_HOSTS_AVAILABLE' }] });
  const a = await vm(o, 'a', false);
  const b = await vm(o, 'b', false);
  t.equal((await xe(o, 'vm-start', `uuid=${a}`)).code, 0, 'the first start succeeds');
  const second = await xe(o, 'vm-start', `uuid=${b}`);
  t.equal(second.code, 1);
  t.match(second.stderr, new RegExp(`^You attempted an operation on a VM that was not in an appropriate power state.*\\nvm: ${b} \\(b\\)\\nexpected: halted\\nactual: halted\\n$`));
  t.equal(await get(o, b, 'power-state'), 'halted', 'the failed start changed nothing');
  t.equal((await xe(o, 'vm-start', `uuid=${b}`)).code, 0, 'the third call succeeds');
  const sd = await xe(o, 'vm-shutdown', `uuid=${a}`);
  t.same(sd, { stdout: '', stderr: 'There were no servers available to complete the specified operation.\n', code: 1 });
});

t.test('a guest without PV drivers refuses clean shutdown, clean reboot and suspend as XAPI refuses them', async (t) => {
  const o = host(t, { no_pv_drivers: ['web-0'] });
  const u = await vm(o, 'web-0');
  for (const cmd of [['vm-shutdown'], ['vm-reboot'], ['vm-suspend']]) {
    const r = await xe(o, ...cmd, `uuid=${u}`);
    t.same(r, { stdout: '', stderr: `You attempted an operation on a VM which lacks the feature.\nvm: ${u} (web-0)\n`, code: 1 }, `${cmd[0]} fails with VM_LACKS_FEATURE`);
  }
  const allowed = await get(o, u, 'allowed-operations');
  t.notMatch(allowed, /clean_shutdown|clean_reboot|suspend/, 'allowed-operations leaves them out');
  t.match(allowed, /hard_shutdown/);
  t.equal(await get(o, u, 'PV-drivers-detected'), 'false');
  t.equal(await get(o, u, 'os-version'), '<not in database>', 'no guest metrics');
  t.equal((await xe(o, 'vm-reboot', `uuid=${u}`, '--force')).code, 0, 'hard reboot still works');
  t.equal((await xe(o, 'vm-shutdown', `uuid=${u}`, '--force')).code, 0, 'hard shutdown still works');
  t.equal(await get(o, u, 'power-state'), 'halted');
});

t.test('a crashing guest is handled by actions-after-crash', async (t) => {
  const o = host(t, { crash: ['db', 'keep'] });
  const db = await vm(o, 'db');
  t.equal(await get(o, db, 'power-state'), 'halted', 'a crash soon after start shuts the VM down, even with Restart');
  const keep = await vm(o, 'keep', false);
  await xe(o, 'vm-param-set', `uuid=${keep}`, 'actions-after-crash=preserve');
  await xe(o, 'vm-start', `uuid=${keep}`);
  t.equal(await get(o, keep, 'power-state'), 'paused', 'preserve leaves the crashed domain paused');
  const other = await vm(o, 'other');
  t.equal(await get(o, other, 'power-state'), 'running', 'other guests are not affected');
});

t.test('a guest that ignores clean shutdown makes vm-shutdown time out', async (t) => {
  const o = host(t, { ignore_clean_shutdown: ['x'], clean_shutdown_timeout_ms: 200 });
  const u = await vm(o, 'x');
  const r = await xe(o, 'vm-shutdown', `uuid=${u}`);
  t.same(r, { stdout: '', stderr: `VM failed to shutdown before the timeout expired\nvm: ${u} (x)\ntimeout: 0.2\n`, code: 1 });
  t.equal(await get(o, u, 'power-state'), 'running', 'the VM keeps running');
  t.equal(await get(o, u, 'current-operations'), '', 'the operation is no longer marked');
  t.equal((await xe(o, 'vm-shutdown', `uuid=${u}`, '--force')).code, 0);
});

t.test('bad XENSIM_FAULTS is reported clearly', async (t) => {
  const o = { statePath: '/nonexistent/x.json' };
  const bad = await runSim(['xe', 'vm-list'], { ...o, faults: '{nope' });
  t.equal(bad.code, 1);
  t.match(bad.stderr, /^xe: XENSIM_FAULTS is not valid JSON: .+\n$/);
  t.same(await runSim(['xe', 'vm-list'], { ...o, faults: '{"crash": "db"}' }), { stdout: '', stderr: 'xe: XENSIM_FAULTS: "crash" must be an array of VM names\n', code: 1 });
  t.same(await runSim(['xl', 'list'], { ...o, faults: '{"hold": {"xl migrate": 5}}' }), { stdout: '', stderr: 'xl: XENSIM_FAULTS: "hold" must be an object of command names to gate file paths\n', code: 1 });
});

t.test('memory and vCPU rules give the exact XAPI errors', async (t) => {
  const o = host(t, {});
  const u = await vm(o, 'm', false);
  const order = await xe(o, 'vm-param-set', `uuid=${u}`, 'memory-dynamic-max=2GiB');
  t.same(order, { stdout: '', stderr: 'The dynamic memory range violates constraint static_min <= dynamic_min <= dynamic_max <= static_max.\n', code: 1 });
  t.equal((await xe(o, 'vm-memory-limits-set', `uuid=${u}`, 'static-min=512MiB', 'static-max=2GiB', 'dynamic-min=1GiB', 'dynamic-max=2GiB')).code, 0);
  t.equal(await get(o, u, 'memory-static-max'), String(2 * 1024 ** 3));
  const size = await xe(o, 'vm-memory-static-range-set', `uuid=${u}`, 'min=1x', 'max=2GiB');
  t.same(size, { stdout: '', stderr: "Error: Failed to parse field 'min': expecting an integer (possibly with suffix KiB, MiB, GiB, TiB), got '1x'\n", code: 1 });
  const vcpus = await xe(o, 'vm-param-set', `uuid=${u}`, 'VCPUs-at-startup=4');
  t.same(vcpus, { stdout: '', stderr: 'The value given is invalid\nfield: VCPU values must satisfy: 0 < VCPUs_at_startup ≤ VCPUs_max\nvalue: 4\n', code: 1 });
  t.equal((await xe(o, 'vm-param-set', `uuid=${u}`, 'VCPUs-max=4', 'VCPUs-at-startup=4')).code, 0, 'raising the maximum first works');
  await xe(o, 'vm-start', `uuid=${u}`);
  const live = await xe(o, 'vm-param-set', `uuid=${u}`, 'VCPUs-max=8');
  t.same(live, { stdout: '', stderr: `You attempted an operation on a VM that was not in an appropriate power state at the time; for example, you attempted to start a VM that was already running. The parameters returned are the VM's handle, and the expected and actual VM state at the time of the call.\nvm: ${u} (m)\nexpected: halted\nactual: running\n`, code: 1 });
  t.equal((await xe(o, 'vm-vcpu-hotplug', `uuid=${u}`, 'new-vcpus=2')).code, 0);
  t.equal(await get(o, u, 'VCPUs-number'), '2', 'the running count changed');
  t.equal(await get(o, u, 'VCPUs-at-startup'), '2', 'and the startup count with it');
  const many = await xe(o, 'vm-vcpu-hotplug', `uuid=${u}`, 'new-vcpus=9');
  t.same(many, { stdout: '', stderr: 'The value given is invalid\nfield: VCPU values must satisfy: 0 < VCPUs ≤ VCPUs_max\nvalue: 9\n', code: 1 });
  const paused = await xe(o, 'vm-pause', `uuid=${u}`);
  t.equal(paused.code, 0);
  const dyn = await xe(o, 'vm-memory-dynamic-range-set', `uuid=${u}`, 'min=1GiB', 'max=1GiB');
  t.match(dyn.stderr, /\nexpected: halted, running\nactual: paused\n$/, 'dynamic range needs halted or running');
});

t.test('selectors and parameter errors read as xe prints them', async (t) => {
  const o = host(t, {});
  await vm(o, 'dup', false);
  await vm(o, 'dup', false);
  t.same(await xe(o, 'vm-start', 'vm=dup'), { stdout: '', stderr: 'Error: Multiple matches VMs found. --multiple required to complete the operation\n', code: 1 });
  t.same(await xe(o, 'vm-start', 'name-label=nosuch'), { stdout: '', stderr: 'Error: No matching VMs found\n', code: 1 });
  t.same(await xe(o, 'vm-start', 'name-label=dup', 'bogus=1'), { stdout: '', stderr: "Error: Unknown field 'bogus'\n", code: 1 });
  t.same(await xe(o, 'vm-frobnicate'), { stdout: '', stderr: "Unknown command: vm-frobnicate\nFor usage run: 'xe help'\n", code: 1 });
  t.same(await xe(o, 'vm-install', 'template=Debian Bookworm 12'), { stdout: '', stderr: "Required parameter not found: new-name-label\nFor usage run: 'xe help'\n", code: 1 });
  t.same(await xe(o, 'vm-install', 'template=nosuch', 'new-name-label=x'), { stdout: '', stderr: 'Error: No templates matched\n', code: 1 });
  t.equal((await xe(o, 'vm-start', 'name-label=dup', '--multiple')).code, 0, '--multiple acts on every match');
  t.equal((await xe(o, 'vm-list', 'name-label=dup', 'power-state=running', '--minimal')).stdout.split(',').length, 2);
  const dom0 = (await xe(o, 'vm-list', 'is-control-domain=true', '--minimal')).stdout.trim();
  t.same(await xe(o, 'vm-destroy', `uuid=${dom0}`), { stdout: '', stderr: 'You attempted an operation that was not allowed.\nreason: You cannot destroy a control domain via the CLI\n', code: 1 });
  const u = await vm(o, 'p', false);
  t.same(await xe(o, 'vm-param-set', `uuid=${u}`, 'power-state=running'), { stdout: '', stderr: "Error: Field 'power-state' is read-only.\n", code: 1 });
  t.same(await xe(o, 'vm-param-set', `uuid=${u}`, 'is-a-template=maybe'), { stdout: '', stderr: "Error: Failed to parse parameter 'is-a-template': Expected 'true','t','yes','y','1','false','f','no','n','0' got maybe\n", code: 1 });
  await xe(o, 'vm-param-add', `uuid=${u}`, 'param-name=other-config', 'k=v');
  t.same(await xe(o, 'vm-param-add', `uuid=${u}`, 'param-name=other-config', 'k=w'), { stdout: '', stderr: `You tried to add a key-value pair to a map, but that key is already there.\ntype: VM\nparam_name: other_config\nuuid: ${u} (p)\nkey: k\n`, code: 1 });
  t.same(await xe(o, 'vm-param-remove', `uuid=${u}`, 'param-name=other-config', 'param-key=nope'), { stdout: '', stderr: 'Error: Key nope is not in map\n', code: 1 });
  await xe(o, 'vm-param-set', `uuid=${u}`, 'blocked-operations:start=maintenance');
  t.same(await xe(o, 'vm-start', `uuid=${u}`), { stdout: '', stderr: `You attempted an operation that was explicitly blocked (see the blocked_operations field of the given object).\nref: ${u} (p)\ncode: maintenance\n`, code: 1 });
});

t.test('devices: disks and network interfaces follow the VM lifecycle', async (t) => {
  const o = host(t, {});
  const u = await vm(o, 'dev', false);
  const sr = (await xe(o, 'sr-list', 'name-label=Local storage', '--minimal')).stdout.trim();
  const net = (await xe(o, 'network-list', 'bridge=xenbr0', '--minimal')).stdout.trim();
  const vdi = (await xe(o, 'vdi-create', `sr-uuid=${sr}`, 'name-label=data', 'virtual-size=2GiB')).stdout.trim();
  t.same(await xe(o, 'vbd-create', `vm-uuid=${u}`, `vdi-uuid=${vdi}`, 'device=0'), { stdout: '', stderr: 'A device with the name given already exists on the selected VM\ndevice: 0\n', code: 1 }, 'the root disk holds device 0');
  const vbd = (await xe(o, 'vbd-create', `vm-uuid=${u}`, `vdi-uuid=${vdi}`, 'device=1')).stdout.trim();
  t.same(await xe(o, 'vbd-create', `vm-uuid=${u}`, 'device=3', 'type=CD'), { stdout: '', stderr: 'Read/write CDs are not supported\n', code: 1 });
  const vif = (await xe(o, 'vif-create', `vm-uuid=${u}`, `network-uuid=${net}`, 'device=0')).stdout.trim();
  t.match((await xe(o, 'vif-param-list', `uuid=${vif}`)).stdout, /MAC-autogenerated \( RO\): true/);
  t.same(await xe(o, 'vbd-plug', `uuid=${vbd}`), { stdout: '', stderr: `You attempted an operation on a VM that was not in an appropriate power state at the time; for example, you attempted to start a VM that was already running. The parameters returned are the VM's handle, and the expected and actual VM state at the time of the call.\nvm: ${u} (dev)\nexpected: running\nactual: halted\n`, code: 1 });
  await xe(o, 'vm-start', `uuid=${u}`);
  t.equal((await xe(o, 'vbd-param-get', `uuid=${vbd}`, 'param-name=currently-attached')).stdout, 'true\n', 'a start attaches every disk');
  t.same(await xe(o, 'vbd-destroy', `uuid=${vbd}`), { stdout: '', stderr: `You attempted an operation that was not allowed.\nreason: VBD '${vbd}' still attached to '${u}'\n`, code: 1 });
  t.equal((await xe(o, 'vbd-unplug', `uuid=${vbd}`)).code, 0);
  t.equal((await xe(o, 'vbd-destroy', `uuid=${vbd}`)).code, 0);
  t.match((await xe(o, 'vm-param-get', `uuid=${u}`, 'param-name=networks')).stdout, /^0\/ip: 10\.[0-9.]+; 0\/ipv4\/0: 10\./, 'the guest reports the address of its interface');
  const un = await xe(o, 'vm-uninstall', `uuid=${u}`, '--force');
  t.equal(un.code, 0);
  t.match(un.stdout, /^The following items are about to be destroyed\nVM : [0-9a-f-]{36} \(dev\)\nVDI: [0-9a-f-]{36} \(0\)\nAll objects destroyed\n$/, 'only the VDI vm-install created is destroyed');
  t.equal((await xe(o, 'vdi-list', `uuid=${vdi}`, '--minimal')).stdout, `${vdi}\n`, 'the vdi-create disk stays');
});
