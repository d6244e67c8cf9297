// What a route rule may ask of refresh's observation of one VM and its host, and what a rule
// answers. The rules themselves live in planner/diff/*-routes.ts, chosen in planner/diff/routes.ts.
import type { Effect, GuestCapabilities, HostInventory, ObservedVm, PowerState, Toolstack } from '../model/vm.js';
import type { AttributeChange } from '../plan/types.js';

type Sr = HostInventory['srs'][number];

// What a rule may ask of the observation. Built once per VM from indexes built once per host,
// so choosing routes stays linear in the number of changes (no scan of the inventory per VM).
export interface RouteContext {
  address: string; // the VM's, for messages that name the way out (`--replace ADDR`)
  toolstack: Toolstack;
  power: PowerState; // the VM's observed power state
  guest: GuestCapabilities | undefined; // absent: the host does not say, nothing is assumed live
  sr(name: string): Sr | undefined; // an SR by name-label; undefined when absent or ambiguous
}

// A guest capability: true only when refresh observed it on a running guest.
export function guestCan(ctx: RouteContext, cap: keyof GuestCapabilities): boolean {
  return ctx.power === 'running' && ctx.guest?.[cap] === true;
}

// An SR capability (XAPI SM capabilities, e.g. "VDI_RESIZE_ONLINE"): true when the SR
// declares it, false when the SR's capabilities are known and lack it or the SR is unknown.
export function srCan(ctx: RouteContext, srName: string, cap: string): boolean {
  return ctx.sr(srName)?.capabilities?.includes(cap) === true;
}

// The route chosen for one change: its effect, the reason users read, and the observed
// condition it rested on. A device change whose effect is `live` runs on the running guest
// (hot-plug, online resize, storage migration); `requires_halt`, while the VM is halted.
export interface Route {
  effect: Effect;
  reason: string;
  condition?: string;
}

// Refused at plan time (a disk shrink): `refused` names what and the way out.
export interface RouteRefusal {
  refused: string;
}

// undefined: the catalog's fixed rule stands for this change.
export type RouteRule = (change: AttributeChange, ctx: RouteContext) => Route | RouteRefusal | undefined;

// SRs by name once per inventory: a name two SRs share is ambiguous (undefined).
const srIndexes = new WeakMap<HostInventory, Map<string, Sr | null>>();

function srIndex(inv: HostInventory): Map<string, Sr | null> {
  let m = srIndexes.get(inv);
  if (!m) {
    m = new Map();
    for (const s of inv.srs) m.set(s.name, m.has(s.name) ? null : s);
    srIndexes.set(inv, m);
  }
  return m;
}

export function routeContext(address: string, observed: ObservedVm, inv: HostInventory | undefined): RouteContext {
  const index = inv ? srIndex(inv) : undefined;
  return {
    address,
    toolstack: inv?.toolstack ?? 'xapi',
    power: observed.attributes.power_state,
    guest: observed.guest,
    sr: (name) => index?.get(name) ?? undefined,
  };
}
