// vTPMs, Secure Boot and NVRAM on the simulated xe, with xapi's rules and texts (xen-api
// v26.17.0 xapi_vtpm.ml, xapi_vm_lifecycle.ml, cli_operations.ml VTPM, records.ml vtpm_record).
import t, { type Test } from 'tap';
import { runSim } from '../../../providers/sim/index.js';
import { install, tempHost } from '../../support/sim-host.js';

async function host(t: Test) {
  const { opts } = tempHost(t);
  const xe = (...args: string[]) => runSim(['xe', ...args], opts);
  const ok = async (...args: string[]) => {
    const r = await xe(...args);
    if (r.code !== 0) throw new Error(`xe ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const vm = await install(opts, 'win');
  return { xe, ok, vm };
}

const badPower = (vm: string, expected: string, actual: string) =>
  "You attempted an operation on a VM that was not in an appropriate power state at the time; for example, you attempted to start a VM that was already running. The parameters returned are the VM's handle, and the expected and actual VM state at the time of the call.\n" +
  `vm: ${vm} (win)\nexpected: ${expected}\nactual: ${actual}\n`;

t.test('vtpm-create gives a halted VM one vTPM, listed by vtpm-list and in the VM\'s vtpms', async (t) => {
  const { xe, ok, vm } = await host(t);
  const vtpm = await ok('vtpm-create', `vm-uuid=${vm}`);
  t.match(vtpm, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'prints the new uuid');
  t.equal(await ok('vtpm-list', `vm-uuid=${vm}`, 'params=uuid', '--minimal'), vtpm);
  t.equal(await ok('vm-param-get', `uuid=${vm}`, 'param-name=vtpms'), vtpm);
  t.equal(await ok('vtpm-param-get', `uuid=${vtpm}`, 'param-name=vm-name-label'), 'win');
  t.equal(await ok('vtpm-param-get', `uuid=${vtpm}`, 'param-name=allowed-operations'), 'destroy', 'destroy allowed while halted');
  const second = await xe('vtpm-create', `vm-uuid=${vm}`);
  t.same([second.code, second.stderr], [1, 'The VM cannot be associated with more VTPMs.\namount: 1\n'], 'VTPM_MAX_AMOUNT_REACHED');
});

t.test('vtpm-create is refused on a running VM with VM_BAD_POWER_STATE', async (t) => {
  const { xe, ok, vm } = await host(t);
  await ok('vm-start', `uuid=${vm}`);
  const r = await xe('vtpm-create', `vm-uuid=${vm}`);
  t.equal(r.code, 1);
  t.equal(r.stderr, badPower(vm, 'halted', 'running'));
  t.equal(await ok('vm-param-get', `uuid=${vm}`, 'param-name=vtpms'), '', 'no vTPM made');
});

t.test('vtpm-destroy needs --force, and a halted or suspended VM', async (t) => {
  const { xe, ok, vm } = await host(t);
  const vtpm = await ok('vtpm-create', `vm-uuid=${vm}`);
  const unforced = await xe('vtpm-destroy', `uuid=${vtpm}`);
  t.same([unforced.code, unforced.stderr], [1, 'Error: This operation is dangerous and may cause data loss. This operation must be forced (use --force).\n']);
  await ok('vm-start', `uuid=${vm}`);
  t.equal(await ok('vtpm-param-get', `uuid=${vtpm}`, 'param-name=allowed-operations'), '', 'nothing allowed while running');
  const running = await xe('vtpm-destroy', `uuid=${vtpm}`, '--force');
  t.same([running.code, running.stderr], [1, badPower(vm, 'halted;suspended', 'running')], 'assert_initial_power_state_in joins with ";"');
  await ok('vm-shutdown', `uuid=${vm}`, '--force');
  await ok('vtpm-destroy', `uuid=${vtpm}`, '--force');
  t.equal(await ok('vtpm-list', `vm-uuid=${vm}`, '--minimal'), '');
  const gone = await xe('vtpm-destroy', `uuid=${vtpm}`, '--force');
  t.match(gone.stderr, /^The uuid you supplied was invalid\.\ntype: VTPM\n/);
});

t.test('NVRAM is cleared only while the VM is halted; platform:secureboot is kept as set', async (t) => {
  const { xe, ok, vm } = await host(t);
  await ok('vm-param-set', `uuid=${vm}`, 'HVM-boot-params:firmware=uefi', 'platform:secureboot=true');
  await ok('vm-param-add', `uuid=${vm}`, 'param-name=NVRAM', 'EFI-variables=AAAA');
  t.equal(await ok('vm-param-get', `uuid=${vm}`, 'param-name=NVRAM'), 'EFI-variables: AAAA');
  t.equal(await ok('vm-param-get', `uuid=${vm}`, 'param-name=platform', 'param-key=secureboot'), 'true');
  await ok('vm-start', `uuid=${vm}`);
  const running = await xe('vm-param-clear', `uuid=${vm}`, 'param-name=NVRAM');
  t.equal(running.code, 1, 'changing_NVRAM is refused on a running VM');
  t.equal(running.stderr, badPower(vm, 'halted', 'running'));
  await ok('vm-shutdown', `uuid=${vm}`, '--force');
  await ok('vm-param-clear', `uuid=${vm}`, 'param-name=NVRAM');
  t.equal(await ok('vm-param-get', `uuid=${vm}`, 'param-name=NVRAM'), '');
});

t.test('vm-destroy takes the VM\'s vTPM with it', async (t) => {
  const { ok, vm } = await host(t);
  await ok('vtpm-create', `vm-uuid=${vm}`);
  await ok('vm-destroy', `uuid=${vm}`);
  t.equal(await ok('vtpm-list', '--minimal'), '');
});
