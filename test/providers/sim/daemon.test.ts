// The simulated xe/xl executables are clients of one simulator daemon per host file
// (providers/sim/daemon.ts): they must behave as the Node process that ran each command did.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, readFileSync, readdirSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { socketDir, socketPath } from '../../../providers/sim/daemon-socket.js';
import { loadState } from '../../../providers/sim/host-file.js';
import { install, tempHost, xeProcess } from '../../support/sim-host.js';
import { SIM_BIN } from '../../support/sshd.js';
import { simProcesses } from '../sshd-sessions.js';
import { until } from '../ssh-cli.js';

const DAEMON = join(SIM_BIN, '..', '..', '..', 'dist', 'providers', 'sim', 'daemon.js');

// The daemons serving the host file at `statePath`, however their starter spelled it.
function daemons(statePath: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        const at = args.findIndex((a) => a.endsWith('/daemon.js'));
        return at >= 0 && args[at + 1] !== undefined && resolve(args[at + 1]) === statePath;
      } catch {
        return false;
      }
    })
    .map(Number);
}

// One request over the daemon's protocol (daemon.ts), written as bin/xe writes it; resolves
// to the answer's exit code.
function ask(socket: string, fields: string[]): Promise<number> {
  return new Promise((res, rej) => {
    const payload = Buffer.from(fields.join('\0'));
    const head = Buffer.alloc(4);
    head.writeUInt32BE(payload.length);
    const chunks: Buffer[] = [];
    const s = connect(socket, () => s.write(Buffer.concat([head, payload])));
    s.on('data', (d) => chunks.push(d));
    s.on('error', rej);
    s.on('end', () => {
      const answer = Buffer.concat(chunks);
      if (answer.length < 4) rej(new Error('no answer'));
      else res(answer.readInt32BE(0));
    });
  });
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

t.test('a state path of 200 bytes and more is served by a daemon listening in the per-user socket directory', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xensim-long-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const statePath = join(dir, 'd'.repeat(100), `${'h'.repeat(100)}.json`);
  t.ok(Buffer.byteLength(statePath) > 200, 'the state path runs past 200 bytes');
  mkdirSync(dirname(statePath));
  const env = { XENSIM_STATE: statePath, XENSIM_HOSTNAME: 'long', XENSIM_FAULTS: JSON.stringify({ latency_ms: { 'vm-start': 5000 } }) };
  const u = await install({ statePath, hostname: 'long' }, 'web01');
  const first = await xeProcess(env, ['host-list', 'params=name-label', '--minimal']);
  t.same([first.code, first.stdout, first.stderr], [0, 'long\n', '']);
  const served = daemons(statePath);
  t.equal(served.length, 1, 'a daemon serves the host');
  const sock = socketPath(statePath, {});
  t.ok(existsSync(sock), `it listens on ${sock}`);
  t.ok(Buffer.byteLength(sock) < 100, 'a path a unix socket address holds');
  t.equal(statSync(dirname(sock)).mode & 0o777, 0o700, 'in a directory of this user\'s alone');
  const starting = xeProcess(env, ['vm-start', `uuid=${u}`]);
  await until(() => (loadState(statePath)?.vms[u].ops.length ?? 0) > 0, 'the start is under way');
  const clients = simProcesses(statePath);
  t.same(clients.map((c) => basename(c.args.split(' ')[0])), ['perl'], 'the client stays the thin perl process: the command runs in the daemon');
  process.kill(clients[0].pid, 'SIGKILL');
  await starting;
  const next = await xeProcess(env, ['vm-param-get', `uuid=${u}`, 'param-name=power-state']);
  t.equal(next.stdout, 'running\n', next.stderr);
  t.same(daemons(statePath), served, 'the next command is answered by the same daemon');
});

t.test('one daemon per state file: every spelling of a file reaches its daemon, another file (its name differing in the last byte) gets its own', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xensim-two-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'sub'));
  const name = (last: string) => `${'h'.repeat(150)}${last}.json`;
  const [a, b] = [join(dir, name('a')), join(dir, name('b'))];
  for (const [spelling, cwd] of [[a, undefined], [`${dir}/sub/..//./${name('a')}`, undefined], [name('a'), dir]] as const) {
    const r = await xeProcess({ XENSIM_STATE: spelling, XENSIM_HOSTNAME: 'a' }, ['host-list', 'params=name-label', '--minimal'], 'xe', cwd);
    t.same([r.code, r.stdout, r.stderr], [0, 'a\n', ''], spelling);
  }
  const r = await xeProcess({ XENSIM_STATE: b, XENSIM_HOSTNAME: 'b' }, ['host-list', 'params=name-label', '--minimal']);
  t.same([r.code, r.stdout, r.stderr], [0, 'b\n', '']);
  const [da, db] = [daemons(a), daemons(b)];
  t.equal(da.length, 1, 'three spellings of one file, one daemon');
  t.equal(db.length, 1, 'the other file has a daemon');
  t.not(da[0], db[0], 'not the same one');
  t.not(socketPath(a, {}), socketPath(b, {}), 'on sockets of their own');
  const c = join(dir, name('c'));
  t.equal(await ask(socketPath(a, {}), ['xensim1', 'xe', String(process.pid), dir, '1', `XENSIM_STATE=${c}`, 'vm-list']), -2, 'a request for another file is refused (its client runs the simulator itself)');
  t.notOk(existsSync(c), 'and that file is not made');
});

