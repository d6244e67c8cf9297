// The route a change takes when it depends on what refresh observed: the guest's drivers
// (VM_guest_metrics, xenstore feature keys), the SR's capabilities, the VM's power state.
// The fixed catalog (planner/model/attributes.ts) holds the rules that never depend on
// observation; a rule here refines one catalog entry's effect for one change and says, in
// `condition`, what the choice rested on. A change whose catalog path has no rule keeps the
// catalog's effect. A rule asks for an observed capability with guestCan / srCan
// (planner/diff/route-context.ts).
import { findAttribute } from '../model/attributes.js';
import type { AttributeChange } from '../plan/types.js';
import type { RouteContext, RouteRule } from './route-context.js';
import { diskRoute } from './disk-routes.js';
import { networkRoute } from './network-routes.js';
import { vcpuRoute } from './vcpu-route.js';
import { cdromRoute } from './cdrom-route.js';
import { firmwareRoute, secureBootRoute, vtpmRoute } from './firmware-route.js';

// Rules by catalog path ("disks.LABEL", "networks.LABEL", "vcpus", ...).
const RULES: Readonly<Record<string, RouteRule>> = {
  'disks.LABEL': diskRoute,
  'networks.LABEL': networkRoute,
  vcpus: vcpuRoute,
  cdrom: cdromRoute,
  'boot.firmware': firmwareRoute,
  'boot.secure_boot': secureBootRoute,
  vtpm: vtpmRoute,
};

export interface RoutedChanges {
  changes: AttributeChange[]; // each with the route's effect, reason and condition
  refusals: string[]; // why a change cannot be made at all (a disk shrink), with the way out
}

export function routeChanges(changes: readonly AttributeChange[], ctx: RouteContext): RoutedChanges {
  const out: AttributeChange[] = [];
  const refusals: string[] = [];
  for (const c of changes) {
    const rule = RULES[findAttribute(c.path)?.path ?? ''];
    const r = rule?.(c, ctx);
    if (!r) out.push(c);
    else if ('refused' in r) {
      refusals.push(r.refused);
      out.push(c);
    } else out.push({ ...c, effect: r.effect, reason: r.reason, ...(r.condition ? { condition: r.condition } : {}) });
  }
  return { changes: out, refusals };
}
