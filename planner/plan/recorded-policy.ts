// The shutdown policy a VM's state records is the one its destroy uses once its block is gone.
// A policy changed in the configuration is recorded by the next apply even when no step runs for
// that VM: the plan carries it as a change of its own, with no step (a VM with steps records its
// policy with its last step).
import type { ShutdownPolicy } from '../model/vm.js';
import type { AttributeChange } from './types.js';

// The configuration's default (a vm with no shutdown block): clean for up to 120 s, then fail.
// A VM whose block is gone and whose state recorded no policy (states written before the policy
// was recorded) gets it too: a clean shutdown never turns into a hard one unless a block said
// fallback = "hard".
export const DEFAULT_SHUTDOWN: ShutdownPolicy = { mode: 'clean', timeout_ms: 120_000, fallback: 'fail' };

const same = (a: ShutdownPolicy, b: ShutdownPolicy): boolean => a.mode === b.mode && a.timeout_ms === b.timeout_ms && a.fallback === b.fallback;

// A state that recorded no policy (a VM adopted before any step ran) gets one with the VM's next
// step, not as a change of its own: every such VM would otherwise show one.
export function policyToRecord(recorded: ShutdownPolicy | undefined, configured: ShutdownPolicy): AttributeChange | null {
  if (!recorded || same(recorded, configured)) return null;
  return {
    path: 'shutdown',
    before: recorded,
    after: configured,
    effect: 'live',
    reason: 'the shutdown policy is recorded in the state; a destroy after the block is removed uses it',
    sensitive: false,
  };
}
