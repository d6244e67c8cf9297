// The simulated xe/xl executables are clients of one simulator daemon per host file
// (providers/sim/daemon.ts): they must behave as the Node process that ran each command did.
import t from 'tap';
import { readFileSync, readdirSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadState } from '../../../providers/sim/host-file.js';
import { install, tempHost, xeProcess } from '../../support/sim-host.js';
import { simProcesses } from '../sshd-sessions.js';
import { until } from '../ssh-cli.js';

// The daemons serving the host file at `statePath`.
function daemons(statePath: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return args.some((a) => a.endsWith('/daemon.js')) && args.includes(statePath);
      } catch {
        return false;
      }
    })
    .map(Number);
}

t.test('a client SIGKILLed during an operation leaves it marked, and the daemon does not finish it for the dead client', async (t) => {
  const { opts, env } = tempHost(t, { latency_ms: { 'vm-start': 300, 'xl list': 1500 } });
  const u = await install(opts, 'web01');
  const starting = xeProcess(env, ['vm-start', `uuid=${u}`]);
  await until(() => (loadState(opts.statePath)?.vms[u].ops.length ?? 0) > 0, 'the start is marked');
  const clients = simProcesses(opts.statePath);
  t.equal(clients.length, 1, 'one client runs the start');
  process.kill(clients[0].pid, 'SIGKILL');
  t.equal((await starting).signal, 'SIGKILL');
  // Served by the same daemon, this command's latency ends after the start's, and xl does
  // not settle xapi operations: had the daemon gone on with the start, it would be done now.
  const later = await xeProcess(env, ['list'], 'xl');
  t.equal(later.code, 0, later.stderr);
  const raw = loadState(opts.statePath)!.vms[u];
  t.same(raw.ops.map((o) => o.op), ['start'], 'the start is still marked, as a killed xe process left it');
  t.equal(raw.power, 'halted', 'and not completed');
  const next = await xeProcess(env, ['vm-param-get', `uuid=${u}`, 'param-name=power-state']);
  t.equal(next.stdout, 'running\n', 'the next xe command completes it, as xapi completes a task whose client went away');
});

t.test('kill_during kills the client, not the daemon: the next command is served by the same daemon', async (t) => {
  const { opts, env } = tempHost(t, { kill_during: [{ command: 'vm-start', nth: 1 }] });
  const u = await install(opts, 'web01');
  await xeProcess(env, ['vm-list', '--minimal']);
  const before = daemons(opts.statePath);
  t.equal(before.length, 1, 'one daemon serves the host');
  const killed = await xeProcess(env, ['vm-start', `uuid=${u}`]);
  t.same([killed.signal, killed.stdout, killed.stderr], ['SIGKILL', '', ''], 'the client died abruptly, printing nothing');
  t.equal(loadState(opts.statePath)!.vms[u].ops[0].pid > 0, true, 'the operation is marked with the (dead) client pid');
  const again = await xeProcess(env, ['vm-param-get', `uuid=${u}`, 'param-name=power-state']);
  t.equal(again.stdout, 'running\n');
  t.same(daemons(opts.statePath), before, 'the daemon lives on');
});

t.test('relative paths are the caller\'s: XENSIM_STATE relative to its working directory', async (t) => {
  const { opts, env } = tempHost(t);
  const r = await xeProcess({ ...env, XENSIM_STATE: 'host.json' }, ['host-list', 'params=name-label', '--minimal'], 'xe', opts.statePath.replace(/\/host\.json$/, ''));
  t.equal(r.stdout, 'xcp1\n', r.stderr);
  t.ok(existsSync(opts.statePath), 'the host file is where the caller meant');
});

t.test('when no daemon can serve the host (a socket path too long), the executable runs the simulator itself', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xensim-long-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const statePath = join(dir, `${'h'.repeat(100)}.json`);
  const r = await xeProcess({ XENSIM_STATE: statePath, XENSIM_HOSTNAME: 'long' }, ['host-list', 'params=name-label', '--minimal']);
  t.same([r.code, r.stdout, r.stderr], [0, 'long\n', '']);
  t.same(readdirSync(dir).sort(), [`${'h'.repeat(100)}.json`], 'no socket, no daemon: the host file alone');
  t.same(daemons(statePath), []);
});

t.test('a daemon goes away with its host file\'s directory', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xensim-gone-'));
  const statePath = join(dir, 'host.json');
  const r = await xeProcess({ XENSIM_STATE: statePath }, ['vm-list', '--minimal']);
  t.equal(r.code, 0, r.stderr);
  t.equal(daemons(statePath).length, 1, 'a daemon serves the host');
  rmSync(dir, { recursive: true, force: true });
  await until(() => daemons(statePath).length === 0, 'the daemon exits');
  t.notOk(existsSync(dir), 'and does not make the directory again');
});

t.test('the simulator process starts on first use, listens on FILE.sock beside the state file, and is gone after 10 s idle', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xensim-idle-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const statePath = join(dir, 'host.json');
  t.same(daemons(statePath), [], 'no simulator process before the first command');
  const r = await xeProcess({ XENSIM_STATE: statePath }, ['vm-list', '--minimal']);
  const answered = Date.now();
  t.equal(r.code, 0, r.stderr);
  t.equal(daemons(statePath).length, 1, 'the first command started one');
  t.ok(existsSync(`${statePath}.sock`), 'listening on host.json.sock');
  await until(() => daemons(statePath).length === 0, 'the idle daemon exits');
  t.ok(Date.now() - answered >= 10_000, 'not before 10 s without a command');
  t.notOk(existsSync(`${statePath}.sock`), 'and its socket is gone');
});
