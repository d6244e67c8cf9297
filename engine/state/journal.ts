// The apply journal's entries: one per step event, appended durably before a step starts and
// after it ends, so that an apply killed at any moment leaves what the next run needs to settle
// the state (transitions.ts foldJournal). Where the entries are kept is the StateManager's.
import type { StepOp } from '../../planner/model/ops.js';
import type { StateResource } from '../../planner/model/state.js';
import { resourceProblem } from './format.js';

export type JournalEntry =
  | { t: 'begin'; lineage: string; serial: number; time: string }
  | { t: 'names'; host: string; names: Record<string, string[]>; time: string } // uuids per name-label before creates
  | { t: 'start'; step: string; address: string; host: string; op: StepOp; uuid: string | null; time: string; name?: string; template?: string; deposes?: string } // deposes: a create_before_destroy create's old VM, journaled before its marker is rewritten
  | { t: 'done'; step: string; address: string; host: string; op: StepOp; uuid: string; time: string; resource: StateResource | null; deposed?: string } // deposed: a create_before_destroy create's old VM
  | { t: 'fail'; step: string; address: string; host: string; op: StepOp; error: string; time: string }
  | { t: 'end'; time: string };

const isString = (v: unknown): v is string => typeof v === 'string' && v !== '';
const STEP_FIELDS = ['step', 'address', 'host', 'op'] as const;

// What is wrong with a journal line's entry, checked with the state's own rules (a `done`
// entry's VM is a state record); null when it can be folded into the state.
export function journalEntryProblem(e: unknown): string | null {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return 'is not a JSON object';
  const o = e as Record<string, unknown>;
  if (typeof o.time !== 'string') return 'has no "time"';
  const missing = (keys: readonly string[]) => keys.find((k) => !isString(o[k]));
  switch (o.t) {
    case 'begin':
      if (!isString(o.lineage)) return 'is a "begin" entry without a "lineage"';
      return typeof o.serial === 'number' && Number.isInteger(o.serial) && o.serial >= 0 ? null : 'is a "begin" entry without a valid "serial"';
    case 'names': {
      if (!isString(o.host)) return 'is a "names" entry without a "host"';
      const names = o.names;
      const ok = typeof names === 'object' && names !== null && Object.values(names).every((u) => Array.isArray(u) && u.every((x) => typeof x === 'string'));
      return ok ? null : 'is a "names" entry whose "names" are not lists of uuids';
    }
    case 'start': {
      const m = missing(STEP_FIELDS);
      if (m) return `is a "start" entry without "${m}"`;
      return o.uuid === null || isString(o.uuid) ? null : 'is a "start" entry whose "uuid" is neither a uuid nor null';
    }
    case 'done': {
      const m = missing([...STEP_FIELDS, 'uuid']);
      if (m) return `is a "done" entry without "${m}"`;
      if (o.resource === null) return null;
      const problem = resourceProblem(o.resource);
      if (problem) return `is a "done" entry whose resource${problem}`;
      const r = o.resource as StateResource;
      return r.address === o.address && r.uuid === o.uuid ? null : 'is a "done" entry whose resource is not the VM the step names';
    }
    case 'fail': {
      const m = missing([...STEP_FIELDS, 'error']);
      return m ? `is a "fail" entry without "${m}"` : null;
    }
    case 'end':
      return null;
    default:
      return `has an unknown kind ${JSON.stringify(o.t)}`;
  }
}
