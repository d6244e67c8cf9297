// The simulated `xl migrate DOMAIN HOST`: the domain moves to the xl host XENSIM_XL_PEERS names
// HOST (same uuid and name, a new domid there), and xl's failures leave it where it was.
import t, { type Test } from 'tap';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSim, type SimOptions } from '../../../providers/sim/index.js';

function twoHosts(t: Test): { a: SimOptions; b: SimOptions } {
  const dir = mkdtempSync(join(tmpdir(), 'xensim-xl-migrate-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const root = join(dir, 'root');
  mkdirSync(join(root, 'etc/xen'), { recursive: true });
  writeFileSync(join(root, 'etc/xen/web.cfg'), 'name = "web"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 256\nvcpus = 1\n');
  const peers = { xen1: join(dir, 'xen1.json'), xen2: join(dir, 'xen2.json') };
  return {
    a: { statePath: peers.xen1, toolstack: 'xl', root, peers },
    b: { statePath: peers.xen2, toolstack: 'xl', root, peers },
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
