// The one narrow interface between the engine and a Xen host.
import type { HostInventory, ObservedVm, Toolstack } from '../planner/model/vm.js';
import type { Step } from '../planner/model/ops.js';

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface ExecOptions {
  stdin?: string;
  timeoutMs?: number;
  // Stop waiting: the command fails with code ABORTED (it may still complete on the host).
  signal?: AbortSignal;
}

export interface BatchOptions {
  timeoutMs?: number;
  parallel?: boolean; // the commands only read: they may run at the same time
}

// How commands reach a host: SSH, a local process, or the in-process simulator.
// `argv` is never a shell string: a transport that needs one quotes every word.
export interface Transport {
  readonly description: string; // "ssh root@192.0.2.10:22", "local", "simulator .xenform/sim/demo.json"
  exec(argv: string[], options?: ExecOptions): Promise<ExecResult>;
  writeFile?(path: string, content: string, mode?: number): Promise<void>;
  readFile?(path: string): Promise<string | null>; // null when the file does not exist
  // Several commands in one round trip, answered in order (e.g. a whole inventory).
  // Transports without it are driven one exec per command.
  batch?(commands: string[][], options?: BatchOptions): Promise<ExecResult[]>;
  roundTrips(): number; // commands sent so far, for tests and benchmarks
  close(): Promise<void>;
}

// A failure reported by the host's toolstack, e.g. XAPI's VM_BAD_POWER_STATE.
export class ProviderError extends Error {
  constructor(
    readonly host: string,
    readonly code: string, // "VM_BAD_POWER_STATE", "UUID_INVALID", "XL_FAILED", "TRANSPORT"
    readonly params: Record<string, string>,
    message: string,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

// A failure after which the command may or may not have taken effect on the host: the
// connection went away or the wait was given up while it ran (TRANSPORT or ABORTED with the
// command, TIMEOUT), or the command was killed (KILLED: exit 137 or 255, "Killed").
export function isUncertain(err: unknown): boolean {
  if (!(err instanceof ProviderError)) return false;
  switch (err.code) {
    case 'TIMEOUT':
    case 'KILLED':
      return true;
    case 'TRANSPORT':
      return err.params.command !== undefined;
    case 'ABORTED':
      return err.params.started === 'true';
    default:
      return false;
  }
}

// A command that ended by a signal (128 + n, as a shell reports it), or 255, which ssh and
// the simulator's killed commands exit with, or whose shell said "Killed".
export function killedBy(host: string, command: string, r: ExecResult): ProviderError | null {
  if (!(r.code > 128 || /^(sh: \d+: )?Killed\b/m.test(r.stderr))) return null;
  return new ProviderError(host, 'KILLED', { command, exit: String(r.code) },
    `host "${host}": \`${command}\` ended abruptly (exit ${r.code}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n')[0]}` : ''}); it may or may not have taken effect`);
}

// The target of a step: the VM's uuid when it exists (null before `create`).
export interface StepTarget {
  uuid: string | null;
  address: string;
}

export interface StepResult {
  uuid: string; // the VM the step acted on (the new one for `create`)
  observed: ObservedVm | null; // the VM after the step, null after `destroy`
  notes?: string[]; // what the user should know of the step's outcome (a disk kept, by uuid)
}

export interface Provider {
  readonly host: string;
  readonly toolstack: Toolstack;
  // The whole host in one round trip.
  inventory(): Promise<HostInventory>;
  // One VM, re-read just before its first step; null when it no longer exists.
  readVm(uuid: string): Promise<ObservedVm | null>;
  execute(step: Step, target: StepTarget, signal?: AbortSignal): Promise<StepResult>;
  // Rewrites the VM's xenform-address ownership marker (`state mv`), its other markers kept.
  setAddressMarker?(uuid: string, address: string): Promise<void>;
  // Marks the VM as this configuration's (an import block), or removes both ownership markers
  // (null: a removed block, a forgotten VM), leaving everything else as it is.
  setMarkers?(uuid: string, markers: { address: string; lineage: string } | null): Promise<void>;
  close(): Promise<void>;
}
