// What xapi checks when it builds a domain and what the simulated xe says, for records the
// CLI setters cannot produce (an imported or hand-edited VM): xapi_vm_helpers.ml `validate_memory`.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSim, type SimOptions } from '../../../providers/sim/index.js';
import { update } from '../../../providers/sim/store.js';

const MiB = 1024 * 1024;

t.test('a VM whose memory limits are out of order starts when xapi can coerce them, else fails as xapi does', async (t) => {
  const cases: { name: string; memory: { smin: number; dmin: number; dmax: number; smax: number }; code: number; stderr: string }[] = [
    {
      name: 'a dynamic range below static_min is clamped into the static range: the VM starts',
      memory: { smin: 512 * MiB, dmin: 256 * MiB, dmax: 256 * MiB, smax: 1024 * MiB },
      code: 0,
      stderr: '',
    },
    {
      name: 'a dynamic range above static_max is clamped too',
      memory: { smin: 256 * MiB, dmin: 2048 * MiB, dmax: 2048 * MiB, smax: 1024 * MiB },
      code: 0,
      stderr: '',
    },
    {
      name: 'dynamic_max below dynamic_min cannot be coerced',
      memory: { smin: 256 * MiB, dmin: 1024 * MiB, dmax: 512 * MiB, smax: 1024 * MiB },
      code: 1,
      stderr: 'The dynamic memory range does not satisfy the following constraint.\nconstraint: <unknown>\n',
    },
    {
      name: 'static_max below static_min cannot be coerced',
      memory: { smin: 1024 * MiB, dmin: 512 * MiB, dmax: 512 * MiB, smax: 512 * MiB },
      code: 1,
      stderr: 'The dynamic memory range does not satisfy the following constraint.\nconstraint: <unknown>\n',
    },
  ];
  for (const c of cases) {
    const dir = mkdtempSync(join(tmpdir(), 'xensim-start-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const o: SimOptions = { statePath: join(dir, 'h.json'), hostname: 'xcp1', seed: 'start' };
    const xe = (...args: string[]) => runSim(['xe', ...args], o);
    const vm = (await xe('vm-install', 'template=Other install media', 'new-name-label=web01')).stdout.trim();
    await update(o.statePath, () => t.fail('the host exists') as never, (st) => void Object.assign(st.vms[vm], c.memory));
    const r = await xe('vm-start', `uuid=${vm}`);
    t.same([r.code, r.stderr], [c.code, c.stderr], c.name);
  }
});
