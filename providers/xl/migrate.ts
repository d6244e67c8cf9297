// A VM moved between two xl hosts of one migration group (planner/plan/host-move.ts): the
// guest file is written on the target first, then a live domain is sent with
// `xl migrate DOMAIN HOST` on the source dom0 (xl(1): it runs `ssh HOST xl migrate-receive`,
// so HOST is the target host block's name as the source dom0 resolves it), then the source's
// guest file is removed. A failed migration leaves the domain where it was (xl.c
// `migrate_domain` resumes it at the sender) and the target's new file is removed again.
import type { ObservedVm } from '../../planner/model/vm.js';
import type { StepResult } from '../provider.js';
import { ProviderError } from '../provider.js';

// What the migration needs of one side's provider.
export interface XlMigrationSide {
  readonly host: string;
  xl(args: string[]): Promise<string>;
  hasGuestFile(name: string): Promise<boolean>;
  writeGuest(vm: ObservedVm, diskPaths: string[]): Promise<void>;
  removeGuestFile(name: string): Promise<void>;
  readVm(uuid: string): Promise<ObservedVm | null>;
}

export async function migrateGuest(source: XlMigrationSide, target: XlMigrationSide | null, vm: ObservedVm, diskPaths: string[], address: string, to: string): Promise<StepResult> {
  if (!target) {
    throw new ProviderError(source.host, 'NO_PEER', { host: to },
      `migrate of ${address}: host "${to}" is not an xl host reached in this run, so its guest file cannot be written`);
  }
  const name = vm.attributes.name;
  if (await target.hasGuestFile(name)) {
    throw new ProviderError(target.host, 'NAME_TAKEN', { name },
      `migrate of ${address}: host "${to}" already has a guest file for "${name}"; nothing was moved`);
  }
  await target.writeGuest(vm, diskPaths);
  if (vm.dom_id >= 0) {
    try {
      await source.xl(['migrate', name, to]);
    } catch (e) {
      await target.removeGuestFile(name).catch(() => undefined);
      throw e;
    }
  }
  await source.removeGuestFile(name);
  const moved = await target.readVm(vm.uuid);
  if (!moved) throw new ProviderError(target.host, 'VM_NOT_FOUND', { uuid: vm.uuid }, `migrate of ${address}: host "${to}" does not show it after the move`);
  return { uuid: vm.uuid, observed: moved };
}
