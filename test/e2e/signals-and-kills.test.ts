// Signals and kills leave no lock for a person to remove: SIGINT, SIGTERM and SIGHUP end a run
// and release its lock; a run SIGKILLed while it holds the lock (at random points, chosen by
// how far its journal got) is taken over by the next run on this machine, and the last apply
// converges with no VM lost or doubled. XENFORM_KILL_SEED replays; XENFORM_KILL_RUNS (default 30).
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { parseState } from '../../engine/state/format.js';
import { LOCK_FILE } from '../../engine/state/local/lock.js';
import { JOURNAL_FILE } from '../../engine/state/local/journal.js';
import { STATE_FILE } from '../../planner/model/state.js';
import { openProvider } from '../../providers/factory.js';
import { BUILT, CLI, WEB_BLOCK } from '../engine/crash-support.js';
import { seededRandom } from '../support/random.js';
import { HOST } from '../planner/config/support.js';

const RUNS = Number(process.env.XENFORM_KILL_RUNS ?? 30);
const SEED = Number(process.env.XENFORM_KILL_SEED ?? Math.floor(Math.random() * 2 ** 31));

interface Run {
  child: ChildProcess;
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>;
}

function start(dir: string, args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, [CLI, '--chdir', dir, '--no-color', ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((res) => child.on('close', (code, signal) => res({ code, signal, out })));
  return { child, closed };
}

// Waits for a state of the directory (checked every few milliseconds), or for the run to end.
async function until(run: Run, ready: () => boolean): Promise<boolean> {
  let ended = false;
  void run.closed.then(() => (ended = true));
  for (;;) {
    if (ready()) return true;
    if (ended) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
}

const read = (file: string): string => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};
const holds = (dir: string, run: Run): boolean => read(path.join(dir, LOCK_FILE)).includes(`"pid": ${run.child.pid},`);

// `xenform apply` under script(1), which gives it a terminal as a user's shell does; what the
// test writes to the child's stdin is typed into that terminal.
function applyOnTerminal(dir: string): { run: Run; closed: Promise<number | null>; output: () => string } {
  const command = [process.execPath, CLI, '--chdir', dir, '--no-color', 'apply'].map((a) => JSON.stringify(a)).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const closed = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
  return { run: { child, closed: closed.then((code) => ({ code, signal: null, out })) }, closed, output: () => out };
}

const skip = !BUILT ? 'run `npm run build` first' : false;

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  t.test(`${signal} during refresh ends the run and releases the lock`, { skip }, async (t) => {
    const dir = t.testdir({ 'main.xf.hcl': HOST + WEB_BLOCK });
    // Every simulated command takes ten minutes: the run is still refreshing when the signal comes.
    const run = start(dir, ['apply', '--auto-approve'], { XENSIM_FAULTS: JSON.stringify({ latency_ms: { '*': 600_000 } }) });
    t.ok(await until(run, () => holds(dir, run)), 'the run takes the lock');
    run.child.kill(signal);
    const end = await run.closed;
    t.equal(end.code, 128 + constants.signals[signal], `it exits with 128 + ${signal} (${end.out})`);
    t.match(end.out, `${signal} received`);
    t.notOk(fs.existsSync(path.join(dir, LOCK_FILE)), 'no lock is left behind');
  });
}

t.test('Ctrl-C at the approval prompt cancels the apply and releases the lock', { skip: skip || (!fs.existsSync('/usr/bin/script') && 'script(1) is not installed') }, async (t) => {
  const dir = t.testdir({ 'main.xf.hcl': HOST + WEB_BLOCK });
  const { run, closed, output } = applyOnTerminal(dir);
  t.ok(await until(run, () => output().includes('Only "yes" will be accepted')), 'the run asks for approval');
  t.ok(fs.existsSync(path.join(dir, LOCK_FILE)), 'holding the lock while it asks');
  run.child.stdin!.write('\x03'); // Ctrl-C
  t.equal(await closed, 130, `the run ends as interrupted (${output()})`);
  t.notOk(fs.existsSync(path.join(dir, LOCK_FILE)), 'no lock is left behind');
});

