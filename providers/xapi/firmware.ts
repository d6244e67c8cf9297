// The VM's firmware on XAPI: HVM-boot-params:firmware, platform:secureboot, its NVRAM and its
// vTPM, read from the VM record the inventory already lists (no round trip of their own).
import type { BootAttributes } from '../../planner/model/vm.js';
import { parseMinimal, parseSet } from './records.js';

type Xe = (args: string[]) => Promise<string>;

// vm_platform.ml is_true: "true"/"1" on, "false"/"0" off, anything else the default, false;
// xapi_vm.ml get_secureboot_readiness reads it so, leaving "auto" (a template's value, which
// VM.start resolves from the pool's certificates) off.
export function secureBootOf(platform: Record<string, string>): boolean {
  const v = (platform.secureboot ?? '').toLowerCase();
  return v === 'true' || v === '1';
}

// records.ml vm_record "vtpms": the uuids of the VM's VTPMs, a set (at most one: xapi_vtpm.ml
// assert_no_vtpm_associated).
export function vtpmsOf(value: string | undefined): string[] {
  return parseSet(value);
}

// The platform key xenform writes for an HVM boot: always explicit, so that a template's
// "auto" is never left for VM.start to resolve differently from what the plan said.
export function secureBootParam(b: BootAttributes): string {
  return `platform:secureboot=${b.secure_boot === true ? 'true' : 'false'}`;
}

// A switch of firmware clears the UEFI variables: `vm-param-clear param-name=NVRAM` removes
// each key (cli_operations.ml param_clear: get_map + remove_from_map), each a VM.remove_from_NVRAM
// allowed only while the VM is halted (message_forwarding.ml `changing_NVRAM`).
export async function setFirmware(xe: Xe, vm: string, firmware: string): Promise<void> {
  await xe(['vm-param-set', `uuid=${vm}`, `HVM-boot-params:firmware=${firmware}`]);
  await xe(['vm-param-clear', `uuid=${vm}`, 'param-name=NVRAM']);
}

// vtpm-create prints the new VTPM's uuid (cli_operations.ml VTPM.create); vtpm-destroy needs
// --force ("This operation is dangerous and may cause data loss", fail_without_force).
export async function setVtpm(xe: Xe, vm: string, on: boolean): Promise<void> {
  const have = parseMinimal(await xe(['vtpm-list', `vm-uuid=${vm}`, 'params=uuid', '--minimal']));
  if (on && have.length === 0) await xe(['vtpm-create', `vm-uuid=${vm}`]);
  if (!on) for (const uuid of have) await xe(['vtpm-destroy', `uuid=${uuid}`, '--force']);
}
