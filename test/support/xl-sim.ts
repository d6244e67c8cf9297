// One VM's steps run by the xl provider against a simulated plain-Xen host in a temp folder:
// the steps, the domain as `xl list -l` prints it, and the guest file xenform wrote.
import type { Test } from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XlProvider } from '../../providers/xl/provider.js';
import { SimTransport } from '../../providers/transport/sim.js';
import { stepOf, type FlatStep } from './steps.js';

export interface XlDomainJson {
  domid: number;
  config: {
    disks?: { vdev: string; pdev_path: string; is_cdrom?: number }[];
    nics?: { devid: number; bridge: string }[];
    b_info: { avail_vcpus: number[] };
  };
}

export function xlSim(t: Test, name: string) {
  const dir = mkdtempSync(join(tmpdir(), 'xenform-xl-sim-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const root = join(dir, 'root');
  const sim = new SimTransport({ statePath: join(dir, 'xen.json'), root, toolstack: 'xl' });
  const xl = new XlProvider('edge', sim);
  let uuid: string | null = null;
  const address = `vm.${name}`;
  // Each step on the one VM; a create remembers its uuid for the steps after it.
  const run = async (flat: FlatStep) => {
    const r = await xl.execute(stepOf(flat, { address, host: 'edge' }), { address, uuid });
    uuid = r.uuid;
    return r;
  };
  const domain = async () => (JSON.parse((await sim.exec(['xl', 'list', '-l', name])).stdout) as XlDomainJson[])[0];
  const cfg = () => readFileSync(join(root, 'etc', 'xen', `${name}.cfg`), 'utf8');
  return { sim, run, domain, cfg };
}
