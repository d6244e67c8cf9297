// The outputs an apply records: those that needed what only the apply could tell (the uuids
// of new VMs) are evaluated again with the recorded VMs; the others are as planned.
import { containsUnknown, type Config } from '../../planner/config/types.js';
import type { State } from '../../planner/model/state.js';
import { setOutputs } from '../state/transitions.js';

// Evaluates the configuration again with these VMs known; a string says why it could not.
export type Reevaluate = (known: Record<string, { uuid: string | null }>) => Config | string;

export function recordOutputs(state: State, config: Config, reevaluate: Reevaluate): State {
  let outputs = config.outputs;
  if (outputs.some((o) => containsUnknown(o.value))) {
    const fresh = reevaluate(Object.fromEntries(state.resources.map((r) => [r.address, { uuid: r.uuid }])));
    if (typeof fresh !== 'string') outputs = fresh.outputs;
  }
  return setOutputs(state, outputs.filter((o) => !containsUnknown(o.value)));
}

