// The evaluated configuration: what `loadConfig` hands to the planner.
import type { Diagnostic } from '../../lang/diagnostics.js';
import type { Range } from '../../lang/syntax/ast.js';
import type { SourceReader } from '../../lang/source.js';
import type { ConfigConditions } from './conditions.js';
import type {
  DesiredPowerState,
  LifecyclePolicy,
  ShutdownPolicy,
  Toolstack,
  VmAttributes,
} from '../model/vm.js';

export interface HostConfig {
  name: string; // the block label: `host "lab"` -> "lab"
  simulator: boolean;
  simulator_hosts?: string[]; // a simulated XAPI pool's member names, the first the master
  toolstack: Toolstack;
  address?: string; // hostname, IP, or a Host alias of ~/.ssh/config
  user?: string;
  port?: number;
  identity_file?: string;
  known_hosts?: string;
  host_key?: string; // pinned fingerprint, "SHA256:..."
  max_parallel: number; // default 4
  config_dir?: string; // xl: where guest configuration files go (default /etc/xen)
  suspend_dir?: string; // xl: where save files go (default /var/lib/xen/save)
  command_timeout_ms?: number; // `command_timeout`: how long one command on the host may take
  migration_group?: string; // xl: the hosts sharing it exchange VMs with `xl migrate` (migration-group.ts)
  range: Range;
}

export interface VmConfig {
  address: string; // "vm.web[0]", printed and parsed by planner/model/address.ts
  host: string; // host block name
  attributes: Omit<VmAttributes, 'power_state'> & { power_state: DesiredPowerState };
  shutdown: ShutdownPolicy;
  // The configuration names no boot mode: the VM boots as its template does (the plan takes
  // the template's boot from the host's inventory); attributes.boot is the fallback.
  boot_from_template?: true;
  boot_once?: 'c' | 'd' | 'n'; // boot { once }: the order of the next start only (planner/plan/boot-once.ts)
  restart_trigger: string | null; // the value, JSON-encoded; a change plans one reboot
  depends_on: string[]; // VM addresses, from depends_on and from references
  lifecycle: LifecyclePolicy;
  group?: string; // disruption budget group
  affinity?: string; // the pool member (name-label) the VM runs on and starts on
  spread?: string; // placement.spread: its anti-affinity group within the pool (planner/plan/spread.ts)
  range: Range; // the vm block
  attributeRanges: Record<string, Range>; // attribute path -> where it was set, for diagnostics
  // Attribute paths ("other_config", "boot.args", "disks") whose values derive from
  // sensitive variables: shown as (sensitive value). Absent when there are none.
  sensitive_paths?: string[];
}

export interface OutputConfig {
  name: string;
  value: unknown; // JSON-compatible; UNKNOWN where a value is known only after apply
  sensitive: boolean;
  range: Range;
}

// `moved { from = vm.a[0]  to = vm.a["x"] }`: addresses printed by planner/model/address.ts.
// Both name instances, both whole resources (every instance moves, keeping its key), or both
// modules.
export interface MovedConfig {
  from: string;
  to: string;
  range: Range; // the moved block
}

// `import { to = vm.x  id = "uuid" }`, one per for_each instance.
export interface ImportConfig {
  to: string; // a VM instance address
  id: string; // the VM's uuid on its host
  range: Range; // the import block
}

// `removed { from = vm.old  lifecycle { destroy = false } }`.
export interface RemovedConfig {
  from: string; // a resource (every instance) or a module
  destroy: boolean; // Terraform's default: true
  range: Range;
}

export interface Config {
  dir: string;
  hosts: HostConfig[];
  vms: VmConfig[];
  outputs: OutputConfig[];
  variables: Record<string, { value: unknown; sensitive: boolean }>;
  conditions?: ConfigConditions; // postconditions and check blocks, for after apply
  // Absent in configurations built without them (tests, older callers): none.
  moved?: MovedConfig[];
  imports?: ImportConfig[];
  removed?: RemovedConfig[];
}

export interface LoadOptions {
  dir: string;
  source: SourceReader; // how the configuration, variable and template files are read
  vars?: Record<string, string>; // --var name=value, in command-line order
  varFiles?: string[]; // --var-file
  env?: Record<string, string | undefined>; // for XF_VAR_*; defaults to process.env
  // Values known from state, so that `vm.db.uuid` resolves once the VM exists.
  known?: Record<string, { uuid: string | null }>;
  // The running xenform's version, checked against `xenform { required_version }`; unchecked when absent.
  version?: string;
}

export interface LoadResult {
  config: Config | null; // null when there are errors
  diagnostics: Diagnostic[];
  files: Record<string, string>; // filename -> source, for rendering diagnostics
}

// Stands for a value that is only known after apply (e.g. the uuid of a VM to be created).
export const UNKNOWN = Object.freeze({ __unknown: true as const });
export type Unknown = typeof UNKNOWN;
export const isUnknown = (v: unknown): v is Unknown =>
  typeof v === 'object' && v !== null && (v as { __unknown?: boolean }).__unknown === true;

// Whether any part of a JSON-compatible value is known only after apply.
// Called on every attribute of every VM a plan shows: it walks without copying.
export function containsUnknown(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (isUnknown(v)) return true;
  if (Array.isArray(v)) {
    for (const x of v) if (containsUnknown(x)) return true;
    return false;
  }
  for (const k in v) if (Object.hasOwn(v, k) && containsUnknown((v as Record<string, unknown>)[k])) return true;
  return false;
}
