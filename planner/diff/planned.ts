// What a host will really make of a VM's configured attributes, as far as its inventory tells:
// disk sizes rounded up to their SR's allocation unit, and the template's boot when the
// configuration names no boot mode. Plans show and compare these planned values.
import type { DiskAttributes, HostInventory, ObservedVm } from '../model/vm.js';
import type { VmConfig } from '../config/types.js';
import type { AllocationUnits } from './compare.js';

// The allocation unit of an SR named on the host, when the host reports one unit for that name.
export function allocationUnits(inv: HostInventory | undefined): AllocationUnits {
  return (sr) => {
    const units = new Set((inv?.srs ?? []).filter((s) => s.name === sr).map((s) => s.allocation_unit));
    const [unit] = units;
    return units.size === 1 ? unit : undefined;
  };
}

// The size a new disk gets: the storage backend rounds it up to a whole number of units,
// one unit at least (SM: `validate_and_round_vhd_size`, see providers/xapi/inventory.ts).
export function plannedSize(size: number, unit: number | undefined): number {
  if (unit === undefined || unit <= 0) return size;
  return Math.max(unit, Math.ceil(size / unit) * unit);
}

export interface RoundedDisk {
  name: string;
  requested: number;
  planned: number;
  unit: number;
  sr: string;
}

// The disks that the host will make larger than configured.
export function roundedDisks(vm: VmConfig, inv: HostInventory | undefined): RoundedDisk[] {
  const units = allocationUnits(inv);
  return vm.attributes.disks.flatMap((d) => {
    const unit = units(d.sr);
    const planned = plannedSize(d.size, unit);
    return planned === d.size || unit === undefined ? [] : [{ name: d.name, requested: d.size, planned, unit, sr: d.sr }];
  });
}

// The template's boot, when the VM follows it and the host tells it; else the boot the VM
// already has (an unrefreshed host, a template deleted since); else the configured default.
function plannedBoot(vm: VmConfig, inv: HostInventory | undefined, observed: ObservedVm | null): VmConfig['attributes']['boot'] {
  if (!vm.boot_from_template) return vm.attributes.boot;
  const template = inv?.templates.filter((t) => t.name === vm.attributes.template || t.uuid === vm.attributes.template) ?? [];
  if (template.length === 1 && template[0].boot) return template[0].boot;
  return observed?.attributes.boot ?? vm.attributes.boot;
}

export function plannedAttributes(vm: VmConfig, inv: HostInventory | undefined, observed: ObservedVm | null): VmConfig['attributes'] {
  const units = allocationUnits(inv);
  const disks: DiskAttributes[] = vm.attributes.disks.map((d) => ({ ...d, size: plannedSize(d.size, units(d.sr)) }));
  return { ...vm.attributes, boot: plannedBoot(vm, inv, observed), disks };
}
