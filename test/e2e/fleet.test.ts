// The fleet example: an XCP-ng host and a plain Xen host, count, for_each and dependencies.
import t from 'tap';
import type { Plan } from '../../planner/plan/types.js';
import { exampleCopy, xenform } from './cli.js';

t.test('the fleet example converges: apply, then a second plan has nothing to do', async (t) => {
  const dir = exampleCopy('fleet', t.teardown);
  const first = JSON.parse(xenform(dir, ['plan', '--json']).stdout) as Plan;
  t.equal(first.summary.create, 6, 'one db, three web and two site VMs');
  const db = first.steps.find((s) => s.address === 'vm.db' && s.op === 'start')!;
  for (const web of first.steps.filter((s) => s.address.startsWith('vm.web[') && s.op === 'create')) {
    t.ok(web.depends_on.length > 0, `${web.address} waits for something`);
  }
  t.ok(db, 'the database is started');
  const apply = xenform(dir, ['apply', '--auto-approve']);
  t.equal(apply.code, 0, apply.stderr);
  const again = xenform(dir, ['plan', '--detailed-exitcode']);
  t.equal(again.code, 0, `no changes after apply, a network named by its bridge included: ${again.stdout}`);
  const destroy = xenform(dir, ['destroy', '--auto-approve']);
  t.equal(destroy.code, 1, 'destroy is refused: vm.db has prevent_destroy');
  t.match(destroy.stderr, /vm\.db/);
});
