// A VM whose `host` names another host block. Between two xl hosts of one migration group
// (`migration_group`) it is moved, not created again: a live domain with `xl migrate DOMAIN HOST`
// run on the source dom0 (the guest keeps running; xl pauses it only for the last copy
// round), a halted VM by moving its guest file. Anywhere else the move stays a replacement,
// and the change's condition says why.
import type { HostConfig } from '../config/types.js';
import { change } from '../diff/compare.js';
import type { PowerState } from '../model/vm.js';
import type { AttributeChange } from './types.js';
import type { StepDraft } from './vm-steps.js';

export interface HostMove {
  change: AttributeChange;
  migrate: StepDraft | null; // run on the source host, before the VM's other steps (on the target)
}

// Why the VM cannot be migrated from `from` to `to` in state `power`; null when it can.
function refusal(from: HostConfig | undefined, to: HostConfig | undefined, power: PowerState): string | null {
  if (!from || !to) return 'the host the VM is on is no longer in the configuration, so nothing migrates the VM off it';
  const group = from.migration_group;
  if (from.toolstack !== 'xl' || to.toolstack !== 'xl') {
    return `hosts "${from.name}" and "${to.name}" are not both xl hosts: only xl hosts of one migration_group exchange VMs (a XAPI pool moves VMs between its members with affinity)`;
  }
  if (group === undefined || group !== to.migration_group) {
    const named = (h: HostConfig) => (h.migration_group ? `"${h.name}" is in migration_group "${h.migration_group}"` : `"${h.name}" is in no migration_group`);
    return `hosts "${from.name}" and "${to.name}" are not in one migration group (${named(from)}, ${named(to)})`;
  }
  if (power === 'suspended' || power === 'crashed') {
    return `the VM is ${power}: xl migrates a live domain and a halted VM's guest file, not a ${power === 'suspended' ? "save file left on the old host" : 'crashed domain'}`;
  }
  return null;
}

export function hostMove(hosts: readonly HostConfig[], from: string, to: string, power: PowerState): HostMove {
  const source = hosts.find((h) => h.name === from);
  const target = hosts.find((h) => h.name === to);
  const refused = refusal(source, target, power);
  if (refused) return { change: { ...change('host', from, to), condition: refused }, migrate: null };
  const live = power === 'running' || power === 'paused';
  const reason = live
    ? `hosts "${from}" and "${to}" share migration_group "${source!.migration_group}": the ${power} domain is moved with xl migrate, no downtime (xl pauses it only for the last memory copy)`
    : `hosts "${from}" and "${to}" share migration_group "${source!.migration_group}": the halted VM's guest file is moved to "${to}"`;
  const condition = live
    ? `"${to}" must be reachable from "${from}" as ${to} by ssh, and the disks must be on storage both hosts see`
    : 'the disks must be on storage both hosts see';
  return {
    change: { ...change('host', from, to, { effect: 'live', reason, settableIn: [] }), condition },
    migrate: { op: 'migrate', args: { member: to }, from: power, to: power },
  };
}
