// Restore after a failed step, on both toolstacks: from every power state a failed step can
// leave a VM in, back to every power state the VM could have had before apply, by the path the
// toolstack's lifecycle graph allows, with the VM's own shutdown policy.
import t from 'tap';
import { runApply, type ApplyRequest } from '../../../engine/apply.js';
import type { PowerState, ShutdownPolicy, Toolstack } from '../../../planner/model/vm.js';
import { ProviderError } from '../../../providers/provider.js';
import { attrs, change, config, FakeHost, hostConfig, plan, step, vmConfig, type FakeOptions } from '../fake-host.js';

type Case = [Toolstack, PowerState, PowerState, string[] | null]; // toolstack, left in, before apply, ops run

// Reviewed against planner/lifecycle/graphs.ts: clean operations before hard ones; a crashed
// xl domain is cleared with hard_shutdown (xl destroy), never hard_reboot, which the xl graph
// does not allow from crashed; xapi has no crashed state; nothing leads into crashed.
const CASES: Case[] = [
  ['xapi', 'running', 'halted', ['clean_shutdown']],
  ['xapi', 'paused', 'halted', ['unpause', 'clean_shutdown']],
  ['xapi', 'suspended', 'halted', ['resume', 'clean_shutdown']],
  ['xapi', 'halted', 'running', ['start']],
  ['xapi', 'paused', 'running', ['unpause']],
  ['xapi', 'suspended', 'running', ['resume']],
  ['xapi', 'halted', 'paused', ['start', 'pause']],
  ['xapi', 'running', 'paused', ['pause']],
  ['xapi', 'suspended', 'paused', ['resume', 'pause']],
  ['xapi', 'halted', 'suspended', ['start', 'suspend']],
  ['xapi', 'running', 'suspended', ['suspend']],
  ['xapi', 'paused', 'suspended', ['unpause', 'suspend']],
  ['xapi', 'crashed', 'running', null],
  ['xl', 'running', 'halted', ['clean_shutdown']],
  ['xl', 'paused', 'halted', ['unpause', 'clean_shutdown']],
  ['xl', 'suspended', 'halted', ['resume', 'clean_shutdown']],
  ['xl', 'crashed', 'halted', ['hard_shutdown']],
  ['xl', 'halted', 'running', ['start']],
  ['xl', 'paused', 'running', ['unpause']],
  ['xl', 'suspended', 'running', ['resume']],
  ['xl', 'crashed', 'running', ['hard_shutdown', 'start']],
  ['xl', 'halted', 'paused', ['start', 'pause']],
  ['xl', 'running', 'paused', ['pause']],
  ['xl', 'suspended', 'paused', ['resume', 'pause']],
  ['xl', 'crashed', 'paused', ['hard_shutdown', 'start', 'pause']],
  ['xl', 'halted', 'suspended', ['start', 'suspend']],
  ['xl', 'running', 'suspended', ['suspend']],
  ['xl', 'paused', 'suspended', ['unpause', 'suspend']],
  ['xl', 'crashed', 'suspended', ['hard_shutdown', 'start', 'suspend']],
  ['xl', 'halted', 'crashed', null],
  ['xl', 'running', 'crashed', null],
  ['xl', 'paused', 'crashed', null],
  ['xl', 'suspended', 'crashed', null],
];

const CLEAN: ShutdownPolicy = { mode: 'clean', timeout_ms: 60_000, fallback: 'hard' };

// A VM in `before`; its one planned step (a `set`) fails after leaving the VM in `leftIn`.
async function failAndRestore(dir: string, toolstack: Toolstack, before: PowerState, leftIn: PowerState, policy: ShutdownPolicy, opts: FakeOptions = {}) {
  const host = new FakeHost('lab', {
    ...opts,
    fail: (s, vm) => {
      if (s.op !== 'set' || !vm) return null;
      vm.attributes.power_state = leftIn;
      return new ProviderError('lab', 'INTERNAL_ERROR', {}, 'the set failed half way');
    },
  });
  const vm = host.add('vm.a', attrs('a', before));
  const req: ApplyRequest = {
    dir,
    parallelism: 10,
    savedPlan: false,
    config: config(dir, [{ ...hostConfig('lab'), toolstack }], [vmConfig('vm.a', 'lab', { shutdown: policy })]),
    openProvider: async () => host.provider(),
  };
  const p = plan([step('s1', 'vm.a', 'lab', 'set', [], { changes: [{ path: 'name', value: 'b' }] })], [change('vm.a', 'lab', vm)]);
  const result = await runApply(p, req, () => undefined);
  return { host, vm: host.vms.get(vm.uuid)!, result };
}

for (const [toolstack, leftIn, before, ops] of CASES) {
  const name = ops
    ? `${toolstack}: a VM left ${leftIn} by a failed step is brought back to ${before} by ${ops.join(', ')}`
    : `${toolstack}: a VM left ${leftIn} cannot be brought back to ${before}, and apply says so`;
  t.test(name, async (t) => {
    const { host, vm, result } = await failAndRestore(t.testdir(), toolstack, before, leftIn, CLEAN);
    t.equal(result.failed.length, 1, 'the step failed');
    t.same(host.log.map((l) => l.split(' ')[0]), ops ?? [], 'these operations ran');
    t.equal(result.restored?.length, 1, 'the restore is reported');
    if (ops) {
      t.same(result.restored![0], { address: 'vm.a', to: before, ok: true });
      t.equal(vm.attributes.power_state, before, `the VM is ${before} again`);
    } else {
      t.match(result.restored![0], { address: 'vm.a', to: before, ok: false, error: new RegExp(`no way from ${leftIn} to ${before}`) });
      t.equal(vm.attributes.power_state, leftIn, 'nothing was improvised');
    }
  });
}

t.test('a clean shutdown during restore that the guest ignores falls back to a hard one after the VM timeout', async (t) => {
  const policy: ShutdownPolicy = { mode: 'clean', timeout_ms: 50, fallback: 'hard' };
  const { host, vm, result } = await failAndRestore(t.testdir(), 'xl', 'halted', 'running', policy, { ignoresCleanShutdown: { names: ['a'] } });
  t.same(host.log.map((l) => l.split(' ')[0]), ['hard_shutdown'], 'the clean shutdown never completed; the fallback ran');
  t.same(result.restored, [{ address: 'vm.a', to: 'halted', ok: true }]);
  t.equal(vm.attributes.power_state, 'halted');
});

t.test('a clean shutdown during restore that the guest ignores, with fallback = "fail", is reported', async (t) => {
  const policy: ShutdownPolicy = { mode: 'clean', timeout_ms: 50, fallback: 'fail' };
  const { host, vm, result } = await failAndRestore(t.testdir(), 'xapi', 'halted', 'running', policy, { ignoresCleanShutdown: { names: ['a'] } });
  t.same(host.log, [], 'no forced shutdown');
  t.match(result.restored, [{ address: 'vm.a', to: 'halted', ok: false, error: /no clean shutdown within 50ms.*fallback = "fail"/ }]);
  t.equal(vm.attributes.power_state, 'running', 'the guest keeps running');
});

t.test('a VM whose policy is mode = "hard" is restored with a hard shutdown', async (t) => {
  const policy: ShutdownPolicy = { mode: 'hard', timeout_ms: 60_000, fallback: 'hard' };
  const { host, result } = await failAndRestore(t.testdir(), 'xapi', 'halted', 'running', policy);
  t.same(host.log.map((l) => l.split(' ')[0]), ['hard_shutdown']);
  t.same(result.restored, [{ address: 'vm.a', to: 'halted', ok: true }]);
});
