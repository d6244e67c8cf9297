// Routes for a network interface added, removed or changed (network or MAC: unplug,
// re-create, plug), from the guest's drivers (VM_guest_metrics can-use-hotplug-vif).
import type { AttributeChange } from '../plan/types.js';
import { guestCan, type Route, type RouteContext } from './route-context.js';

function noHotplug(ctx: RouteContext): string {
  if (ctx.power !== 'running') return `the VM is ${ctx.power}, so the interface is changed offline`;
  if (!ctx.guest) return 'the host reports no guest metrics, so the interface cannot be hot-plugged';
  if (!ctx.guest.pv_drivers) return 'the guest has no PV drivers, so the interface cannot be hot-plugged';
  return "the guest's PV drivers do not hot-plug network interfaces";
}

export function networkRoute(c: AttributeChange, ctx: RouteContext): Route {
  const what = !c.before ? 'created and hot-plugged' : !c.after ? 'hot-unplugged and destroyed' : 'hot-unplugged, created again and plugged';
  if (guestCan(ctx, 'hotplug_network')) {
    return { effect: 'live', reason: `the network interface is ${what} on the running guest`, condition: "the guest's PV drivers hot-plug network interfaces" };
  }
  return { effect: 'requires_halt', reason: 'network interfaces are attached and detached while the VM is halted, so the next start sees them', condition: noHotplug(ctx) };
}
