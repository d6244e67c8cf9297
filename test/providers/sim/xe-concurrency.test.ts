// Several xe processes on one host (spec §6.3): a conflicting operation waits for the
// first and re-checks; operations on different VMs overlap; killed processes leave a
// state the next command recovers from.
import t from 'tap';
import { runSim, type SimOptions } from '../../../providers/sim/index.js';
import { loadState } from '../../../providers/sim/host-file.js';
import { install, tempHost, xeProcess } from '../../support/sim-host.js';

const BAD_POWER_STATE_DOC =
  "You attempted an operation on a VM that was not in an appropriate power state at the time; for example, you attempted to start a VM that was already running. The parameters returned are the VM's handle, and the expected and actual VM state at the time of the call.";

const power = async (o: SimOptions, u: string) => (await runSim(['xe', 'vm-param-get', `uuid=${u}`, 'param-name=power-state'], o)).stdout.trim();
const ops = async (o: SimOptions, u: string) => (await runSim(['xe', 'vm-param-get', `uuid=${u}`, 'param-name=current-operations'], o)).stdout.trim();

t.test('two xe processes starting one VM: one starts it, the other waits and then reports VM_BAD_POWER_STATE', async (t) => {
  const { opts, env } = tempHost(t, { latency_ms: { 'vm-start': 400 } });
  const u = await install(opts, 'web01');
  const [a, b] = await Promise.all([xeProcess(env, ['vm-start', `uuid=${u}`]), xeProcess(env, ['vm-start', `uuid=${u}`])]);
  const results = [a, b].sort((x, y) => (x.code ?? 9) - (y.code ?? 9));
  t.equal(results[0].code, 0, 'the winner exits 0');
  t.equal(results[0].stderr, '');
  t.equal(results[1].code, 1, 'the loser exits 1');
  t.equal(results[1].stdout, '');
  t.equal(results[1].stderr, `${BAD_POWER_STATE_DOC}\nvm: ${u} (web01)\nexpected: halted\nactual: running\n`, 'after waiting, the re-check fails on the power state');
  t.equal(await power(opts, u), 'running');
  t.equal(await ops(opts, u), '', 'no operation is left marked');
  const domid = (await runSim(['xe', 'vm-param-get', `uuid=${u}`, 'param-name=dom-id'], opts)).stdout.trim();
  t.equal(domid, '1', 'exactly one domain was built');
});

t.test('a shutdown issued while a start runs fails at once: the power state is checked before concurrency', async (t) => {
  const { opts, env } = tempHost(t, { latency_ms: { 'vm-start': 2000 } });
  const u = await install(opts, 'web01');
  const starting = xeProcess(env, ['vm-start', `uuid=${u}`]);
  while ((await ops(opts, u)) !== 'start') await new Promise((r) => setTimeout(r, 10));
  const shutdown = await runSim(['xe', 'vm-shutdown', `uuid=${u}`], { ...opts, faults: '' });
  t.equal(shutdown.code, 1);
  t.equal(shutdown.stderr, `${BAD_POWER_STATE_DOC}\nvm: ${u} (web01)\nexpected: running\nactual: halted\n`);
  t.equal((await starting).code, 0, 'the start completes');
  t.equal(await power(opts, u), 'running');
});

t.test('a hard shutdown does not wait for a clean one: it cancels it', async (t) => {
  const { opts } = tempHost(t, { latency_ms: { 'vm-shutdown': 300 } });
  const u = await install(opts, 'web01');
  await runSim(['xe', 'vm-start', `uuid=${u}`], opts);
  const clean = runSim(['xe', 'vm-shutdown', `uuid=${u}`], opts);
  while ((await ops(opts, u)) !== 'clean_shutdown') await new Promise((r) => setTimeout(r, 10));
  const hard = await runSim(['xe', 'vm-shutdown', `uuid=${u}`, '--force'], opts);
  t.equal(hard.code, 0, 'the hard shutdown succeeds');
  const c = await clean;
  t.equal(c.code, 1, 'the clean shutdown fails');
  t.match(c.stderr, /^The request was asynchronously canceled\.\ntask: [0-9a-f-]{36}\n$/, 'its task was cancelled');
  t.equal(await power(opts, u), 'halted');
});

t.test('operations on different VMs of one host run at the same time', async (t) => {
  const { opts } = tempHost(t, { latency_ms: { 'vm-start': 600 } });
  const vms: string[] = [];
  for (let i = 0; i < 8; i++) vms.push(await install(opts, `web-${i}`));
  const starts = vms.map((u) => runSim(['xe', 'vm-start', `uuid=${u}`], opts));
  let inFlight = 0;
  for (let i = 0; i < 200 && inFlight < 8; i++) {
    await new Promise((r) => setTimeout(r, 10));
    const list = await runSim(['xe', 'vm-list', 'current-operations:contains=start', '--minimal'], { ...opts, faults: '' });
    inFlight = Math.max(inFlight, list.stdout.trim() === '' ? 0 : list.stdout.trim().split(',').length);
  }
  t.equal(inFlight, 8, 'all eight starts were in flight together');
  t.same((await Promise.all(starts)).map((r) => r.code), Array(8).fill(0));
});

t.test('a process killed during an operation leaves a mark that the next command completes', async (t) => {
  const { opts, env } = tempHost(t, { kill_during: [{ command: 'vm-start', nth: 1 }] });
  const u = await install(opts, 'web01');
  const killed = await xeProcess(env, ['vm-start', `uuid=${u}`]);
  t.equal(killed.signal, 'SIGKILL', 'the process died abruptly');
  const raw = loadState(opts.statePath)!;
  t.same(raw.vms[u].ops.map((o: { op: string }) => o.op), ['start'], 'the start was marked when it died');
  t.equal(await power(opts, u), 'running', 'the next command finds the start completed, as xapi completes a task whose client went away');
  t.equal(await ops(opts, u), '');
  const again = await xeProcess(env, ['vm-start', `uuid=${u}`]);
  t.equal(again.code, 1, 'only the first call was killed');
});

t.test('in-process, a killed call reports exit code 255 like a dropped SSH connection', async (t) => {
  const { opts } = tempHost(t, { kill_during: [{ command: 'vm-shutdown', nth: 1 }] });
  const u = await install(opts, 'web01');
  await runSim(['xe', 'vm-start', `uuid=${u}`], opts);
  const r = await runSim(['xe', 'vm-shutdown', `uuid=${u}`], opts);
  t.same(r, { stdout: '', stderr: '', code: 255 });
  t.equal(await power(opts, u), 'halted', 'recovered by the next command');
});
