// The VM's CD drive on XAPI: read from its CD VBDs, changed with vm-cd-eject / vm-cd-insert
// (cli_operations.ml vm_cd_eject, vm_cd_insert: the ISO looked up by name-label among the VDIs
// of SRs whose content-type is iso), created empty with vbd-create when the VM has none.
import type { CdromAttributes, HostInventory } from '../../planner/model/vm.js';
import { parseMinimal, type XeRecord } from './records.js';

// The first CD drive by userdevice; absent when the VM has none.
export function cdromOf(vbds: readonly XeRecord[]): CdromAttributes | undefined {
  const cds = vbds.filter((b) => b.type === 'CD').sort((a, b) => Number(a.userdevice) - Number(b.userdevice));
  if (cds.length === 0) return undefined;
  return { iso: cds[0].empty === 'true' ? null : (cds[0]['vdi-name-label'] ?? null) };
}

// The ISO images of the host: VDIs of ISO SRs (SR type "iso").
export function isosOf(vdis: readonly XeRecord[], srs: readonly XeRecord[]): NonNullable<HostInventory['isos']> {
  const isoSrs = new Map(srs.filter((s) => s.type === 'iso').map((s) => [s.uuid, s['name-label']]));
  return vdis.filter((v) => isoSrs.has(v['sr-uuid'])).map((v) => ({ name: v['name-label'], sr: isoSrs.get(v['sr-uuid'])! }));
}

type Xe = (args: string[]) => Promise<string>;

export async function setCdrom(xe: Xe, vm: string, cd: CdromAttributes): Promise<void> {
  const drives = parseMinimal(await xe(['vbd-list', `vm-uuid=${vm}`, 'type=CD', 'params=empty', '--minimal']));
  if (drives.length === 0) await xe(['vbd-create', `vm-uuid=${vm}`, 'device=autodetect', 'type=CD', 'mode=RO']);
  else if (drives[0] === 'false') await xe(['vm-cd-eject', `uuid=${vm}`]);
  if (cd.iso !== null) await xe(['vm-cd-insert', `uuid=${vm}`, `cd-name=${cd.iso}`]);
}
