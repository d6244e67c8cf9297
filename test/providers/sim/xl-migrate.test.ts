// The simulated `xl migrate DOMAIN HOST`: the domain moves to the xl host XENSIM_XL_PEERS names
// HOST (same uuid and name, a new domid there), and xl's failures leave it where it was.
import t, { type Test } from 'tap';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSim, type SimOptions } from '../../../providers/sim/index.js';
import { xeProcess } from '../../support/sim-host.js';
import { until } from '../ssh-cli.js';

function twoHosts(t: Test): { a: SimOptions; b: SimOptions; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'xensim-xl-migrate-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const root = join(dir, 'root');
  mkdirSync(join(root, 'etc/xen'), { recursive: true });
  writeFileSync(join(root, 'etc/xen/web.cfg'), 'name = "web"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 256\nvcpus = 1\n');
  const peers = { xen1: join(dir, 'xen1.json'), xen2: join(dir, 'xen2.json') };
  return {
    a: { statePath: peers.xen1, toolstack: 'xl', root, peers },
    b: { statePath: peers.xen2, toolstack: 'xl', root, peers },
    dir,
  };
}

const xl = (o: SimOptions, ...args: string[]) => runSim(['xl', ...args], o);

async function domain(o: SimOptions, name: string): Promise<{ domid: number; uuid: string } | null> {
  const r = await xl(o, 'list', '-l', name);
  if (r.code !== 0) return null;
  const [d] = JSON.parse(r.stdout) as { domid: number; config: { c_info: { uuid: string } } }[];
  return { domid: d.domid, uuid: d.config.c_info.uuid };
}

t.test('a running domain migrates to the named host with its uuid and a new domid there', async (t) => {
  const { a, b } = twoHosts(t);
  t.equal((await xl(a, 'create', '/etc/xen/web.cfg')).code, 0);
  t.equal((await xl(b, 'create', '/etc/xen/web.cfg', 'name="other"')).code, 0, 'the target already runs a domain');
  const before = await domain(a, 'web');
  const r = await xl(a, 'migrate', 'web', 'xen2');
  t.equal(r.code, 0, r.stderr);
  t.match(r.stderr, /Migration successful\.\n$/, 'xl reports success last');
  t.equal(await domain(a, 'web'), null, 'the source no longer has it');
  const after = await domain(b, 'web');
  t.equal(after?.uuid, before!.uuid, 'the same uuid on the target');
  t.equal(after?.domid, 2, "the target's next domid");
  t.match((await xl(b, 'list')).stdout, /^web\s+2\s+256\s+1\s+-b----/m, 'running there (idle, as a freshly created guest shows)');
});

const FAILURES: { name: string; args: string[]; code: number; stderr: RegExp }[] = [
  { name: 'an unknown domain is an invalid domain identifier', args: ['nosuch', 'xen2'], code: 1, stderr: /^nosuch is an invalid domain identifier \(rc=-6\)\n$/ },
  { name: 'a host the dom0 cannot reach fails before anything is sent', args: ['web', 'xen9'], code: 3, stderr: /^ssh: Could not resolve hostname xen9: .*\n.*reading banner.*\nmigration target process \[\d+\] exited with error status 255\n$/ },
  { name: 'the host itself is no migration target', args: ['web', 'xen1'], code: 3, stderr: /^ssh: Could not resolve hostname xen1/ },
  { name: 'a missing host operand prints the usage', args: ['web'], code: 2, stderr: /^Usage: xl \[-vfNtT\] migrate \[options\] <Domain> <host>\n$/ },
  { name: 'an unknown option is refused', args: ['-q', 'web', 'xen2'], code: 2, stderr: /^xl: invalid option -- 'q'\n$/ },
];

for (const c of FAILURES) {
  t.test(`xl migrate: ${c.name}, and the domain stays where it was`, async (t) => {
    const { a, b } = twoHosts(t);
    t.equal((await xl(a, 'create', '/etc/xen/web.cfg')).code, 0);
    const before = await domain(a, 'web');
    const r = await xl(a, 'migrate', ...c.args);
    t.equal(r.code, c.code);
    t.match(r.stderr, c.stderr);
    t.same(await domain(a, 'web'), before, 'still on the source, same domid');
    t.equal(await domain(b, 'web'), null, 'nothing on the target');
  });
}

t.test('xl migrate: a target already running a domain of that name refuses it, and the sender keeps it', async (t) => {
  const { a, b } = twoHosts(t);
  t.equal((await xl(a, 'create', '/etc/xen/web.cfg')).code, 0);
  t.equal((await xl(b, 'create', '/etc/xen/web.cfg')).code, 0);
  const before = await domain(a, 'web');
  const r = await xl(a, 'migrate', 'web', 'xen2');
  t.equal(r.code, 1);
  t.match(r.stderr, /Migration failed, resuming at sender\.\n$/);
  t.same(await domain(a, 'web'), before, 'still running on the source');
});

