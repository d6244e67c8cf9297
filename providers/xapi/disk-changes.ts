// A disk grown or moved to another SR in place: the VM keeps its uuid and the disk its data.
// The route (online or halted) was chosen at plan time from the observed guest and SR
// (planner/diff/disk-routes.ts); here the VM's power state at the step says which xe call.
import type { DiskAttributes } from '../../planner/model/vm.js';
import { ProviderError } from '../provider.js';
import { VDI_MARKER_DISK, VDI_MARKER_KEEP, VDI_MARKER_VM } from './inventory.js';
import { parseMinimal } from './records.js';

// What the provider lends this module: one xe call (stdout, errors turned into ProviderError),
// an SR's uuid by name, and the names for messages.
export interface DiskOps {
  host: string;
  vm: string; // the address, for messages
  xe(args: string[]): Promise<string>;
  srUuid(name: string): Promise<string>;
}

// The VBD and VDI of the disk xenform created for the VM under this label.
async function locate(ops: DiskOps, vmUuid: string, disk: DiskAttributes): Promise<{ vdi: string; vbd: string }> {
  const vdis = parseMinimal(await ops.xe(['vdi-list', `other-config:${VDI_MARKER_VM}=${vmUuid}`, `other-config:${VDI_MARKER_DISK}=${disk.name}`, 'params=uuid', '--minimal']));
  for (const vdi of vdis) {
    const vbds = parseMinimal(await ops.xe(['vbd-list', `vm-uuid=${vmUuid}`, `vdi-uuid=${vdi}`, 'params=uuid', '--minimal']));
    if (vbds.length > 0) return { vdi, vbd: vbds[0] };
  }
  throw new ProviderError(ops.host, 'NOT_FOUND', { disk: disk.name }, `${ops.vm} has no disk "${disk.name}" to change`);
}

// Another SR. Running: VDI.pool_migrate mirrors the attached disk and swaps the VBD itself
// (xapi ocaml/xapi/xapi_vm_migrate.ml `vdi_pool_migrate`). Halted: a copy on the new SR is
// attached in the old one's place, and the old VDI destroyed only once the copy is attached.
async function move(ops: DiskOps, vmUuid: string, at: { vdi: string; vbd: string }, to: DiskAttributes, running: boolean): Promise<string> {
  const sr = await ops.srUuid(to.sr);
  if (running) return ops.xe(['vdi-pool-migrate', `uuid=${at.vdi}`, `sr-uuid=${sr}`]);
  const copy = await ops.xe(['vdi-copy', `uuid=${at.vdi}`, `sr-uuid=${sr}`]);
  // VDI.copy carries other-config over (xapi_vdi.ml `copy`): the copy is marked as this disk too.
  const device = await ops.xe(['vbd-param-get', `uuid=${at.vbd}`, 'param-name=userdevice']);
  const bootable = await ops.xe(['vbd-param-get', `uuid=${at.vbd}`, 'param-name=bootable']);
  await ops.xe(['vbd-destroy', `uuid=${at.vbd}`]);
  await ops.xe(['vbd-create', `vm-uuid=${vmUuid}`, `vdi-uuid=${copy}`, `device=${device}`, `bootable=${bootable}`, 'mode=RW', 'type=Disk']);
  await ops.xe(['vdi-destroy', `uuid=${at.vdi}`]);
  return copy;
}

export async function changeDisk(ops: DiskOps, vmUuid: string, running: boolean, from: DiskAttributes, to: DiskAttributes): Promise<void> {
  let at = await locate(ops, vmUuid, from);
  if (to.sr !== from.sr) {
    const vdi = await move(ops, vmUuid, at, to, running);
    at = await locate(ops, vmUuid, to).catch(() => ({ vdi, vbd: at.vbd }));
  }
  // `online=true`: VDI.resize_online on the attached disk (xapi-cli-server cli_operations.ml `vdi_resize`).
  if (to.size > from.size) await ops.xe(['vdi-resize', `uuid=${at.vdi}`, `disk-size=${to.size}`, ...(running ? ['online=true'] : [])]);
  if (to.bootable !== from.bootable) await ops.xe(['vbd-param-set', `uuid=${at.vbd}`, `bootable=${to.bootable}`]);
  if (!to.keep_on_destroy !== !from.keep_on_destroy) {
    await ops.xe(to.keep_on_destroy ? ['vdi-param-set', `uuid=${at.vdi}`, `other-config:${VDI_MARKER_KEEP}=true`] : ['vdi-param-remove', `uuid=${at.vdi}`, 'param-name=other-config', `param-key=${VDI_MARKER_KEEP}`]);
  }
}
