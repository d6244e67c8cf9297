// Deposed objects in the state (lifecycle.create_before_destroy): the old VM of a replace is
// recorded beside its address from the moment its successor's create is done until its own
// destroy is done, so that an apply stopped in between leaves the next plan a destroy of the
// old VM only (planner/plan/deposed.ts), never a second create and never a destroy of the new.
import type { State, StateResource } from '../../planner/model/state.js';
import type { HostInventory, ShutdownPolicy } from '../../planner/model/vm.js';
import { DEPOSED_SUFFIX } from '../../planner/plan/deposed.js';

function withDeposed(state: State, deposed: StateResource[]): State {
  const { deposed: _old, ...rest } = state;
  return deposed.length > 0 ? { ...rest, deposed } : rest;
}

// The create of `address` is done and deposed VM `uuid`: its record (the address's, before the
// create replaced it) moves to the deposed objects.
export function depose(state: State, old: StateResource | undefined, uuid: string): State {
  if (!old || old.uuid !== uuid || (state.deposed ?? []).some((d) => d.uuid === uuid && d.host === old.host)) return state;
  return withDeposed(state, [...(state.deposed ?? []), old]);
}

// A finished step on a deposed VM (its shutdown, its destroy) changes its deposed record, never
// the address's: null when the step's VM is not deposed.
export function recordDeposedStep(state: State, host: string, uuid: string, resource: StateResource | null): State | null {
  const i = (state.deposed ?? []).findIndex((d) => d.uuid === uuid && d.host === host);
  if (i < 0) return null;
  if (resource === null) return undepose(state, host, uuid);
  const old = state.deposed![i];
  return withDeposed(state, state.deposed!.map((d, j) => (j === i ? { ...old, attributes: resource.attributes, booted_with: resource.booted_with } : d)));
}

// A destroy of `uuid` on `host` is done, or the VM is gone: it is no longer deposed.
export function undepose(state: State, host: string, uuid: string): State {
  if (!(state.deposed ?? []).some((d) => d.uuid === uuid && d.host === host)) return state;
  return withDeposed(state, state.deposed!.filter((d) => !(d.uuid === uuid && d.host === host)));
}

// `state rebuild`: a VM whose marker reads ADDRESS#deposed is the old VM of an interrupted
// create_before_destroy replace. It is recorded as deposed (so the next plan destroys it), never
// under its address; deposed records whose VM is gone are dropped.
export function rebuildDeposed(state: State | null, inventories: Record<string, HostInventory>, shutdownOf: (address: string) => ShutdownPolicy | undefined): { deposed: StateResource[]; notes: string[] } {
  const exists = (r: StateResource) => inventories[r.host]?.vms.some((v) => v.uuid === r.uuid) ?? true;
  const deposed = (state?.deposed ?? []).filter(exists);
  const notes: string[] = [];
  const known = new Set([...deposed, ...(state?.resources ?? [])].map((r) => `${r.host}\u0000${r.uuid}`));
  for (const inv of Object.values(inventories)) {
    for (const vm of inv.vms) {
      const marker = vm.markers.address;
      if (marker === undefined || !marker.endsWith(DEPOSED_SUFFIX) || known.has(`${vm.host}\u0000${vm.uuid}`)) continue;
      const address = marker.slice(0, -DEPOSED_SUFFIX.length);
      const shutdown = shutdownOf(address);
      deposed.push({ address, host: vm.host, uuid: vm.uuid, attributes: vm.attributes, booted_with: vm.booted_with, restart_trigger: null, owned: true, pending_reboot: vm.requires_reboot, ...(shutdown ? { shutdown } : {}) });
      notes.push(`${address}: VM ${vm.uuid} on host "${vm.host}" is the deposed object of an interrupted create_before_destroy replace (its marker reads ${marker}); it is recorded as deposed, and the next plan destroys it.`);
    }
  }
  return { deposed, notes };
}
