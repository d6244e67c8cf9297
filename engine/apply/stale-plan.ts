// A saved plan was reviewed and approved as a whole: before any step runs, every VM it touches
// is read again (one inventory per host), and every VM that changed since the plan is named.
import { fingerprint } from '../../planner/plan/fingerprint.js';
import type { Plan } from '../../planner/plan/types.js';
import type { Provider } from '../../providers/provider.js';
import { errorText } from '../errors.js';
import { describeChanges } from '../verify.js';

export interface ChangedVm {
  address: string;
  host: string;
  reason: string;
}

export async function changedSincePlan(plan: Plan, provider: (host: string) => Promise<Provider>): Promise<ChangedVm[]> {
  // The host a VM's steps start on is where it was observed (a move starts on its old host).
  const firstHost = new Map<string, string>();
  for (const s of plan.steps) if (!firstHost.has(s.address)) firstHost.set(s.address, s.host);
  const byHost = new Map<string, Plan['resource_changes']>();
  for (const rc of plan.resource_changes) {
    const host = rc.deposed ? rc.host : firstHost.get(rc.address); // a deposed VM beside its address's new one
    if (!host || !rc.uuid || !rc.fingerprint) continue;
    byHost.set(host, [...(byHost.get(host) ?? []), rc]);
  }
  const changed: ChangedVm[] = [];
  await Promise.all(
    [...byHost].map(async ([host, rcs]) => {
      let vms;
      try {
        vms = new Map((await (await provider(host)).inventory()).vms.map((v) => [v.uuid, v]));
      } catch (err) {
        for (const rc of rcs) changed.push({ address: rc.address, host, reason: `its host could not be read: ${errorText(err)}` });
        return;
      }
      for (const rc of rcs) {
        const now = vms.get(rc.uuid!);
        const it = rc.deposed ? `its deposed object ${rc.deposed}` : 'it';
        if (!now) changed.push({ address: rc.address, host, reason: `${it} no longer exists on ${host} (uuid ${rc.uuid})` });
        else if (fingerprint(now) !== rc.fingerprint) changed.push({ address: rc.address, host, reason: `${it} changed since the plan was made: ${describeChanges(rc.before, now)}` });
      }
    }),
  );
  const order = new Map(plan.resource_changes.map((rc, i) => [rc.address, i]));
  return changed.sort((a, b) => order.get(a.address)! - order.get(b.address)!);
}

export function stalePlanError(changed: readonly ChangedVm[]): string {
  const list = changed.map((c) => c.address).join(', ');
  return (
    `The saved plan is stale: ${changed.length === 1 ? '1 VM' : `${changed.length} VMs`} changed since it was made, so no step was run: ${list}. ` +
    'Make a new plan with `xenform plan --out FILE`, or apply this one with --allow-partial to run the steps of the VMs that did not change.'
  );
}
