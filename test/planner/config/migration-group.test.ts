// migration_group on host blocks: which hosts may exchange VMs with xl migrate, and each
// mistake at its file:line:column.
import t from 'tap';
import { errors, load } from './support.js';

const xlHost = (name: string, extra: string) => `host "${name}" {\n  simulator = true\n  toolstack = "xl"\n${extra}}\n`;

t.test('xl hosts that name one migration_group carry it in the configuration', async (t) => {
  const r = load({ 'main.xf.hcl': xlHost('a', '  migration_group = "rack-1"\n') + xlHost('b', '  migration_group = "rack-1"\n') + xlHost('c', '') });
  t.same(errors(r), []);
  t.same(r.config!.hosts.map((h) => [h.name, h.migration_group]), [['a', 'rack-1'], ['b', 'rack-1'], ['c', undefined]]);
});

const CASES: { name: string; host: string; error: string }[] = [
  {
    name: 'a XAPI host in a migration group is refused at the argument',
    host: 'host "p" {\n  simulator = true\n  toolstack = "xapi"\n  migration_group = "rack"\n}\n',
    error: 'main.xf.hcl:4:3: Unsupported argument: "migration_group" applies only to hosts with toolstack = "xl"; VMs on a XAPI pool move between its members with affinity.',
  },
  {
    name: 'a group name with a space is refused at the value',
    host: xlHost('a', '  migration_group = "rack 1"\n'),
    error: 'main.xf.hcl:4:21: Invalid value: "migration_group" must be a name of letters, digits, "_" and "-", starting with a letter; got "rack 1".',
  },
  {
    name: 'a group that is not a string is refused with its type',
    host: xlHost('a', '  migration_group = ["rack"]\n'),
    error: 'main.xf.hcl:4:21: Incorrect attribute value type: Inappropriate value for attribute "migration_group": string required.',
  },
];

for (const c of CASES) {
  t.test(c.name, async (t) => {
    t.same(errors(load({ 'main.xf.hcl': c.host })), [c.error]);
  });
}