t.test('when the socket directory leaves no room for a socket address (a TMPDIR of 100 bytes), the executable runs the simulator itself', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xensim-longtmp-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const tmp = join(dir, 't'.repeat(100));
  mkdirSync(tmp);
  const statePath = join(dir, 'host.json');
  const r = await xeProcess({ XENSIM_STATE: statePath, XENSIM_HOSTNAME: 'long', TMPDIR: tmp }, ['host-list', 'params=name-label', '--minimal']);
  t.same([r.code, r.stdout, r.stderr], [0, 'long\n', '']);
  t.same(readdirSync(tmp), [], 'no socket directory, no socket');
  t.same(daemons(statePath), [], 'no daemon');
});

const euid = process.geteuid?.() ?? 0;
const refused: { name: string; make: (dir: string) => void; says: string; root?: boolean }[] = [
  {
    name: 'writable by others',
    make: (d) => {
      mkdirSync(d);
      chmodSync(d, 0o777);
    },
    says: 'is writable by its group or others (mode 0777)',
  },
  {
    name: 'another user owns',
    make: (d) => {
      mkdirSync(d, { mode: 0o700 });
      chownSync(d, 65534, 65534);
    },
    says: `is owned by uid 65534, not by this user (uid ${euid})`,
    root: true,
  },
  {
    name: 'that is a symbolic link',
    make: (d) => {
      mkdirSync(`${d}-real`, { mode: 0o700 });
      symlinkSync(`${d}-real`, d);
    },
    says: 'is not a directory',
  },
];
for (const c of refused) {
  t.test(`a socket directory ${c.name} is refused: the command says so and runs the simulator itself, the daemon will not listen there`, { skip: c.root && euid !== 0 ? 'only root can give a directory to another user' : false }, async (t) => {
    const runtime = mkdtempSync(join(tmpdir(), 'xensim-runtime-'));
    t.teardown(() => rmSync(runtime, { recursive: true, force: true }));
    const sockets = join(runtime, 'xensim');
    c.make(sockets);
    const statePath = join(runtime, 'host.json');
    const env = { XENSIM_STATE: statePath, XENSIM_HOSTNAME: 'xcp1', XDG_RUNTIME_DIR: runtime };
    t.equal(socketDir(env), sockets, 'the socket directory is $XDG_RUNTIME_DIR/xensim');
    const r = await xeProcess(env, ['host-list', 'params=name-label', '--minimal']);
    t.same([r.code, r.stdout], [0, 'xcp1\n']);
    t.equal(r.stderr, `xe: the simulator's socket directory ${sockets} ${c.says}: the simulator daemon is not used, this command runs the simulator itself (slower)\n`);
    t.same(daemons(statePath), [], 'no daemon');
    t.same(readdirSync(sockets), [], 'no socket');
    const byHand = spawnSync(process.execPath, [DAEMON, statePath, '1'], { env: { XDG_RUNTIME_DIR: runtime }, encoding: 'utf8', timeout: 60_000 });
    t.same([byHand.status, byHand.stdout, byHand.stderr], [1, '', `simulator daemon: the simulator's socket directory ${sockets} ${c.says}\n`], 'the daemon started by hand refuses it too');
  });
}

t.test('a daemon goes away with its host file\'s directory, even while clients keep calling it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xensim-gone-'));
  const statePath = join(dir, 'host.json');
  const r = await xeProcess({ XENSIM_STATE: statePath }, ['vm-list', '--minimal']);
  t.equal(r.code, 0, r.stderr);
  t.equal(daemons(statePath).length, 1, 'a daemon serves the host');
  const sock = socketPath(statePath, {});
  // A client of another version calls on, so the daemon is never idle; it is answered until the daemon exits.
  const codes: number[] = [await ask(sock, ['xensim0'])];
  rmSync(dir, { recursive: true, force: true });
  for (;;) {
    try {
      codes.push(await ask(sock, ['xensim0']));
    } catch {
      break; // no daemon listens any more
    }
    await new Promise((r) => setTimeout(r, 100)); // the client's pace, not a wait for the daemon
  }
  t.ok(codes.length > 0 && codes.every((c) => c === 1), 'it answered every request (exit code 1: a request it cannot read) until it exited');
  await until(() => daemons(statePath).length === 0, 'the daemon exits');
  t.notOk(existsSync(sock), 'its socket is gone');
  t.notOk(existsSync(dir), 'and it does not make the directory again');
});

t.test('the simulator process starts on first use, listens in the per-user socket directory, and is gone after 10 s idle', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xensim-idle-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const statePath = join(dir, 'host.json');
  t.same(daemons(statePath), [], 'no simulator process before the first command');
  const r = await xeProcess({ XENSIM_STATE: statePath }, ['vm-list', '--minimal']);
  const answered = Date.now();
  t.equal(r.code, 0, r.stderr);
  t.equal(daemons(statePath).length, 1, 'the first command started one');
  const sock = socketPath(statePath, {});
  t.ok(existsSync(sock), `listening on ${sock}`);
  await until(() => daemons(statePath).length === 0, 'the idle daemon exits');
  t.ok(Date.now() - answered >= 10_000, 'not before 10 s without a command');
  t.notOk(existsSync(sock), 'and its socket is gone');
});
