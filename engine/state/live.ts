// The state while an apply records its steps. Each finished step goes through recordStep on
// the state narrowed to its VM, so that recording 10,000 steps costs 10,000 small transitions,
// not 10,000 copies of the whole resource list; the whole State is built only when read (a
// restore, the final write).
import type { State, StateResource } from '../../planner/model/state.js';
import type { JournalEntry } from './journal.js';
import { recordStep } from './transitions.js';

export class LiveState {
  private readonly resources = new Map<string, StateResource>(); // by address, in the state's order
  private rest: Omit<State, 'resources'>;
  private built: State | null;

  constructor(state: State) {
    const { resources, ...rest } = state;
    for (const r of resources) this.resources.set(r.address, r);
    this.rest = rest;
    this.built = state;
  }

  record(entry: JournalEntry): void {
    if (entry.t !== 'done') return;
    const { resources, ...rest } = recordStep(this.narrowed(entry.address), entry);
    if (resources[0]) this.resources.set(entry.address, resources[0]);
    else this.resources.delete(entry.address);
    this.rest = rest;
    this.built = null;
  }

  // The state with the record of `address` only (or none): what stepRecord reads of it.
  narrowed(address: string): State {
    const r = this.resources.get(address);
    return { ...this.rest, resources: r ? [r] : [] };
  }

  get state(): State {
    return (this.built ??= { ...this.rest, resources: [...this.resources.values()] });
  }
}
