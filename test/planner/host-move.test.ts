// A VM whose host block changes: migrated between xl hosts of one migration_group (a live
// domain with xl migrate, a halted VM's guest file moved), else replaced with the reason.
import t from 'tap';
import type { PowerState } from '../../planner/model/vm.js';
import { hostMove } from '../../planner/plan/host-move.js';
import { host } from './builders.js';

const inGroup = (name: string, group?: string, toolstack: 'xl' | 'xapi' = 'xl') => ({ ...host(name, toolstack), ...(group ? { migration_group: group } : {}) });

const CASES: { name: string; hosts: ReturnType<typeof inGroup>[]; power: PowerState; migrates: boolean; effect: string; text: RegExp }[] = [
  { name: 'a running VM between two xl hosts of one group is migrated live', hosts: [inGroup('a', 'rack'), inGroup('b', 'rack')], power: 'running', migrates: true, effect: 'live', text: /the running domain is moved with xl migrate, no downtime/ },
  { name: 'a paused VM is migrated as it is', hosts: [inGroup('a', 'rack'), inGroup('b', 'rack')], power: 'paused', migrates: true, effect: 'live', text: /the paused domain is moved with xl migrate/ },
  { name: "a halted VM has its guest file moved", hosts: [inGroup('a', 'rack'), inGroup('b', 'rack')], power: 'halted', migrates: true, effect: 'live', text: /the halted VM's guest file is moved to "b"/ },
  { name: 'a suspended VM is replaced: its save file stays behind', hosts: [inGroup('a', 'rack'), inGroup('b', 'rack')], power: 'suspended', migrates: false, effect: 'forces_replace', text: /the VM is suspended: xl migrates a live domain and a halted VM's guest file/ },
  { name: 'hosts in two different groups replace the VM', hosts: [inGroup('a', 'rack'), inGroup('b', 'other')], power: 'running', migrates: false, effect: 'forces_replace', text: /hosts "a" and "b" are not in one migration group \("a" is in migration_group "rack", "b" is in migration_group "other"\)/ },
  { name: 'hosts in no group replace the VM', hosts: [inGroup('a'), inGroup('b')], power: 'running', migrates: false, effect: 'forces_replace', text: /"a" is in no migration_group, "b" is in no migration_group/ },
  { name: 'a XAPI host on either side replaces the VM', hosts: [inGroup('a', undefined, 'xapi'), inGroup('b', 'rack')], power: 'running', migrates: false, effect: 'forces_replace', text: /are not both xl hosts/ },
  { name: 'a source host no longer configured replaces the VM', hosts: [inGroup('b', 'rack')], power: 'running', migrates: false, effect: 'forces_replace', text: /no longer in the configuration/ },
];

for (const c of CASES) {
  t.test(c.name, async (t) => {
    const move = hostMove(c.hosts, 'a', 'b', c.power);
    t.equal(move.change.effect, c.effect);
    t.match(`${move.change.reason} ${move.change.condition}`, c.text);
    t.match(move.change, { path: 'host', before: 'a', after: 'b' });
    if (c.migrates) t.same(move.migrate, { op: 'migrate', args: { member: 'b' }, from: c.power, to: c.power }, 'one migrate step, power state kept');
    else t.equal(move.migrate, null, 'no migrate step');
  });
}