// The same host's xl as a separate process (bin/xl), served by that host's simulator daemon.
async function xlExecutable(o: SimOptions, ...args: string[]): Promise<{ code: number | null; stderr: string }> {
  const env: Record<string, string> = {
    XENSIM_STATE: o.statePath,
    XENSIM_TOOLSTACK: 'xl',
    XENSIM_ROOT: o.root!,
    XENSIM_XL_PEERS: Object.entries(o.peers!).map(([host, file]) => `${host}=${file}`).join(','),
    XENSIM_FAULTS: o.faults ?? '',
  };
  return xeProcess(env, args, 'xl');
}

// The calls that reached the `hold` fault's gate so far.
const arrivals = (gate: string): number => (existsSync(`${gate}.arrived`) ? readFileSync(`${gate}.arrived`, 'utf8').split('\n').length - 1 : 0);

t.test('while its stream is on the way the domain is suspended at the sender and not yet on the target, and a second xl migrate of it is refused', { timeout: 15_000 }, async (t) => {
  const { a, b, dir } = twoHosts(t);
  t.equal((await xl(a, 'create', '/etc/xen/web.cfg')).code, 0);
  const gate = join(dir, 'gate');
  const first = xl({ ...a, faults: JSON.stringify({ hold: { 'xl migrate': gate } }) }, 'migrate', 'web', 'xen2');
  await until(() => arrivals(gate) === 1, 'the domain suspended at the sender', 10_000);
  t.match((await xl(a, 'list')).stdout, /^web\s+1\s+256\s+1\s+---ss-/m, 'suspended (shut down, reason s) at the sender');
  t.equal(await domain(b, 'web'), null, 'not yet on the target');
  const second = await xl(a, 'migrate', 'web', 'xen2');
  t.equal(second.code, 1);
  t.match(second.stderr, /^migration sender: libxl_domain_suspend failed \(rc=-3\)\nMigration failed, resuming at sender\.\n$/);
  writeFileSync(gate, '');
  const r = await first;
  t.equal(r.code, 0, r.stderr);
  t.equal(await domain(a, 'web'), null, 'gone from the sender');
  t.match((await xl(b, 'list')).stdout, /^web\s+1\s+256\s+1\s+-b----/m, 'running on the target');
});

const OPPOSITE: { name: string; xl: (o: SimOptions, ...args: string[]) => Promise<{ code: number | null; stderr: string }> }[] = [
  { name: 'run in one process', xl },
  { name: 'run by two simulator daemons, one per host', xl: xlExecutable },
];

// Real xl never holds one host while it waits for the other: the sender suspends its domain and
// streams it to `xl migrate-receive` on the target, which builds it there (migrate.ts). Both
// migrations are held once their domains are suspended at the senders (the `hold` fault), so
// they overlap whatever the machine's load; a simulator that kept the sender's lock while taking
// the target's would wait forever here.
for (const c of OPPOSITE) {
  t.test(`two xl migrate in opposite directions at once both complete, ${c.name}`, { timeout: 15_000 }, async (t) => {
    const { a, b, dir } = twoHosts(t);
    t.equal((await xl(a, 'create', '/etc/xen/web.cfg')).code, 0);
    t.equal((await xl(b, 'create', '/etc/xen/web.cfg', 'name="db"')).code, 0);
    const web = await domain(a, 'web');
    const db = await domain(b, 'db');
    const gate = join(dir, 'gate');
    const faults = JSON.stringify({ hold: { 'xl migrate': gate } });
    const toB = c.xl({ ...a, faults }, 'migrate', 'web', 'xen2');
    const toA = c.xl({ ...b, faults }, 'migrate', 'db', 'xen1');
    await until(() => arrivals(gate) === 2, 'both domains suspended at their senders', 10_000);
    writeFileSync(gate, '');
    const [rb, ra] = await Promise.all([toB, toA]);
    t.equal(rb.code, 0, rb.stderr);
    t.equal(ra.code, 0, ra.stderr);
    t.match(rb.stderr, /Migration successful\.\n$/);
    t.match(ra.stderr, /Migration successful\.\n$/);
    t.equal((await domain(b, 'web'))?.uuid, web!.uuid, 'web runs on xen2 with its uuid');
    t.equal((await domain(a, 'db'))?.uuid, db!.uuid, 'db runs on xen1 with its uuid');
    t.equal(await domain(a, 'web'), null, 'web is gone from xen1');
    t.equal(await domain(b, 'db'), null, 'db is gone from xen2');
  });
}
