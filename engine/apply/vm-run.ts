// What apply knows of each VM the plan has steps for, and where the VM's run stands.
import type { VmConfig } from '../../planner/config/types.js';
import type { Step } from '../../planner/model/ops.js';
import type { PowerState, ShutdownPolicy } from '../../planner/model/vm.js';
import type { Plan, ResourceChange } from '../../planner/plan/types.js';
import { DEFAULT_SHUTDOWN } from '../../planner/plan/recorded-policy.js';


export type VmStatus =
  | { kind: 'pending' } // no step has started: not yet checked against the host
  | { kind: 'running' } // checked; steps run
  | { kind: 'refused'; reason: string } // it changed since the plan: none of its steps run
  // A step failed: the rest are skipped, then it is restored, unless `leaveAlone` says why not
  // (the host may have done it after all, or the VM did not stay as the step left it): it is
  // read again and reported as it is.
  | { kind: 'failed'; error: string; leaveAlone?: string }
  | { kind: 'done' }; // every step succeeded

export interface VmRun {
  address: string;
  host: string;
  change: ResourceChange | undefined;
  config: VmConfig | undefined;
  policy: ShutdownPolicy; // how to halt or reboot it, for the plan's steps and for a restore
  steps: Step[];
  uuid: string | null; // the VM the plan saw (null when it is created)
  newUuid: string | null; // the VM `create` made
  afterCreate: Set<string>; // steps that act on the new VM of a replacement
  powerBefore: PowerState | null; // before apply: as planned, then as read before its first step
  stepsLeft: number;
  liveLeft: number; // steps left that act on the address's VM, not on a deposed one
  status: VmStatus;
}

// The VM's shutdown policy: as its clean steps carry it, else its configuration's.
function policyOf(steps: Step[], config: VmConfig | undefined): ShutdownPolicy {
  for (const s of steps) if ('shutdown' in s.args && s.args.shutdown) return s.args.shutdown;
  return config?.shutdown ?? DEFAULT_SHUTDOWN; // the configuration's default
}

export function vmRuns(plan: Plan, vmConfigs: ReadonlyMap<string, VmConfig>): Map<string, VmRun> {
  const changes = new Map(plan.resource_changes.filter((c) => c.deposed === undefined).map((c) => [c.address, c]));
  const deposed = new Map(plan.resource_changes.filter((c) => c.deposed !== undefined).map((c) => [c.deposed!, c]));
  const byVm = new Map<string, Step[]>();
  for (const step of plan.steps) {
    const list = byVm.get(step.address);
    if (list) list.push(step);
    else byVm.set(step.address, [step]);
  }
  const runs = new Map<string, VmRun>();
  for (const [address, steps] of byVm) {
    // An address whose only steps act on its deposed VM is checked against that VM's change.
    const change = steps.every((s) => s.deposed !== undefined) ? deposed.get(steps[0].deposed!) : changes.get(address);
    const config = vmConfigs.get(address);
    runs.set(address, {
      address,
      host: steps[0].host,
      change,
      config,
      policy: policyOf(steps, config),
      steps,
      uuid: change?.uuid ?? null,
      newUuid: null,
      afterCreate: afterCreate(steps),
      powerBefore: change?.before?.power_state ?? null,
      stepsLeft: steps.length,
      liveLeft: steps.filter((s) => s.deposed === undefined).length,
      status: { kind: 'pending' },
    });
  }
  return runs;
}

// In a replacement, the steps after `create` (transitively, within the VM) act on the new VM.
function afterCreate(steps: Step[]): Set<string> {
  const after = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of steps) {
      if (after.has(s.id)) continue;
      if (s.op === 'create' || s.depends_on.some((d) => after.has(d))) {
        after.add(s.id);
        grew = true;
      }
    }
  }
  return after;
}

// The VM a step acts on: none for a create, the new one after a create, else the planned one.
export function targetUuid(run: VmRun, step: Step): string | null {
  if (step.op === 'create') return null;
  if (step.deposed !== undefined) return step.deposed;
  return run.afterCreate.has(step.id) ? run.newUuid : run.uuid;
}

// Why the VM's remaining steps may not run, if they may not.
export function blocked(run: VmRun): string | null {
  if (run.status.kind === 'refused') return `${run.address} was refused: ${run.status.reason}`;
  if (run.status.kind === 'failed') return `an earlier step of ${run.address} failed`;
  return null;
}
