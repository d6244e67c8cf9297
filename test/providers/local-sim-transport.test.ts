import t from 'tap';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalTransport } from '../../providers/transport/local.js';
import { SimTransport } from '../../providers/transport/sim.js';
import { fileOp, parseReadDir } from '../../providers/transport/file-ops.js';
import { openProvider, simPaths } from '../../providers/factory.js';
import type { HostConfig } from '../../planner/config/types.js';
import { HOSTILE } from './hostile.js';

t.test('the local transport runs programs without a shell', async (t) => {
  const local = new LocalTransport('dom0');
  const values = HOSTILE.map(([, v]) => v);
  const r = await local.exec(['printf', '%s\\0', ...values]);
  t.same(r.stdout.split('\0').slice(0, -1), values, 'every value arrives as one argument, untouched');
  t.same(await local.exec(['cat'], { stdin: 'in' }), { stdout: 'in', stderr: '', code: 0 }, 'stdin');
  t.equal((await local.exec(['no-such-program-xenform'])).code, 127, 'a missing program is exit 127');
  const stop = new AbortController();
  setTimeout(() => stop.abort(), 100);
  await t.rejects(local.exec(['sleep', '5'], { signal: stop.signal }), { code: 'ABORTED' });
  const dir = mkdtempSync(join(tmpdir(), 'xenform-local-'));
  await local.writeFile(join(dir, 'sub', 'a.cfg'), 'name = "a"\n');
  t.equal(await local.readFile(join(dir, 'sub', 'a.cfg')), 'name = "a"\n');
  t.equal(await local.readFile(join(dir, 'nope')), null);
  const [listing] = await local.batch([fileOp('read-dir', join(dir, 'sub'), '.cfg')]);
  t.same(parseReadDir(listing.stdout), [{ name: 'a.cfg', content: 'name = "a"\n' }], 'file operations run natively');
});

t.test('the simulator transport runs xe in-process and keeps files under the host root', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xenform-simt-'));
  const sim = new SimTransport({ statePath: join(dir, 'h.json'), root: join(dir, 'root') });
  const r = await sim.exec(['xe', 'template-list', 'params=name-label', '--minimal']);
  t.equal(r.code, 0);
  t.match(r.stdout, /Debian Bookworm 12/);
  t.ok(existsSync(join(dir, 'h.json')), 'the host is persisted');
  t.equal((await sim.exec(['ls'])).code, 127, 'other programs do not exist there');
  await sim.writeFile('/etc/xen/a.cfg', 'x');
  t.equal(readFileSync(join(dir, 'root', 'etc', 'xen', 'a.cfg'), 'utf8'), 'x', 'absolute paths land under the root');
  t.equal(await sim.readFile('/etc/xen/a.cfg'), 'x');
  const results = await sim.batch([['xe', 'sr-list', 'params=name-label', '--minimal'], fileOp('list-dir', '/etc/xen')]);
  t.same(results.map((x) => x.code), [0, 0]);
  t.equal(results[1].stdout, 'a.cfg\n');
  t.equal(sim.roundTrips(), 5);
});

t.test('openProvider gives simulator hosts an in-process host under .xenform/sim', async (t) => {
  const workdir = mkdtempSync(join(tmpdir(), 'xenform-open-'));
  const host: HostConfig = {
    name: 'demo', simulator: true, toolstack: 'xapi', max_parallel: 4,
    range: { filename: 'main.xf.hcl', start: { line: 1, column: 1, byte: 0 }, end: { line: 1, column: 1, byte: 0 } },
  };
  const faulty = await openProvider(host, { workdir, env: { XENSIM_FAULTS: '{"latency_ms": "bad"}' } });
  await t.rejects(faulty.inventory(), /latency_ms/, 'XENSIM_FAULTS reaches the simulator');
  await faulty.close();
  const p = await openProvider(host, { workdir, env: {} });
  t.teardown(() => p.close());
  const inv = await p.inventory();
  t.equal(inv.toolstack, 'xapi');
  t.ok(inv.templates.length > 0);
  t.ok(existsSync(simPaths(workdir, 'demo').statePath), `the host lives at ${simPaths(workdir, 'demo').statePath}`);
  t.ok(existsSync(join(workdir, '.xenform', 'sim', 'demo.root')));
});

t.test('a host without an address is a clear error', async (t) => {
  const host = { name: 'lab', simulator: false, toolstack: 'xapi', max_parallel: 4 } as unknown as HostConfig;
  await t.rejects(openProvider(host, { workdir: tmpdir() }), /host "lab" has no address/);
});
