import { createHash } from 'node:crypto';
import { BOOT_FIELDS } from '../model/attributes.js';
import type { ObservedVm } from '../model/vm.js';

// The observed facts a VM's steps depend on; apply compares it before the VM's first step.
// Values are listed in a fixed order (sets sorted), so equal VMs hash equally.
export function fingerprint(vm: ObservedVm): string {
  const a = vm.attributes;
  const m = a.memory;
  const b = a.boot;
  const facts = [
    vm.uuid, a.power_state, vm.dom_id, a.name, a.description, a.template,
    m.static_min, m.static_max, m.dynamic_min, m.dynamic_max, a.vcpus, a.vcpus_max,
    b.mode, ...BOOT_FIELDS.pv.map((k) => b[k]), ...BOOT_FIELDS.hvm.filter((k) => k !== 'secure_boot').map((k) => b[k]),
    a.disks.map((d) => [d.name, d.size, d.sr, d.bootable, d.device ?? null]),
    a.networks.map((n) => [n.name, n.network, n.mac ?? null]),
    [...a.tags].sort(),
    Object.keys(a.other_config).sort().map((k) => [k, a.other_config[k]]),
    // firmware facts only when on, so a VM without them keeps the fingerprint it always had
    ...(b.secure_boot ? ['secure_boot'] : []),
    ...(a.vtpm ? ['vtpm'] : []),
    // Where in a pool it runs: a VM moved since the plan makes the plan stale.
    ...(vm.resident_on !== undefined || vm.affinity !== undefined ? [[vm.resident_on ?? null, vm.affinity ?? null]] : []),
  ];
  return 'sha256:' + createHash('sha256').update(JSON.stringify(facts)).digest('hex');
}
