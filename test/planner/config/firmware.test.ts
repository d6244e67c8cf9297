// boot.secure_boot, vtpm and lifecycle.allow_vtpm_destroy as the loader reads them, and each
// mistake at file:line:column.
import t from 'tap';
import { errors, load, HOST } from './support.js';

const XL = 'host "lab" {\n  simulator = true\n  toolstack = "xl"\n}\n';
const vm = (host: string, body: string) => ({ 'main.xf.hcl': `${host}vm "web" {\n  host = host.lab\n  memory = "1GiB"\n${body}}\n` });

t.test('a UEFI VM with Secure Boot, a vTPM and allow_vtpm_destroy is read as written', async (t) => {
  const r = load(vm(HOST, '  template = "t"\n  vtpm = true\n  boot {\n    firmware    = "uefi"\n    secure_boot = true\n  }\n  lifecycle {\n    allow_vtpm_destroy = true\n  }\n'));
  t.same(errors(r), []);
  const v = r.config!.vms[0];
  t.equal(v.attributes.boot.mode, 'hvm', 'Secure Boot names an HVM boot');
  t.equal(v.attributes.boot.firmware, 'uefi');
  t.equal(v.attributes.boot.secure_boot, true);
  t.equal(v.attributes.vtpm, true);
  t.equal(v.lifecycle.allow_vtpm_destroy, true);
});

t.test('without vtpm or secure_boot nothing is asked of the firmware', async (t) => {
  const r = load(vm(HOST, '  template = "t"\n'));
  const v = r.config!.vms[0];
  t.equal(v.attributes.vtpm, undefined, 'the vTPM is left alone');
  t.equal(v.attributes.boot.secure_boot, undefined, 'Secure Boot off');
  t.equal(v.lifecycle.allow_vtpm_destroy, undefined);
});

const failures: [name: string, host: string, body: string, expected: string[]][] = [
  ['secure_boot with BIOS firmware is refused at the argument', HOST, '  template = "t"\n  boot {\n    secure_boot = true\n  }\n', [
    'main.xf.hcl:10:5: Invalid boot settings: "secure_boot" requires firmware = "uefi": Secure Boot is a UEFI feature, and this boot block uses BIOS firmware. Add firmware = "uefi" to the boot block.',
  ]],
  ['secure_boot with firmware = "bios" said outright is refused', HOST, '  template = "t"\n  boot {\n    firmware    = "bios"\n    secure_boot = true\n  }\n', [
    'main.xf.hcl:11:5: Invalid boot settings: "secure_boot" requires firmware = "uefi": Secure Boot is a UEFI feature, and this boot block uses BIOS firmware. Add firmware = "uefi" to the boot block.',
  ]],
  ['secure_boot on an xl host is refused with the reason', XL, '  boot {\n    firmware    = "uefi"\n    secure_boot = true\n  }\n', [
    'main.xf.hcl:10:5: Unsupported argument: "secure_boot" is not supported on an xl host: xl has no UEFI variable store to hold the Secure Boot keys (XAPI hosts keep them in the VM\'s NVRAM). Remove it, or run the VM on an XAPI host.',
  ]],
  ['vtpm on an xl host is refused with the reason', XL, '  vtpm = true\n', [
    'main.xf.hcl:8:3: Unsupported argument: "vtpm" is not supported on an xl host: xenform creates vTPMs through XAPI (vtpm-create), and xl has no vTPM device of its own. Remove it, or run the VM on an XAPI host.',
  ]],
  ['vtpm must be a bool', HOST, '  template = "t"\n  vtpm = "yes"\n', [
    'main.xf.hcl:9:10: Incorrect attribute value type: Inappropriate value for attribute "vtpm": cannot convert "yes" to bool; only the strings "true" or "false" are allowed.',
  ]],
];

for (const [name, host, body, expected] of failures) {
  t.test(name, async (t) => {
    t.same(errors(load(vm(host, body))), expected);
  });
}

t.test('secure_boot = false needs no UEFI, and vtpm = false is accepted on xl', async (t) => {
  t.same(errors(load(vm(HOST, '  template = "t"\n  boot {\n    mode        = "hvm"\n    secure_boot = false\n  }\n'))), []);
  t.same(errors(load(vm(XL, '  vtpm = false\n'))), []);
});
