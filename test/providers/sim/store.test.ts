// The simulated host's file, shared by this process and `xe` processes: each sees the
// other's changes, reads write nothing, a crash mid-write loses nothing acknowledged, and
// the file does not grow without end.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { runSim, type SimOptions } from '../../../providers/sim/index.js';
import { loadState } from '../../../providers/sim/host-file.js';
import { restState } from '../../../providers/sim/store.js';
import { SimTransport } from '../../../providers/transport/sim.js';
import { install, tempHost, xeProcess } from '../../support/sim-host.js';

const get = async (o: SimOptions, u: string, param: string) => (await runSim(['xe', 'vm-param-get', `uuid=${u}`, `param-name=${param}`], o)).stdout.trim();
const set = (o: SimOptions, u: string, assignment: string) => runSim(['xe', 'vm-param-set', `uuid=${u}`, assignment], o);

t.test('a change made by an xe process is seen in-process, and the other way round', async (t) => {
  const { opts, env } = tempHost(t);
  const u = await install(opts, 'web01');
  t.equal(await get(opts, u, 'name-label'), 'web01', 'read once in-process (and kept)');
  t.equal((await xeProcess(env, ['vm-param-set', `uuid=${u}`, 'name-label=renamed'])).code, 0);
  t.equal(await get(opts, u, 'name-label'), 'renamed', 'the other process\'s change is read');
  await set(opts, u, 'name-description=from here');
  t.equal((await xeProcess(env, ['vm-param-get', `uuid=${u}`, 'param-name=name-description'])).stdout.trim(), 'from here');
});

t.test('commands that only read leave the file as it was', async (t) => {
  const { opts } = tempHost(t);
  const u = await install(opts, 'web01');
  restState(opts.statePath);
  const before = readFileSync(opts.statePath);
  for (const argv of [
    ['vm-list'],
    ['vm-list', `uuid=${u}`, 'params=all'],
    ['vm-param-get', `uuid=${u}`, 'param-name=power-state'],
    ['vm-param-list', `uuid=${u}`],
    ['vbd-list', `vm-uuid=${u}`],
    ['vdi-list'],
    ['template-list'],
    ['sr-list'],
    ['network-list'],
  ]) {
    t.equal((await runSim(['xe', ...argv], opts)).code, 0, argv.join(' '));
  }
  t.ok(readFileSync(opts.statePath).equals(before), 'not a byte changed');
});

t.test('commands running together all reach the file before they return', async (t) => {
  const { opts, env } = tempHost(t);
  const vms = await Promise.all(Array.from({ length: 6 }, (_, i) => install(opts, `web${i}`)));
  const results = await Promise.all(vms.flatMap((u, i) => [set(opts, u, `other-config:slot=${i}`), set(opts, u, `name-description=vm ${i}`)]));
  t.same(results.map((r) => r.code), Array(12).fill(0));
  for (const [i, u] of vms.entries()) {
    const other = await xeProcess(env, ['vm-param-get', `uuid=${u}`, 'param-name=other-config', 'param-key=slot']);
    const desc = await xeProcess(env, ['vm-param-get', `uuid=${u}`, 'param-name=name-description']);
    t.same([other.stdout.trim(), desc.stdout.trim()], [String(i), `vm ${i}`], `web${i}, as another process reads it`);
  }
});

t.test('a change torn by a crash is ignored, and gone after the next write', async (t) => {
  const { opts, env } = tempHost(t);
  const u = await install(opts, 'web01');
  const host = loadState(opts.statePath)!;
  // A file in its working form whose writer was killed in the middle of a change.
  const torn = { ...opts, statePath: opts.statePath.replace(/host\.json$/, 'torn.json') };
  const change = JSON.stringify([[['vms', u, 'desc'], 'kept']]);
  writeFileSync(torn.statePath, `{"xensim":"0123abcd"}\n${JSON.stringify(host)}\n${change}\n[[["vms","${u}","name`);
  t.equal(await get(torn, u, 'name-description'), 'kept', 'in-process');
  const other = await xeProcess({ ...env, XENSIM_STATE: torn.statePath }, ['vm-param-get', `uuid=${u}`, 'param-name=name-description']);
  t.equal(other.stdout.trim(), 'kept', 'in another process');
  await set(torn, u, 'name-label=after');
  const text = readFileSync(torn.statePath, 'utf8');
  t.ok(text.endsWith('\n') && text.split('\n').filter(Boolean).every((line) => JSON.parse(line)), 'every line is whole again');
  t.same([loadState(torn.statePath)?.vms[u].name, loadState(torn.statePath)?.vms[u].desc], ['after', 'kept']);
});

t.test('at rest the file is the host as one JSON document', async (t) => {
  const { opts, env } = tempHost(t);
  const u = await install(opts, 'web01');
  const parsed = () => JSON.parse(readFileSync(opts.statePath, 'utf8')).vms[u];
  t.equal((await xeProcess(env, ['vm-param-set', `uuid=${u}`, 'name-description=by xe'])).code, 0);
  t.equal(parsed().desc, 'by xe', 'after an xe process');
  await set(opts, u, 'name-description=in-process');
  await new Promise((r) => setTimeout(r, 600));
  t.equal(parsed().desc, 'in-process', 'after a moment without commands');
  const transport = new SimTransport({ ...opts, root: opts.statePath + '.root' });
  await transport.exec(['xe', 'vm-param-set', `uuid=${u}`, 'name-description=through a transport']);
  await transport.close();
  restState(opts.statePath);
  t.equal(parsed().desc, 'through a transport', 'or when asked to');
});

t.test('a process that used a host leaves its file at rest when it exits', async (t) => {
  const { opts } = tempHost(t);
  const u = await install(opts, 'web01');
  restState(opts.statePath);
  const store = new URL('../../../providers/sim/index.js', import.meta.url).href;
  const script = `const { runSim } = await import(${JSON.stringify(store)}); await runSim(['xe', 'vm-param-set', 'uuid=${u}', 'name-description=then exited'], { statePath: ${JSON.stringify(opts.statePath)} }); process.exit(0);`;
  const r = spawnSync(process.execPath, [...process.execArgv, '--input-type=module', '-e', script], { encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  t.equal(JSON.parse(readFileSync(opts.statePath, 'utf8')).vms[u].desc, 'then exited');
});
