// What a plan's moved, import and removed blocks do on the hosts and in the state, before any
// step runs: a moved VM's xenform-address marker is rewritten (as `state mv` does) and its
// record renamed; an imported VM is marked and recorded; a forgotten VM loses its ownership
// markers (the state drops it after the walk). Each is idempotent: an apply stopped halfway
// leaves the same blocks to do the rest at the next plan.
import type { Config } from '../../planner/config/types.js';
import type { State } from '../../planner/model/state.js';
import type { Plan } from '../../planner/plan/types.js';
import type { Provider } from '../../providers/provider.js';
import { errorText } from '../errors.js';
import { importVm, isRefusal, moveResources } from '../state/transitions.js';

export interface Refactoring {
  state: State;
  notes: string[];
  errors: string[]; // none: every step may run; else the apply stops before its first step
}

export async function applyRefactoring(plan: Plan, state: State, provider: (host: string) => Promise<Provider>, config: Config | null): Promise<Refactoring> {
  const out: Refactoring = { state, notes: [], errors: [] };
  for (const rc of plan.resource_changes) {
    if (rc.previous_address === undefined && !rc.importing && rc.action !== 'forget') continue;
    try {
      if (rc.previous_address !== undefined) {
        const moved = moveResources(out.state, rc.previous_address, rc.address);
        if (isRefusal(moved)) throw new Error(moved.error);
        const p = await provider(rc.host);
        const vm = rc.uuid ? await p.readVm(rc.uuid) : null;
        if (vm && vm.markers.address !== undefined && vm.markers.address !== rc.address) {
          if (!p.setAddressMarker) throw new Error(`host "${rc.host}" cannot rewrite ownership markers`);
          await p.setAddressMarker(vm.uuid, rc.address);
        }
        out.state = moved.state;
        out.notes.push(`${rc.previous_address} has moved to ${rc.address}${vm?.markers.address !== undefined ? ' (its ownership marker on the host rewritten)' : ''}.`);
      }
      if (rc.importing) {
        const p = await provider(rc.host);
        const vm = await p.readVm(rc.importing.id);
        if (!vm) throw new Error(`host "${rc.host}" has no VM with uuid ${rc.importing.id} any more`);
        if (!p.setMarkers) throw new Error(`host "${rc.host}" cannot mark VMs`);
        await p.setMarkers(vm.uuid, { address: rc.address, lineage: out.state.lineage });
        const block = config?.vms.find((v) => v.address === rc.address);
        const imported = importVm(out.state, { address: rc.address, host: rc.host, vm, restartTrigger: block?.restart_trigger ?? null, shutdown: block?.shutdown });
        if (isRefusal(imported)) throw new Error(imported.error);
        out.state = imported.state;
        out.notes.push(`${rc.address}: imported VM ${vm.uuid} ("${vm.attributes.name}").`);
      }
      if (rc.action === 'forget' && rc.uuid) {
        const p = await provider(rc.host);
        const vm = await p.readVm(rc.uuid);
        if (vm && (vm.markers.address !== undefined || vm.markers.lineage !== undefined)) {
          if (!p.setMarkers) throw new Error(`host "${rc.host}" cannot remove ownership markers`);
          await p.setMarkers(vm.uuid, null);
        }
      }
    } catch (err) {
      out.errors.push(`${rc.address}: ${errorText(err)}; no step was run.`);
      return out;
    }
  }
  return out;
}
