// `boot { secure_boot }`, `vtpm` and `lifecycle { allow_vtpm_destroy }`: what a vm block may ask
// of the guest's firmware, checked at validate (file:line:column) before any host is read.
import type { Attribute } from '../../lang/syntax/ast.js';
import type { BootAttributes, Toolstack } from '../model/vm.js';
import type { Decoder } from './decode.js';

// XAPI reads platform:secureboot only for a UEFI guest: a BIOS one is `not_supported`
// (xapi_vm.ml get_secureboot_readiness, v26.17.0), its varstore is never started.
export function checkSecureBoot(boot: BootAttributes, attr: Attribute | undefined, d: Decoder, toolstack: Toolstack | undefined): void {
  if (!attr || boot.secure_boot !== true) return;
  if (toolstack === 'xl') {
    d.error('Unsupported argument', '"secure_boot" is not supported on an xl host: xl has no UEFI variable store to hold the Secure Boot keys (XAPI hosts keep them in the VM\'s NVRAM). Remove it, or run the VM on an XAPI host.', attr.nameRange);
  } else if (boot.firmware !== 'uefi') {
    d.error('Invalid boot settings', '"secure_boot" requires firmware = "uefi": Secure Boot is a UEFI feature, and this boot block uses BIOS firmware. Add firmware = "uefi" to the boot block.', attr.nameRange);
  }
}

// A vTPM is a XAPI object (VTPM, xapi_vtpm.ml); xl has no vTPM of its own.
export function decodeVtpm(attr: Attribute | undefined, d: Decoder, toolstack: Toolstack | undefined): boolean | undefined {
  const v = d.bool(attr, 'vtpm');
  if (v === true && toolstack === 'xl') {
    d.error('Unsupported argument', '"vtpm" is not supported on an xl host: xenform creates vTPMs through XAPI (vtpm-create), and xl has no vTPM device of its own. Remove it, or run the VM on an XAPI host.', attr!.nameRange);
    return undefined;
  }
  return v;
}
