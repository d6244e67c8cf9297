// lifecycle.create_before_destroy and deposed objects, as Terraform has them. A replace with
// create_before_destroy creates the new VM first and then destroys the old one, whose steps
// carry its uuid (`deposed`) so that apply never turns them on the new VM. Before the create,
// apply rewrites the old VM's xenform-address marker to ADDRESS#deposed: "#" is in no resource
// address, so marker adoption and the twin checks never take it for a live one. Once the create
// is done the state records the old VM under `deposed` until its destroy is done; a plan then
// destroys each deposed VM still on its host, and only it.
import type { Diagnostic } from '../../lang/diagnostics.js';
import type { VmConfig } from '../config/types.js';
import type { State, StateResource } from '../model/state.js';
import type { HostInventory, ObservedVm, ShutdownPolicy, Toolstack } from '../model/vm.js';
import { graphFor } from '../lifecycle/graphs.js';
import { fingerprint } from './fingerprint.js';
import { planDestroy, type StepDraft, type VmSteps } from './vm-steps.js';
import type { ResourceChange } from './types.js';

export const DEPOSED_SUFFIX = '#deposed';
export const deposedMarker = (address: string): string => address + DEPOSED_SUFFIX;

// The old VM's steps (its shutdown and destroy), marked as acting on the deposed VM.
export function deposedSteps(down: VmSteps, uuid: string): VmSteps {
  return { ...down, steps: down.steps.map((s): StepDraft => ({ ...s, deposed: uuid })) };
}

// xl names a domain and its configuration file by name-label: a new VM cannot coexist with an
// old one of the same name on the same xl host.
export function cannotCoexist(vm: VmConfig, observed: ObservedVm, newName: string, toolstack: Toolstack): (Diagnostic & { detail: string }) | null {
  if (toolstack !== 'xl' || observed.host !== vm.host || observed.attributes.name !== newName) return null;
  const detail =
    `${vm.address} has lifecycle.create_before_destroy = true, but its replacement would be created on the xl host "${vm.host}" ` +
    `under the name "${newName}", which the old domain still holds (xl domain names are unique, and name the guest's configuration file). ` +
    'Give the VM a new name in the same change, or remove create_before_destroy to destroy the old VM first.';
  return {
    severity: 'error',
    summary: 'create_before_destroy needs a new name on an xl host',
    detail,
    address: vm.address,
    subject: vm.attributeRanges['lifecycle.create_before_destroy'] ?? vm.range,
  };
}

// The plan's change for each deposed VM the state records: its destroy, or, when its host was
// read and it is gone, its removal from the state with no step.
export interface DeposedChange {
  change: ResourceChange & { deposed: string };
  steps: VmSteps | null;
}

export function deposedChanges(state: State | null, inventories: Record<string, HostInventory>, toolstackOf: (host: string) => Toolstack, defaultPolicy: ShutdownPolicy): DeposedChange[] {
  const out: DeposedChange[] = [];
  for (const d of state?.deposed ?? []) {
    const inv = inventories[d.host];
    const observed = inv ? (inv.vms.find((v) => v.uuid === d.uuid) ?? null) : null;
    const change = (action: 'delete' | 'forget', reason: string): DeposedChange['change'] => ({
      address: d.address, host: d.host, uuid: d.uuid, deposed: d.uuid, action, disruption: action === 'delete' ? 'destroy' : 'none',
      reasons: [reason], before: observed?.attributes ?? d.attributes, after: null, changes: [],
      // a saved plan's deposed destroy is refused like any step when its VM changed since the plan
      fingerprint: action === 'delete' && observed ? fingerprint(observed) : null,
    });
    if (inv && !observed) {
      out.push({ change: change('forget', 'deposed by a create_before_destroy replace, and already gone from its host: it is forgotten from the state'), steps: null });
      continue;
    }
    const attrs = observed?.attributes ?? d.attributes;
    const down = planDestroy(graphFor(toolstackOf(d.host)), attrs.power_state, d.owned ? attrs.disks : [], d.shutdown ?? defaultPolicy);
    out.push({ change: change('delete', `deposed by a create_before_destroy replace of ${d.address} (its successor exists); its destroy had not yet succeeded`), steps: deposedSteps(down, d.uuid) });
  }
  return out;
}

// An apply stopped after it rewrote the old VM's marker to ADDRESS#deposed and before it recorded
// the replacement's create leaves the old VM still recorded under the address. When the pending
// create could not adopt the replacement (engine/state/transitions.ts adoptPendingCreates), a VM
// carrying the address's marker beside it is that replacement: refuse naming both, so that no
// plan ever creates a third VM or changes the wrong one.
export function unrecordedReplacement(r: StateResource, recorded: ObservedVm | undefined, marked: ObservedVm | undefined): { summary: string; detail: string } | null {
  if (recorded?.markers.address !== deposedMarker(r.address) || !marked || marked.uuid === r.uuid) return null;
  return {
    summary: 'An interrupted create_before_destroy replace left two VMs for one address',
    detail:
      `${r.address} is recorded as VM ${r.uuid} on host "${r.host}", whose marker says it was deposed by a replace, and VM ${marked.uuid} carries the address's ownership markers: ` +
      `it is the replacement that the interrupted apply made before it could record it. xenform changes neither. ` +
      `Keep the replacement with \`xenform state rm ${r.address}\` then \`xenform import ${r.address} ${marked.uuid}\`, and destroy the old VM ${r.uuid} yourself; ` +
      `or keep the old VM by destroying ${marked.uuid} and resetting the old VM's marker (xe vm-param-set uuid=${r.uuid} other-config:xenform-address=${r.address}).`,
  };
}
