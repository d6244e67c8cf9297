// Desired configuration + state + observed hosts -> Plan. Owner: the planner.
import type { Config } from '../config/types.js';
import type { Disruption, HostInventory, ObservedVm } from '../model.js';
import type { State } from '../../engine/state/types.js';
import type { Plan } from './types.js';

export interface PlanOptions {
  destroy: boolean;
  refreshOnly: boolean;
  targets: string[]; // addresses
  replace: string[]; // addresses
  maxDisruption?: Exclude<Disruption, 'destroy'>;
  xenformVersion: string;
}

export interface PlanInput {
  config: Config;
  state: State | null;
  inventories: Record<string, HostInventory>; // by host block name; absent = not refreshed
  options: PlanOptions;
}

export interface PlanOutcome {
  plan: Plan | null;
  errors: string[]; // e.g. prevent_destroy, max_disruption exceeded: the plan is refused
}

export function makePlan(input: PlanInput): PlanOutcome {
  throw new Error(`makePlan(${input.config.vms.length} VMs): not implemented yet`);
}

// The observed facts a VM's steps depend on; apply compares it before the VM's first step.
export function fingerprint(vm: ObservedVm): string {
  throw new Error(`fingerprint(${vm.uuid}): not implemented yet`);
}
