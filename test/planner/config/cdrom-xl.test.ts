import t from 'tap';
import { errors, load } from './support.js';

const XL = 'host "x" {\n  simulator = true\n  toolstack = "xl"\n}\n';
const vm = (boot: string, iso: string) => `${XL}vm "a" {\n  host   = host.x\n  memory = "1GiB"\n${boot}  cdrom {\n    iso = ${iso}\n  }\n}\n`;
const HVM = '  boot {\n    mode = "hvm"\n  }\n';

const cases: { name: string; file: string; errors: string[]; cdrom?: unknown }[] = [
  { name: 'an HVM guest on an xl host takes an ISO file path in dom0', file: vm(HVM, '"/var/lib/xen/iso/debian-12.iso"'), errors: [], cdrom: { iso: '/var/lib/xen/iso/debian-12.iso' } },
  { name: 'an HVM guest on an xl host takes an empty drive', file: vm(HVM, 'null'), errors: [], cdrom: { iso: null } },
  {
    name: 'an ISO name that is not an absolute path is refused on an xl host, at the value',
    file: vm(HVM, '"debian-12.iso"'),
    errors: ['main.xf.hcl:12:11: Invalid value: "cdrom.iso" on an xl host is the ISO file\'s absolute path in dom0, like "/var/lib/xen/iso/debian-12.iso"; got "debian-12.iso".'],
  },
  {
    name: 'a PV guest on an xl host has no CD drive to change, and the block says so',
    file: vm('', '"/var/lib/xen/iso/debian-12.iso"'),
    errors: ['main.xf.hcl:8:3: Unsupported block: A cdrom block on an xl host needs boot.mode = "hvm": xl has CD drives (xl cd-insert, cd-eject) for HVM guests only.'],
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const r = load({ 'main.xf.hcl': c.file });
    t.same(errors(r), c.errors);
    if (c.cdrom !== undefined) t.same(r.config?.vms[0].attributes.cdrom, c.cdrom);
  });
}
