// A plan is data: the renderers (text, JSON, Markdown, DOT) show it and never compute it.
// This is the plan JSON of DESIGN.md; a saved plan adds what apply needs to run it.
import type { Disruption, Effect, VmAttributes } from '../model/vm.js';
import type { Step } from '../model/ops.js';

export const PLAN_FORMAT_VERSION = '1';

// forget: removed from the state, the VM left alone (an imported VM whose block is gone).
export type Action = 'create' | 'update' | 'replace' | 'delete' | 'forget' | 'noop' | 'read';

export interface AttributeChange {
  path: string; // "boot.args", "memory.static_max", "power_state"
  before: unknown;
  after: unknown;
  effect: Effect;
  reason: string; // "PV args take effect at the next boot"
  // What the chosen route depended on, as refresh observed it: "the SR resizes attached disks",
  // "the guest has no PV drivers, so the disk cannot be hot-plugged". Absent for fixed rules.
  condition?: string;
  // A reconfiguration that lasts only so long: "once, at the next start" (boot.once).
  lifetime?: string;
  sensitive: boolean; // derives from a sensitive variable: shown and published masked
  after_unknown?: true; // published plan JSON: `after` is known only after apply (null here)
}

export interface ResourceChange {
  address: string;
  host: string;
  uuid: string | null;
  action: Action;
  disruption: Disruption;
  reasons: string[];
  before: VmAttributes | null;
  after: VmAttributes | null;
  // Published plan JSON only (Terraform's after_unknown): `after` with true where a value is
  // known only after apply; `after` holds null there. Absent when all of `after` is known.
  after_unknown?: Record<string, unknown>;
  changes: AttributeChange[];
  fingerprint: string | null; // of the observed VM the steps were planned against
  // Attribute paths ("other_config", "boot.args", "disks") whose values derive from
  // sensitive variables; absent when there are none.
  sensitive_paths?: string[];
  // After these steps the VM still has boot changes it has not booted with
  // (apply_boot_changes = "next_boot"): apply records pending_reboot in the state.
  pending_reboot?: boolean;
  // A moved block: the address the state recorded the VM under (Terraform's previous_address).
  previous_address?: string;
  // An import block: the VM brought under management by this plan.
  importing?: { id: string };
  // A replace with lifecycle.create_before_destroy: ["create", "delete"] (Terraform's order of
  // change.actions); absent for every other change.
  actions?: ['create', 'delete'];
  // A deposed object's destroy (planner/plan/deposed.ts): the uuid of the old VM a
  // create_before_destroy replace left behind; `address` is that of its live successor.
  deposed?: string;
}

export type DriftKind = 'power_state' | 'attribute' | 'deleted' | 'pending_reboot' | 'adopted';

export interface Drift {
  address: string;
  host: string;
  uuid: string | null;
  kind: DriftKind;
  path?: string;
  before?: unknown; // as recorded in the state
  after?: unknown; // as observed
  sensitive?: boolean; // before and after derive from a sensitive variable
  message: string;
}

// An output value the apply records in the state (Terraform's output_changes).
export interface OutputChange {
  name: string;
  action: 'create' | 'update' | 'delete';
  before: unknown; // as recorded; null when new
  after: unknown; // null when dropped; parts known only after apply are null
  after_unknown: boolean; // some of `after` is known only after apply
  sensitive: boolean; // shown and published masked
}

export interface PlanSummary {
  create: number;
  update: number;
  replace: number;
  delete: number;
  reboot: number;
  halt: number;
}

// A XAPI pool member's memory before and after the VMs the plan brings onto it (starts,
// resumes, migrations, in step order; memory freed by halts is not counted).
export interface MemberCapacity {
  host: string; // the host block
  member: string;
  enabled: boolean;
  pcpus: number;
  memory_free_before: number; // bytes
  memory_free_after: number;
  arrivals: string[]; // VM addresses planned onto it
}

export interface Plan {
  format_version: string;
  xenform_version: string;
  lineage: string | null; // of the state the plan was made against
  serial: number;
  variables: Record<string, unknown>; // sensitive ones masked
  resource_changes: ResourceChange[];
  drift: Drift[];
  steps: Step[];
  output_changes?: OutputChange[]; // absent in plans saved by older versions
  capacity?: MemberCapacity[]; // pools of more than one member that the plan brings VMs onto
  summary: PlanSummary;
  warnings: string[];
  options: { destroy: boolean; refresh_only: boolean; targets: string[]; replace: string[] };
}