t.test('runs SIGKILLed while holding the lock need no force-unlock, and the last apply converges', { skip, timeout: 900_000 }, async (t) => {
  t.comment(`kill loop seed ${SEED} (replay with XENFORM_KILL_SEED=${SEED})`);
  const rand = seededRandom(SEED);
  const dir = t.testdir({ 'main.xf.hcl': HOST + WEB_BLOCK });
  const env = { XENSIM_FAULTS: JSON.stringify({ latency_ms: { '*': 20 } }) };
  let kills = 0;
  let vars: string[] = [];
  for (let i = 1; i <= RUNS; i++) {
    const n = 1 + Math.floor(rand() * 3);
    const power = rand() < 0.7 ? 'running' : 'halted';
    vars = ['--var', `n=${n}`, '--var', `power=${power}`, '--var', `mem=${rand() < 0.5 ? '256MiB' : '512MiB'}`];
    const lines = Math.floor(rand() * 8); // kill once the journal has this many lines (0: once the lock is held)
    const run = start(dir, ['apply', '--auto-approve', ...vars], env);
    const reached = await until(run, () => holds(dir, run) && read(path.join(dir, JOURNAL_FILE)).split('\n').length - 1 >= lines);
    if (reached) run.child.kill('SIGKILL');
    const end = await run.closed;
    if (end.signal === 'SIGKILL') kills++;
    else if (end.code !== 0) {
      t.fail(`run ${i} (seed ${SEED}) failed on its own (exit ${end.code}): ${end.out}`);
      break;
    }
    t.notMatch(end.out, /force-unlock|is locked/, `run ${i} was not stopped by the lock of a killed run`);
    const stateText = read(path.join(dir, STATE_FILE));
    if (stateText) t.doesNotThrow(() => parseState(stateText), `run ${i}: the state parses`);
  }
  t.ok(kills >= Math.min(RUNS, 30) * 0.8, `${kills} of ${RUNS} runs were SIGKILLed holding the lock`);
  const last = start(dir, ['apply', '--auto-approve', ...vars], env);
  const end = await last.closed;
  t.equal(end.code, 0, `the last apply converges without a force-unlock (${end.out.slice(-2000)})`);
  const check = await start(dir, ['plan', '--detailed-exitcode', ...vars], env).closed;
  t.equal(check.code, 0, `and leaves nothing to do (${check.out.slice(-2000)})`);
  const provider = await openProvider({ name: 'lab', simulator: true, toolstack: 'xapi', max_parallel: 4, range: undefined as never }, { workdir: dir, env: {} });
  const vms = (await provider.inventory()).vms;
  await provider.close();
  const state = parseState(read(path.join(dir, STATE_FILE)));
  const names = vms.map((v) => v.attributes.name).sort();
  t.same(names, [...new Set(names)], 'no VM exists twice');
  t.same(state.resources.map((r) => r.uuid).sort(), vms.map((v) => v.uuid).sort(), 'every VM on the host is in the state, and only those');
  t.comment(`${kills} SIGKILLs, none needing force-unlock`);
});

t.test('on a terminal, apply asks for approval and runs only when the answer is "yes"', { skip: skip || (!fs.existsSync('/usr/bin/script') && 'script(1) is not installed') }, async (t) => {
  const dir = t.testdir({ 'main.xf.hcl': HOST + WEB_BLOCK });
  const cases = [
    { answer: 'no', code: 1, said: /Apply cancelled\./, created: false },
    { answer: 'yes', code: 0, said: /Apply complete!/, created: true },
  ];
  for (const c of cases) {
    const { run, closed, output } = applyOnTerminal(dir);
    t.ok(await until(run, () => output().includes('Only "yes" will be accepted')), `the run asks for approval (${c.answer})`);
    run.child.stdin!.write(`${c.answer}\r`);
    t.equal(await closed, c.code, `answering ${c.answer} ends the run with exit ${c.code}`);
    t.match(output(), c.said);
    const state = read(path.join(dir, STATE_FILE));
    t.equal(state.includes('"vm.web[0]"'), c.created, c.created ? 'the VM is created and recorded' : 'nothing is created');
  }
});
