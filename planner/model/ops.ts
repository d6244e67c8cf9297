// Step ops, each described once: every property the planner, the engine and the views ask of
// an op is a field of its record in OPS. `Step` is one discriminated union on `op`.
import type { DiskAttributes, NetworkAttributes, PowerState, ShutdownPolicy, VmAttributes } from './vm.js';

export type LifecycleOp =
  | 'start'
  | 'clean_shutdown'
  | 'hard_shutdown'
  | 'clean_reboot'
  | 'hard_reboot'
  | 'pause'
  | 'unpause'
  | 'suspend'
  | 'resume';

export type DeviceOp = 'add_disk' | 'remove_disk' | 'change_disk' | 'add_network' | 'remove_network';

export type StepOp = 'create' | 'set' | 'destroy' | 'migrate' | LifecycleOp | DeviceOp;

export type OpFamily = 'lifecycle' | 'create' | 'set' | 'device' | 'destroy';

export interface OpInfo {
  family: OpFamily;
  // A clean op honours the VM's shutdown policy; its twin is the hard op it falls back to.
  clean: boolean;
  hard: boolean; // kills the guest or discards its memory image
  twin: LifecycleOp | null; // clean_shutdown <-> hard_shutdown, clean_reboot <-> hard_reboot
  powerAfter: PowerState | null; // the power state the op leaves the VM in; null: unchanged (or gone)
  buildsDomain: boolean; // a new domain is built from the current configuration: boot changes take effect
  // The order across VMs: ops that bring a VM up wait for its dependencies, ops that take it
  // down go before its dependencies are taken down.
  direction: 'up' | 'down' | null;
  // What a guest suffers: `stops` is a halt (unless the domain had already crashed), `reboots`
  // a reboot, `freezes` (pause, suspend) a halt for a guest that was running.
  guest: 'stops' | 'reboots' | 'freezes' | null;
  doing: string; // what a progress view says while the op runs: "shutting down"
}

const op = (family: OpFamily, doing: string, fields: Partial<OpInfo> = {}): OpInfo => ({
  family,
  doing,
  clean: false,
  hard: false,
  twin: null,
  powerAfter: null,
  buildsDomain: false,
  direction: null,
  guest: null,
  ...fields,
});

export const OPS: Readonly<Record<StepOp, OpInfo>> = {
  create: op('create', 'creating', { powerAfter: 'halted', direction: 'up' }),
  start: op('lifecycle', 'starting', { powerAfter: 'running', buildsDomain: true, direction: 'up' }),
  clean_shutdown: op('lifecycle', 'shutting down', { clean: true, twin: 'hard_shutdown', powerAfter: 'halted', direction: 'down', guest: 'stops' }),
  hard_shutdown: op('lifecycle', 'forcing off', { hard: true, twin: 'clean_shutdown', powerAfter: 'halted', direction: 'down', guest: 'stops' }),
  clean_reboot: op('lifecycle', 'rebooting', { clean: true, twin: 'hard_reboot', powerAfter: 'running', buildsDomain: true, guest: 'reboots' }),
  hard_reboot: op('lifecycle', 'forcing a reboot', { hard: true, twin: 'clean_reboot', powerAfter: 'running', buildsDomain: true, guest: 'reboots' }),
  pause: op('lifecycle', 'pausing', { powerAfter: 'paused', direction: 'down', guest: 'freezes' }),
  unpause: op('lifecycle', 'unpausing', { powerAfter: 'running', direction: 'up' }),
  suspend: op('lifecycle', 'suspending', { powerAfter: 'suspended', direction: 'down', guest: 'freezes' }),
  resume: op('lifecycle', 'resuming', { powerAfter: 'running', direction: 'up' }),
  set: op('set', 'setting attributes'),
  // A live migration within a pool: the domain moves, the guest keeps running.
  migrate: op('lifecycle', 'migrating'),
  destroy: op('destroy', 'destroying', { direction: 'down' }),
  add_disk: op('device', 'adding a disk'),
  remove_disk: op('device', 'removing a disk'),
  change_disk: op('device', 'resizing or moving a disk'),
  add_network: op('device', 'adding a network interface'),
  remove_network: op('device', 'removing a network interface'),
};

// One assignment of a `set` step, in the order the provider must apply them.
// `path` uses VmAttributes paths: "name", "tags", "memory.static_max", "boot.args", "vcpus".
export interface SetChange {
  path: string;
  value: unknown;
  // Applied to the running domain as well (a route made live what the catalog sets for the
  // next boot: vCPUs hot-plugged); absent: only the configuration is set.
  live?: true;
}

// What a step does: its op and that op's arguments.
export type StepBody =
  | { op: 'create'; args: { attributes: VmAttributes; markers: { address: string; lineage: string } } }
  | { op: 'set'; args: { changes: SetChange[] } }
  | { op: 'add_disk' | 'remove_disk'; args: { disk: DiskAttributes } }
  // The disk grown (size) or moved (sr) in place: its VDI keeps its data and identity.
  | { op: 'change_disk'; args: { disk: DiskAttributes; from: DiskAttributes } }
  | { op: 'add_network' | 'remove_network'; args: { network: NetworkAttributes } }
  | { op: 'destroy'; args: { disks: DiskAttributes[] } } // disks xenform created, destroyed with the VM
  | { op: 'migrate'; args: { member: string } } // to the pool member (name-label), which becomes its affinity
  // The shutdown policy of clean ops; a start's one-shot boot order and the order restored after
  // it (planner/plan/boot-once.ts).
  | { op: LifecycleOp; args: { shutdown?: ShutdownPolicy; boot_once?: { order: string; restore: string } } };

export type Step = StepBody & {
  id: string; // "s1", "s2", ... unique in a plan
  address: string; // "vm.web[0]"
  host: string; // host block name
  from?: PowerState;
  to?: PowerState;
  depends_on: string[]; // step ids
  sensitive_paths?: string[]; // the VM's attribute paths that derive from sensitive variables
  args_unknown?: string[]; // published plan JSON: the args known only after apply (null there)
  deposed?: string; // the uuid of the deposed VM this step acts on (create_before_destroy): never the address's live VM
};

// A lifecycle op's step body, with the shutdown policy when the op is a clean one.
export function lifecycleBody(o: LifecycleOp, policy?: ShutdownPolicy): StepBody {
  return OPS[o].clean && policy ? { op: o, args: { shutdown: policy } } : { op: o, args: {} };
}
