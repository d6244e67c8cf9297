// vdi-create sizes as the storage manager gives them (xapi-project/sm vhdutil.py, lvutil.py).
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSim, type SimOptions } from '../../../providers/sim/index.js';
import { update } from '../../../providers/sim/store.js';

const MiB = 1024 * 1024;

t.test('a new disk gets the size its SR type rounds it to', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xensim-storage-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const o: SimOptions = { statePath: join(dir, 'h.json'), hostname: 'xcp1', seed: 'storage' };
  const xe = (...args: string[]) => runSim(['xe', ...args], o);
  const ext = (await xe('sr-list', 'name-label=Local storage', 'params=uuid', '--minimal')).stdout.trim();
  // an LVM SR, as `xe sr-create type=lvm` would leave it
  const lvm = await update(o.statePath, () => t.fail('the host exists') as never, (st) => {
    const uuid = '3b6c9a4e-0000-4000-8000-00000000a1b2';
    st.srs[uuid] = { uuid, name: 'Local LVM', desc: '', type: 'lvm', contentType: 'user', shared: false, size: 500 * 1024 * MiB, other: {} };
    return uuid;
  });
  const cases: [string, string, string, string[], number | string][] = [
    ['a whole number of 2 MiB blocks is kept', ext, String(1000 * MiB), [], 1000 * MiB],
    ['1001 MiB on ext becomes 1002 MiB', ext, '1001MiB', [], 1002 * MiB],
    ['one byte becomes the 2 MiB minimum', ext, '1', [], 2 * MiB],
    ['zero becomes the 2 MiB minimum', ext, '0', [], 2 * MiB],
    ['1001 MiB on LVM (VHD) becomes 1002 MiB', lvm, '1001MiB', [], 1002 * MiB],
    ['1001 MiB raw on LVM becomes 1004 MiB', lvm, '1001MiB', ['sm-config:type=raw'], 1004 * MiB],
    ['more than 2040 GiB is refused by SM', ext, String(2041 * 1024 * MiB), [], 'Error code: SR_BACKEND_FAILURE_79\nError parameters: , VDI Invalid size [opterr=VDI size must be between 1 MB and 2088960 MB], \n'],
  ];
  for (const [name, sr, size, extra, want] of cases) {
    const r = await xe('vdi-create', `sr-uuid=${sr}`, 'name-label=d', `virtual-size=${size}`, ...extra);
    if (typeof want === 'string') {
      t.same([r.code, r.stderr], [1, want], name);
      continue;
    }
    const got = await xe('vdi-param-get', `uuid=${r.stdout.trim()}`, 'param-name=virtual-size');
    t.equal(Number(got.stdout), want, name);
  }
});
