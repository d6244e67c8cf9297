// The `placement` block (planner/config/placement.ts): `spread` names the VM's anti-affinity
// group on a XAPI pool; elsewhere, or empty, it is refused at its place in the file.
import t from 'tap';
import { errors, load } from './support.js';

const host = (toolstack: string) => `host "x" {\n  simulator = true\n  toolstack = "${toolstack}"\n}\n`;
const vm = (toolstack: string, spread: string) => `${host(toolstack)}vm "a" {\n  host   = host.x\n  memory = "1GiB"\n  template = "Debian Bookworm 12"\n  placement {\n    spread = ${spread}\n  }\n}\n`;

const cases: { name: string; file: string; errors: string[]; spread?: string }[] = [
  { name: 'a VM on a xapi pool joins the spread group it names', file: vm('xapi', '"web"'), errors: [], spread: 'web' },
  {
    name: 'a placement block on an xl host is refused at the block',
    file: vm('xl', '"web"').replace('  template = "Debian Bookworm 12"\n', ''),
    errors: ['main.xf.hcl:8:3: Unsupported block: A placement block applies only to VMs on hosts with toolstack = "xapi": it spreads VMs over the members of a pool.'],
  },
  {
    name: 'an empty spread name is refused at the value',
    file: vm('xapi', '""'),
    errors: ['main.xf.hcl:10:14: Invalid value: "placement.spread" must name a spread group, like "web"; got "".'],
  },
  {
    name: 'a spread that is not a string is refused at the value',
    file: vm('xapi', '["web"]'),
    errors: ['main.xf.hcl:10:14: Incorrect attribute value type: Inappropriate value for attribute "placement.spread": string required.'],
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const r = load({ 'main.xf.hcl': c.file });
    t.same(errors(r), c.errors);
    if (c.spread !== undefined) t.equal(r.config?.vms[0].spread, c.spread);
  });
}
