// Steps for tests, written flat as `{ op: 'set', changes: [...] }`: the op beside its arguments.
import type { Step, StepOp } from '../../planner/model/ops.js';

export type FlatStep = { op: StepOp } & Record<string, unknown>;

export function stepOf({ op, ...args }: FlatStep, fields: { id?: string; address: string; host: string; depends_on?: string[] }): Step {
  return { id: fields.id ?? 's1', address: fields.address, host: fields.host, op, args, depends_on: fields.depends_on ?? [] } as Step;
}
