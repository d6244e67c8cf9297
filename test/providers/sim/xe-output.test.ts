// xe's output formats against spec §2.4 and §2.5, byte for byte: record layout and
// padding, two blank lines after every record, params= keeping record order, --minimal
// escaping, maps and sets. Goldens live in test/fixtures/xe/ (UPDATE_GOLDEN=1 rewrites
// the generated ones; vm-list.txt is the spec's own example and is never rewritten).
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSim, type SimOptions } from '../../../providers/sim/index.js';
import { golden as goldenFile } from '../../support/golden.js';
import { FIXTURES } from '../../support/paths.js';

const GOLDEN = join(FIXTURES, 'xe');

function host(t: Test): SimOptions {
  const dir = mkdtempSync(join(tmpdir(), 'xensim-out-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return { statePath: join(dir, 'xcp1.json'), hostname: 'xcp1', seed: 'golden' };
}

async function xe(o: SimOptions, ...args: string[]) {
  return runSim(['xe', ...args], o);
}

async function ok(t: Test, o: SimOptions, ...args: string[]): Promise<string> {
  const r = await xe(o, ...args);
  t.equal(r.code, 0, `xe ${args.join(' ')} succeeds (${r.stderr.trim()})`);
  return r.stdout;
}

const golden = (t: Test, file: string, actual: string, handWritten = false): void => goldenFile(t, join(GOLDEN, file), actual, { handWritten });

t.test('vm-list prints dom0 and a VM exactly like the example of spec §2.4', async (t) => {
  const o = host(t);
  const web = (await ok(t, o, 'vm-install', 'template=Debian Bookworm 12', 'new-name-label=web01')).trim();
  const dom0 = (await ok(t, o, 'vm-list', 'is-control-domain=true', '--minimal')).trim();
  const out = await ok(t, o, 'vm-list');
  // The example's uuids stand in for the simulator's.
  const text = out.replace(dom0, '0e6a3c5f-7b7d-4b8e-9a3a-2f1c9d1e0a11').replace(web, '5b1d2c3e-aaaa-4bbb-8ccc-1234567890ab');
  golden(t, 'vm-list.txt', text, true);
});

t.test('--minimal prints the first field of each record, comma-joined and escaped', async (t) => {
  const o = host(t);
  const a = (await ok(t, o, 'vm-install', 'template=Debian Bookworm 12', 'new-name-label=web01')).trim();
  const b = (await ok(t, o, 'vm-install', 'template=Debian Bookworm 12', 'new-name-label=a,b\\c')).trim();
  t.equal(await ok(t, o, 'vm-list', 'name-label=web01', 'params=uuid', '--minimal'), `${a}\n`, 'one uuid, one line');
  t.equal(await ok(t, o, 'vm-list', 'is-control-domain=false', '--minimal'), `${a},${b}\n`, 'two uuids joined by a comma');
  t.equal(
    await ok(t, o, 'vm-list', 'is-control-domain=false', 'params=name-label', '--minimal'),
    'web01,a\\,b\\\\c\n',
    'commas and backslashes in values are escaped',
  );
  t.equal(await ok(t, o, 'vm-list', 'name-label=nosuch', '--minimal'), '\n', 'no match prints one empty line');
  t.equal(await ok(t, o, 'vm-list', 'name-label=nosuch'), '', 'no match without --minimal prints nothing');
});

t.test('params= keeps the record order, not the order asked for', async (t) => {
  const o = host(t);
  const u = (await ok(t, o, 'vm-install', 'template=Debian Bookworm 12', 'new-name-label=web01')).trim();
  const out = await ok(t, o, 'vm-list', `uuid=${u}`, 'params=uuid,name-label,power-state,VCPUs-number,memory-actual,nosuch');
  t.equal(
    out,
    `uuid ( RO)             : ${u}\n       name-label ( RW): web01\n      power-state ( RO): halted\n    memory-actual ( RO): 0\n     VCPUs-number ( RO): 0\n\n\n`,
    'memory-actual comes before VCPUs-number and unknown names are ignored',
  );
  const all = await ok(t, o, 'vm-list', `uuid=${u}`, 'params=all');
  t.match(all, /allowed-VBD-devices \(SRO\): <expensive field>\n/, 'expensive fields are not computed by vm-list');
});

t.test('vm-param-list prints every non-hidden field in record order', async (t) => {
  const o = host(t);
  const u = (await ok(t, o, 'vm-install', 'template=Debian Bookworm 12', 'new-name-label=web01')).trim();
  await ok(t, o, 'vm-param-set', `uuid=${u}`, 'other-config:xenform-address=vm.web', 'PV-args=console=hvc0 quiet');
  await ok(t, o, 'vm-param-add', `uuid=${u}`, 'param-name=tags', 'param-key=a');
  await ok(t, o, 'vm-param-add', `uuid=${u}`, 'param-name=tags', 'param-key=b');
  const out = (await ok(t, o, 'vm-param-list', `uuid=${u}`)).replace(/^( +install-time \( RO\): ).*$/m, '$1<now>');
  golden(t, 'vm-param-list-halted.txt', out);
  const keys = out.split('\n').filter((l) => l.includes(': ') || l.endsWith(':')).length;
  t.equal(keys, 105, 'the 105 fields spec §2.4 lists for current xapi');
  t.match(out, /\n +tags \(SRW\): b, a\n/, 'tags print newest first, joined by ", "');
  t.match(out, /^uuid \( RO\) {34}: /, 'the first key is padded on the right to the longest key plus four');
  t.match(out, /\n {12}ha-always-run \( RW\) \[DEPRECATED\]: false\n/, 'deprecated fields say so');
  t.ok(out.endsWith('\n\n\n'), 'two blank lines after the record');
});

t.test('vm-param-get prints maps, map keys and sets as spec §2.5 says', async (t) => {
  const o = host(t);
  const u = (await ok(t, o, 'vm-install', 'template=Other install media', 'new-name-label=hvm1')).trim();
  await ok(t, o, 'vm-param-set', `uuid=${u}`, 'other-config:owner=ops', 'other-config:env=prod,eu');
  const get = (...a: string[]) => ok(t, o, 'vm-param-get', `uuid=${u}`, ...a);
  const otherConfig = await get('param-name=other-config');
  golden(t, 'vm-param-get-other-config.txt', otherConfig.replace(/mac_seed: [0-9a-f-]+/, 'mac_seed: <uuid>'));
  t.match(otherConfig, /^env: prod,eu; owner: ops; mac_seed: /, 'newest keys first, "k: v" joined by "; "');
  t.equal(await get('param-name=other-config', 'param-key=env'), 'prod,eu\n', 'one key prints its value');
  t.equal(await get('param-name=other-config', 'param-key=env', '--minimal'), 'prod\\,eu\n', '--minimal escapes the value');
  t.equal(await get('param-name=HVM-boot-params'), 'order: cd\n', 'the HVM template boots from CD then disk');
  t.equal(await get('param-name=HVM-boot-policy'), 'BIOS order\n');
  t.equal(await get('param-name=power-state', 'param-key=x'), 'halted\n', 'param-key is ignored on a scalar');
  t.equal(await get('param-name=PV-args'), '\n', 'an empty value prints an empty line');
  t.equal(await get('param-name=nomigrate'), 'false\n', 'hidden fields can be read');
  const missing = await xe(o, 'vm-param-get', `uuid=${u}`, 'param-name=other-config', 'param-key=nope');
  t.same(missing, { stdout: '', stderr: 'Error: Key nope not found in map\n', code: 1 });
  const unknown = await xe(o, 'vm-param-get', `uuid=${u}`, 'param-name=foo');
  t.same(unknown, { stdout: '', stderr: 'Error code: Missing parameter\nError parameters: foo\n', code: 1 });
  const bad = await xe(o, 'vm-param-get', 'uuid=deadbeef', 'param-name=power-state');
  t.same(bad, { stdout: '', stderr: 'The uuid you supplied was invalid.\ntype: VM\nuuid: deadbeef\n', code: 1 });
});

t.test('template-list, sr-list and network-list show the default host', async (t) => {
  const o = host(t);
  const templates = await ok(t, o, 'template-list', 'params=name-label', '--minimal');
  t.equal(templates, 'Debian Bookworm 12,Other install media,Generic Linux BIOS,Generic Linux UEFI,Debian Trixie 13,AlmaLinux 10,Rocky Linux 10,Oracle Linux 10\n');
  const srs = await ok(t, o, 'sr-list', 'params=name-label,type,content-type');
  t.equal(srs, 'name-label ( RW)      : Local storage\n            type ( RO): ext\n    content-type ( RO): user\n\n\nname-label ( RW)      : ISO library\n            type ( RO): iso\n    content-type ( RO): iso\n\n\n');
  const byBridge = await ok(t, o, 'network-list', 'bridge=xenbr0', 'params=name-label', '--minimal');
  t.equal(byBridge, 'Pool-wide network associated with eth0\n', 'networks can be found by bridge');
  const byName = await ok(t, o, 'network-list', 'name-label=Pool-wide network associated with eth0', 'params=bridge', '--minimal');
  t.equal(byName, 'xenbr0\n', 'and by name');
});
