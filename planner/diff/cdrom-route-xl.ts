// The route of a CD change on an xl host: the running HVM domain's drive takes or gives up the
// media in place (xl cd-insert, xl cd-eject), a halted VM's guest file is rewritten, and a
// drive the guest file lacks is added while the VM is halted: xl attaches no emulated drive to
// a running domain (xl(1) block-attach adds PV disks; cd-insert needs an existing drive).
import type { CdromAttributes } from '../model/vm.js';
import type { AttributeChange } from '../plan/types.js';
import type { Route, RouteContext } from './route-context.js';

export function xlCdromRoute(c: AttributeChange, ctx: RouteContext): Route {
  const before = c.before as CdromAttributes | null;
  const after = c.after as CdromAttributes;
  if (before === null) {
    const made = `a CD drive is added to the guest file${after.iso === null ? '' : ' with the ISO in it'}`;
    if (ctx.power === 'halted') return { effect: 'live', reason: `${made} while the VM is halted` };
    return {
      effect: 'requires_halt',
      reason: `${made} while the VM is halted, so the next start has it`,
      condition: `the VM has no CD drive, and xl cannot add an emulated drive to a ${ctx.power} domain`,
    };
  }
  if (ctx.power === 'halted') return { effect: 'live', reason: 'the guest file names the new media of the CD drive' };
  const reason = after.iso === null ? 'the CD drive is emptied in place (xl cd-eject), and the guest file says the same' : 'the ISO is inserted into the CD drive in place (xl cd-insert), and the guest file says the same';
  if (ctx.power === 'suspended') return { effect: 'live', reason, condition: 'the VM is suspended, so it is resumed for the change and suspended again' };
  return { effect: 'live', reason };
}
