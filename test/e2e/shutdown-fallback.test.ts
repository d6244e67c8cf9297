// README: "A clean shutdown never turns into a hard one unless the VM's shutdown { fallback =
// "hard" } allows it." The default is "fail" for a VM with no shutdown block, and for a VM whose
// block is gone and whose state recorded no policy.
import t from 'tap';
import { editConfig, exampleCopy, xenform } from './cli.js';
import { makePlan } from '../../planner/plan/make-plan.js';
import { config, inventory, observed, OPTIONS, resource, state } from '../planner/builders.js';

t.test('a clean shutdown never turns into a hard one without fallback = "hard": a VM with no shutdown block is left running when its guest ignores the request', async (t) => {
  const dir = exampleCopy('quickstart', t.teardown);
  t.equal(xenform(dir, ['apply', '--auto-approve']).code, 0);
  editConfig(dir, 'power_state = "running"', 'power_state = "halted"');
  const faults = { XENSIM_FAULTS: JSON.stringify({ ignore_clean_shutdown: ['web'], clean_shutdown_timeout_ms: 1000 }) };
  const apply = xenform(dir, ['apply', '--auto-approve'], faults);
  t.equal(apply.code, 1, 'apply fails instead of forcing the VM off');
  t.notMatch(apply.stdout + apply.stderr, /forcing off|hard_shutdown/, 'no hard shutdown is tried');
  const plan = JSON.parse(xenform(dir, ['plan', '--json']).stdout) as { resource_changes: { address: string; before: { power_state: string } }[] };
  t.equal(plan.resource_changes.find((c) => c.address === 'vm.web')!.before.power_state, 'running', 'the guest still runs');
});

t.test('a clean shutdown never turns into a hard one without fallback = "hard": a removed VM whose state recorded no policy gets the default, which fails', async (t) => {
  const running = { power_state: 'running' as const };
  const old = resource('vm.web', 'u-1', running); // a state written before policies were recorded
  const { plan } = makePlan({ config: config([]), state: state([old]), inventories: inventory([observed('u-1', 'vm.web', running)]), options: OPTIONS });
  const clean = plan!.steps.find((s) => s.op === 'clean_shutdown');
  t.same(clean?.args, { shutdown: { mode: 'clean', timeout_ms: 120_000, fallback: 'fail' } });
});
