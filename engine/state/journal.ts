// The apply journal's entries: one per step event, appended durably before a step starts and
// after it ends, so that an apply killed at any moment leaves what the next run needs to settle
// the state (transitions.ts foldJournal). Where the entries are kept is the StateManager's.
import type { StepOp } from '../../planner/model/ops.js';
import type { StateResource } from '../../planner/model/state.js';

export type JournalEntry =
  | { t: 'begin'; lineage: string; serial: number; time: string }
  | { t: 'names'; host: string; names: Record<string, string[]>; time: string } // uuids per name-label before creates
  | { t: 'start'; step: string; address: string; host: string; op: StepOp; uuid: string | null; time: string; name?: string; template?: string }
  | { t: 'done'; step: string; address: string; host: string; op: StepOp; uuid: string; time: string; resource: StateResource | null }
  | { t: 'fail'; step: string; address: string; host: string; op: StepOp; error: string; time: string }
  | { t: 'end'; time: string };
