// The simulator finds VBDs and VIFs by VM, templates by name and VMs with work pending in
// indexes (providers/sim/lookup.ts): every answer must be the one a scan of the host gives,
// after any rename, create or destroy, in one process and across processes.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSim, type SimOptions } from '../../../providers/sim/index.js';
import { restState } from '../../../providers/sim/store.js';
import { xeProcess } from '../../support/sim-host.js';

t.test('lookups follow every change, in-process and from another xe process', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xensim-lookups-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const o: SimOptions = { statePath: join(dir, 'h.json'), hostname: 'xcp1', seed: 'lookups' };
  const xe = async (...args: string[]) => {
    const r = await runSim(['xe', ...args], o);
    t.equal(r.code, 0, `xe ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const vm = await xe('vm-install', 'template=Debian Bookworm 12', 'new-name-label=a');
  const sr = await xe('sr-list', 'name-label=Local storage', 'params=uuid', '--minimal');
  const net = (await xe('network-list', 'params=uuid', '--minimal')).split(',')[0];
  const vbdsOf = () => xe('vbd-list', `vm-uuid=${vm}`, 'params=uuid', '--minimal');
  const before = await vbdsOf();
  const vdi = await xe('vdi-create', `sr-uuid=${sr}`, 'name-label=d', 'virtual-size=1GiB', 'type=user');
  const vbd = await xe('vbd-create', `vm-uuid=${vm}`, `vdi-uuid=${vdi}`, 'device=5');
  t.same((await vbdsOf()).split(','), [...before.split(',').filter(Boolean), vbd], 'a new VBD is listed with its VM\'s, last');
  const vif = await xe('vif-create', `vm-uuid=${vm}`, `network-uuid=${net}`, 'device=0');
  t.equal(await xe('vif-list', `vm-uuid=${vm}`, 'params=uuid', '--minimal'), vif, 'and so is a new VIF');
  await xe('vbd-destroy', `uuid=${vbd}`);
  t.equal(await vbdsOf(), before, 'a destroyed VBD is gone from its VM\'s');

  const tpl = await xe('template-list', 'name-label=Other install media', 'params=uuid', '--minimal');
  await xe('template-param-set', `uuid=${tpl}`, 'name-label=Renamed media');
  t.equal(await xe('template-list', 'name-label=Renamed media', 'params=uuid', '--minimal'), tpl, 'a renamed template is found by its new name');
  t.equal(await xe('template-list', 'name-label=Other install media', 'params=uuid', '--minimal'), '', 'and not by its old one');
  t.match(await xe('vm-install', 'template=Renamed media', 'new-name-label=b'), /^[0-9a-f-]{36}$/, 'and installs by it');

  // another process changes the host file: this process must not answer from what it knew
  restState(o.statePath);
  const other = await xeProcess({ XENSIM_STATE: o.statePath }, ['template-param-set', `uuid=${tpl}`, 'name-label=Media again']);
  t.equal(other.code, 0, other.stderr);
  t.equal(await xe('template-list', 'name-label=Media again', 'params=uuid', '--minimal'), tpl, 'a rename by another process is seen');
  t.equal(await xe('template-list', 'name-label=Renamed media', 'params=uuid', '--minimal'), '', 'and the name it replaced is free');
});
