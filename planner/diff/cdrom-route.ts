// The route of a CD change: media inserted or ejected in place (halted or running), a missing
// drive created while the VM is halted.
import type { CdromAttributes } from '../model/vm.js';
import type { AttributeChange } from '../plan/types.js';
import type { Route, RouteContext, RouteRefusal } from './route-context.js';
import { xlCdromRoute } from './cdrom-route-xl.js';

const REASON = {
  insert: 'the ISO is inserted into the CD drive in place (vm-cd-insert)',
  eject: 'the CD drive is emptied in place (vm-cd-eject)',
  swap: 'the ISO in the CD drive is swapped in place (vm-cd-eject, vm-cd-insert)',
};

export function cdromRoute(c: AttributeChange, ctx: RouteContext): Route | RouteRefusal | undefined {
  if (ctx.toolstack === 'xl') return xlCdromRoute(c, ctx);
  const before = c.before as CdromAttributes | null;
  const after = c.after as CdromAttributes;
  if (before === null) {
    const made = `a CD drive is created (vbd-create type=CD)${after.iso === null ? '' : ' and the ISO inserted'}`;
    if (ctx.power === 'halted') return { effect: 'live', reason: `${made} while the VM is halted` };
    // xapi_vbd_helpers.ml valid_operations: "HVM CDROMs cannot be hotplugged/unplugged, only
    // inserted or ejected"; a drive created on a running VM is not there until the next start.
    return {
      effect: 'requires_halt',
      reason: `${made} while the VM is halted, so the next start sees it`,
      condition: `the VM has no CD drive, and XAPI does not hot-plug one into a ${ctx.power} guest`,
    };
  }
  const reason = before.iso === null ? REASON.insert : after.iso === null ? REASON.eject : REASON.swap;
  // xapi_vbd.ml assert_not_suspended: the drive of a suspended VM is left alone (VM_BAD_POWER_STATE).
  if (ctx.power === 'suspended') return { effect: 'live', reason, condition: 'the VM is suspended, so it is resumed for the change and suspended again' };
  return { effect: 'live', reason };
}
