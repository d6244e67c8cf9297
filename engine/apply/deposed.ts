// Apply's side of lifecycle.create_before_destroy (planner/plan/deposed.ts): before the create
// of a replacement, the old VM's xenform-address marker becomes ADDRESS#deposed, so that no
// refresh takes it for the address's VM; a create that surely failed puts the marker back.
import type { Step } from '../../planner/model/ops.js';
import { deposedMarker } from '../../planner/plan/deposed.js';
import type { Provider } from '../../providers/provider.js';
import type { VmRun } from './vm-run.js';

export interface Deposing {
  uuid: string; // the old VM
  host: string;
  provider: Provider;
}

// The old VM the create of `step` replaces, when its run destroys it after the create.
export function deposedBy(run: VmRun, step: Step): { uuid: string; host: string } | null {
  if (step.op !== 'create') return null;
  const old = run.steps.find((s) => s.deposed !== undefined);
  return old ? { uuid: old.deposed!, host: old.host } : null;
}

export async function deposeMarker(d: Deposing, address: string): Promise<void> {
  if (!d.provider.setAddressMarker) throw new Error(`host "${d.host}" cannot rewrite ownership markers, so the old VM cannot be deposed before its replacement is created`);
  await d.provider.setAddressMarker(d.uuid, deposedMarker(address));
}

export async function restoreMarker(d: Deposing, address: string): Promise<void> {
  await d.provider.setAddressMarker?.(d.uuid, address);
}
