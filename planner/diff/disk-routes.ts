// Routes for a disk added, removed or changed, from the guest's drivers and the SR's
// capabilities (research/xapi-spec.md; xapi ocaml/xapi/xapi_vdi.ml `check_operation_error`).
import type { DiskAttributes } from '../model/vm.js';
import { formatSize } from '../config/units.js';
import type { AttributeChange } from '../plan/types.js';
import { guestCan, srCan, type Route, type RouteContext, type RouteRefusal } from './route-context.js';

const halted = (reason: string, condition: string): Route => ({ effect: 'requires_halt', reason, condition });
const live = (reason: string, condition: string): Route => ({ effect: 'live', reason, condition });

// Why a running guest cannot take a device live: no PV drivers at all, or drivers that do
// not hot-plug this kind of device.
function noHotplug(ctx: RouteContext, device: string, verb: string): string {
  if (ctx.power !== 'running') return `the VM is ${ctx.power}, so the ${device} is ${verb} offline`;
  if (!ctx.guest) return `the host reports no guest metrics, so the ${device} cannot be hot-plugged`;
  if (!ctx.guest.pv_drivers) return `the guest has no PV drivers, so the ${device} cannot be hot-plugged`;
  return `the guest's PV drivers do not hot-plug ${device}s`;
}

function attach(ctx: RouteContext, adding: boolean): Route {
  const verb = adding ? 'attached' : 'detached';
  if (guestCan(ctx, 'hotplug_disk')) {
    return live(adding ? 'the disk is created and hot-plugged into the running guest' : 'the disk is hot-unplugged from the running guest', "the guest's PV drivers hot-plug disks");
  }
  return halted(`the disk is ${verb} while the VM is halted, so the next start sees it`, noHotplug(ctx, 'disk', verb));
}

// Grow: VDI.resize_online on an attached VDI needs the SR's VDI_RESIZE_ONLINE (else
// SR_OPERATION_NOT_SUPPORTED), and VDI.resize refuses an attached VDI (VDI_IN_USE): xapi
// e2ee48d688 ocaml/xapi/xapi_vdi.ml `check_operation_error`. The guest sees the new size only
// through its PV block driver.
function grow(ctx: RouteContext, d: DiskAttributes): Route {
  if (ctx.power !== 'running') return halted('the disk is resized while the VM is halted', `the VM is ${ctx.power}, so the disk is resized offline`);
  if (!guestCan(ctx, 'pv_drivers')) return halted('the disk is resized while the VM is halted', noHotplug(ctx, 'disk', 'resized'));
  if (!srCan(ctx, d.sr, 'VDI_RESIZE_ONLINE')) {
    return halted('the disk is resized while the VM is halted', `the SR ${d.sr} cannot resize an attached disk (no VDI_RESIZE_ONLINE)`);
  }
  return live('the disk is resized online', 'the SR resizes attached disks');
}

// Another SR: VDI.pool_migrate (storage motion) moves the disk of a running VM whose SR can
// mirror it (VDI_MIRROR, xapi_vdi.ml `feature_of_op` `mirror`); else a copy while halted.
function move(ctx: RouteContext, from: DiskAttributes, to: DiskAttributes): Route {
  const why = 'the disk is copied to the other SR while the VM is halted and its VBD swapped';
  if (ctx.power !== 'running') return halted(why, `the VM is ${ctx.power}, so the disk is copied offline`);
  if (!guestCan(ctx, 'pv_drivers')) return halted(why, 'the guest has no PV drivers, so the disk cannot be migrated live');
  if (!srCan(ctx, from.sr, 'VDI_MIRROR')) return halted(why, `the SR ${from.sr} cannot mirror an attached disk (no VDI_MIRROR)`);
  return live(`the disk is migrated live to the SR ${to.sr} (storage motion)`, `the SR ${from.sr} mirrors attached disks`);
}

// A disk change that only sets or clears keep_on_destroy: a mark on the VDI, made in any power state.
export function onlyKeepMarkChanged(c: AttributeChange): boolean {
  const before = c.before as DiskAttributes | null;
  const after = c.after as DiskAttributes | null;
  return !!before && !!after && before.sr === after.sr && before.size === after.size && before.bootable === after.bootable;
}

export function diskRoute(c: AttributeChange, ctx: RouteContext): Route | RouteRefusal | undefined {
  const before = c.before as DiskAttributes | null;
  const after = c.after as DiskAttributes | null;
  if (!before || !after) return attach(ctx, after !== null);
  if (after.size < before.size) {
    return {
      refused: `${ctx.address}: disk "${after.name}" cannot shrink from ${formatSize(before.size)} to ${formatSize(after.size)}: no storage backend shrinks a disk in place, and xenform never replaces a VM silently; to recreate the VM with the smaller disk, plan with --replace ${ctx.address}`,
    };
  }
  if ((after.sr !== before.sr || after.size > before.size) && ctx.toolstack === 'xl') {
    return { refused: `${ctx.address}: disk "${after.name}" cannot be grown or moved in place on an xl host; to recreate the VM with the new disk, plan with --replace ${ctx.address}` };
  }
  if (after.sr !== before.sr) return move(ctx, before, after);
  if (after.size > before.size) return grow(ctx, after);
  if (after.bootable === before.bootable) return live('keep_on_destroy is a mark on the disk, changed in place', 'the disk is neither resized nor moved');
  return live('the bootable flag is VBD metadata, changed in place', 'the disk is neither resized nor moved');
}
