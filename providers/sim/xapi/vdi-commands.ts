// Growing, copying and moving a VDI: vdi-resize (offline, or `online=true`), vdi-copy,
// vdi-pool-migrate. Preconditions in xapi's order (xen-api e2ee48d688
// ocaml/xapi/xapi_vdi.ml `check_operation_error`): an offline op on a VDI with an attached
// VBD is VDI_IN_USE (only snapshot, resize_online, clone, mirror, ... run attached; copy runs
// with a read-only attach), then the SR's driver must declare the op's feature
// (`check_sm_feature_error`: SR_OPERATION_NOT_SUPPORTED; resize needs VDI_RESIZE,
// resize_online VDI_RESIZE_ONLINE, mirror VDI_MIRROR).
import { newUuid } from '../ids.js';
import type { SimState, Vdi } from '../state.js';
import { parseBool, parseSize } from './args.js';
import { CLASSES } from './classes.js';
import type { Ctx } from './record-format.js';
import { XapiError } from './errors.js';
import { checkOperation } from './lifecycle.js';
import { smHas } from './sm-drivers.js';
import { allocatedSize } from './storage.js';
import { byUuid, type Command } from './select.js';

const attachedVbds = (st: SimState, vdi: Vdi) => Object.values(st.vbds).filter((b) => b.vdi === vdi.uuid && b.attached);

function needFeature(st: SimState, c: Ctx, vdi: Vdi, feature: string): void {
  const sr = st.srs[vdi.sr];
  if (!sr || !smHas(sr.type, feature, c)) throw new XapiError('SR_OPERATION_NOT_SUPPORTED', [vdi.sr]);
}

function srOf(st: SimState, uuid: string) {
  const sr = st.srs[uuid];
  if (!sr) throw new XapiError('UUID_INVALID', ['SR', uuid]);
  return sr;
}

// cli_operations.ml `vdi_resize`: `online=true` calls VDI.resize_online, else VDI.resize; both
// take the same storage path (xapi_vdi.ml `resize_online = resize`). The VHD drivers refuse to
// shrink (sm 471cf7ed libs/sm/drivers/FileSR.py `resize` L650: XenError('VDISize',
// opterr='shrinking not allowed'), VDISize being SM error 79) and round the new size up like a
// new VDI's (vhdutil.validate_and_round_vhd_size).
export const vdiResize: Command = {
  required: ['uuid', 'disk-size'],
  own: ['disk-size', 'online'],
  run: async (run) => {
    const size = parseSize('disk-size', run.get('disk-size')!);
    const online = run.has('online') && parseBool('online', run.get('online')!);
    await run.latency();
    return run.update((st, c) => {
      const vdi: Vdi = byUuid(CLASSES.vdi, st, run.get('uuid'));
      if (!online && attachedVbds(st, vdi).length > 0) throw new XapiError('VDI_IN_USE', [vdi.uuid, 'resize']);
      needFeature(st, c, vdi, online ? 'VDI_RESIZE_ONLINE' : 'VDI_RESIZE');
      if (size < vdi.size) throw new XapiError('SR_BACKEND_FAILURE_79', ['', 'VDI Invalid size [opterr=shrinking not allowed]', '']);
      if (size > vdi.size) vdi.size = allocatedSize(st.srs[vdi.sr].type, size, vdi.smConfig);
      return '';
    });
  },
};

function copyOf(st: SimState, vdi: Vdi, sr: string): Vdi {
  const copy: Vdi = { ...vdi, uuid: newUuid(st), sr, other: { ...vdi.other }, smConfig: {}, tags: [...vdi.tags], readOnly: false };
  delete copy.snapshotOf;
  copy.size = allocatedSize(st.srs[sr].type, vdi.size, {});
  st.vdis[copy.uuid] = copy;
  return copy;
}

// VDI.copy into a fresh VDI on `sr-uuid`: other-config is carried over (xapi_vdi.ml `copy`).
// A read-write attached VBD blocks it (copy may run with a read-only attach only).
export const vdiCopy: Command = {
  required: ['uuid'],
  own: ['sr-uuid', 'base-vdi-uuid', 'into-vdi-uuid'],
  run: async (run) => {
    await run.latency();
    return run.update((st) => {
      const vdi: Vdi = byUuid(CLASSES.vdi, st, run.get('uuid'));
      const sr = run.get('sr-uuid');
      if (sr === undefined) throw new XapiError('INTERNAL_ERROR', ['Please specify one but not both of: a destination sr-uuid (I will create a fresh VDI); or a destination into-vdi-uuid (I will copy the blocks into this VDI)']);
      srOf(st, sr);
      if (attachedVbds(st, vdi).some((b) => b.mode === 'RW')) throw new XapiError('VDI_IN_USE', [vdi.uuid, 'copy']);
      return copyOf(st, vdi, sr).uuid + '\n';
    });
  },
};

// VDI.pool_migrate (message_forwarding.ml `VDI.pool_migrate`, xapi_vm_migrate.ml
// `vdi_pool_migrate`): the VDI needs a VBD (VDI_NEEDS_VM_FOR_MIGRATE), its VM must allow
// migrate_send (power state, PV drivers: VM_LACKS_FEATURE), the SR must mirror (VDI_MIRROR).
// The VM's VBD is moved to the new VDI, the old one destroyed; xe prints the new uuid.
export const vdiPoolMigrate: Command = {
  required: ['uuid', 'sr-uuid'],
  own: ['sr-uuid', 'dest-img-format'],
  run: async (run) => {
    await run.latency();
    return run.update((st, c) => {
      const vdi: Vdi = byUuid(CLASSES.vdi, st, run.get('uuid'));
      const sr = run.get('sr-uuid')!;
      srOf(st, sr);
      const vbd = Object.values(st.vbds).find((b) => b.vdi === vdi.uuid);
      if (!vbd) throw new XapiError('VDI_NEEDS_VM_FOR_MIGRATE', [vdi.uuid]);
      const vm = st.vms[vbd.vm];
      const check = checkOperation(vm, 'migrate_send', c.faults);
      if (!check.ok && !check.wait) throw check.error;
      needFeature(st, c, vdi, 'VDI_MIRROR');
      const copy = copyOf(st, vdi, sr);
      vbd.vdi = copy.uuid;
      delete st.vdis[vdi.uuid];
      return copy.uuid + '\n';
    });
  },
};
