// `migration_group = "NAME"` on host blocks with toolstack = "xl": the hosts that share it are
// dom0s that can reach each other for `xl migrate` (shared storage for the disks, ssh between
// them by host block name), so a VM whose `host` moves between two of them is migrated instead
// of created again. XAPI hosts migrate within their pool instead (`affinity`).
import type { Attribute } from '../../lang/syntax/ast.js';
import type { Decoder } from './decode.js';
import type { HostConfig } from './types.js';

const GROUP_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

export function decodeMigrationGroup(host: HostConfig, attr: Attribute | undefined, d: Decoder): void {
  if (!attr) return;
  const group = d.knownText(attr, 'migration_group');
  if (group === undefined) return;
  if (host.toolstack !== 'xl') {
    d.error('Unsupported argument', '"migration_group" applies only to hosts with toolstack = "xl"; VMs on a XAPI pool move between its members with affinity.', attr.nameRange);
  } else if (!GROUP_NAME.test(group)) {
    d.error('Invalid value', `"migration_group" must be a name of letters, digits, "_" and "-", starting with a letter; got "${group}".`, attr.expr.range);
  } else host.migration_group = group;
}
