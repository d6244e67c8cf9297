// boot.once and disk.keep_on_destroy as the configuration reads them: what each accepts and
// where each is refused, with the file position of the argument.
import t from 'tap';
import { errors, load } from './support.js';

const host = (toolstack: string) => `host "lab" {\n  simulator = true\n  toolstack = "${toolstack}"\n}\n`;
const vm = (boot: string, disk = '') =>
  `vm "web" {\n  host     = host.lab\n  name     = "web"\n  template = "Other install media"\n  memory   = "1GiB"\n  boot {\n${boot}  }\n${disk}}\n`;

const CASES: { name: string; toolstack: string; boot: string; disk?: string; error: RegExp | null; once?: string; keep?: boolean }[] = [
  { name: 'once = "d" on an HVM VM on xapi is the one-shot order', toolstack: 'xapi', boot: '    mode = "hvm"\n    once = "d"\n', error: null, once: 'd' },
  { name: 'once alone boots as the template does and is accepted', toolstack: 'xapi', boot: '    once = "n"\n', error: null, once: 'n' },
  { name: 'once on a PV boot is refused at the argument', toolstack: 'xapi', boot: '    mode = "pv"\n    once = "d"\n', error: /main\.xf\.hcl:12:5: Unsupported argument: "once" applies only to HVM boot/ },
  { name: 'once on an xl host is refused, saying xl has no one-shot boot order', toolstack: 'xl', boot: '    mode = "hvm"\n    once = "d"\n', error: /main\.xf\.hcl:12:5: Unsupported argument: "once" applies only to hosts with toolstack = "xapi": xl has no one-shot boot order/ },
  { name: 'once must be one of d, n and c', toolstack: 'xapi', boot: '    mode = "hvm"\n    once = "x"\n', error: /boot\.once/ },
  { name: 'keep_on_destroy = true on xapi marks the disk', toolstack: 'xapi', boot: '    mode = "hvm"\n', disk: '  disk "data" {\n    size = "1GiB"\n    keep_on_destroy = true\n  }\n', error: null, keep: true },
  { name: 'keep_on_destroy = false is the default', toolstack: 'xapi', boot: '    mode = "hvm"\n', disk: '  disk "data" {\n    size = "1GiB"\n    keep_on_destroy = false\n  }\n', error: null, keep: false },
  { name: 'keep_on_destroy on an xl host is refused', toolstack: 'xl', boot: '    mode = "hvm"\n', disk: '  disk "data" {\n    size = "1GiB"\n    keep_on_destroy = true\n  }\n', error: /Unsupported argument: "keep_on_destroy" applies only to hosts with toolstack = "xapi"/ },
];

for (const c of CASES) {
  t.test(c.name, async (t) => {
    const r = load({ 'main.xf.hcl': host(c.toolstack) + vm(c.boot, c.disk) });
    if (c.error) {
      t.match(errors(r).join('\n'), c.error);
      return;
    }
    t.same(errors(r), []);
    const web = r.config!.vms[0];
    if (c.once) t.equal(web.boot_once, c.once);
    else t.equal(web.boot_once, undefined);
    if (c.keep !== undefined) t.equal(web.attributes.disks[0].keep_on_destroy === true, c.keep);
  });
}
