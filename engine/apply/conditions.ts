// After the steps: each VM the apply changed is read again and its postconditions checked
// against what the host reports (self.power_state, self.uuid, self.ip_addresses); then every
// check block is evaluated again, with the uuids the apply made known. A failed postcondition
// fails the apply; a failed check only warns.
import type { Diagnostic } from '../../lang/diagnostics.js';
import { rangeText } from '../../lang/body.js';
import { checkAll, checkDeferredPreconditions, checkPostconditions } from '../../planner/config/conditions.js';
import type { State } from '../../planner/model/state.js';
import type { Config } from '../../planner/config/types.js';
import type { Provider } from '../../providers/provider.js';
import { errorText } from '../errors.js';
import { knownUuids } from './fill-unknowns.js';
import type { Reevaluate } from './outputs.js';

// "Resource postcondition failed: vm.web: it must run (main.xf.hcl:30,23)"
const line = (d: Diagnostic): string => `${d.summary}: ${(d.detail ?? '').split('\n\n')[0]}${d.subject ? ` (${rangeText(d.subject)})` : ''}`;

export async function checkAfterApply(
  planned: Config | null, // the configuration as planned: has it any conditions to check?
  changed: readonly string[], // addresses of the VMs whose steps all succeeded
  state: State,
  reevaluate: Reevaluate,
  provider: (host: string) => Promise<Provider>,
): Promise<{ errors: string[]; warnings: string[] }> {
  const out = { errors: [] as string[], warnings: [] as string[] };
  const c = planned?.conditions;
  const checked = c && (c.checks.length > 0 || changed.some((a) => c.postconditions.has(a)));
  if (!checked) return out; // the configuration is evaluated again only when there is something to check
  const fresh = reevaluate(knownUuids(state));
  const conditions = typeof fresh === 'string' ? undefined : fresh.conditions;
  if (!conditions) return out;
  for (const address of changed) {
    if (!conditions.postconditions.has(address)) continue;
    const r = state.resources.find((x) => x.address === address);
    if (!r?.uuid) continue;
    let observed;
    try {
      observed = await (await provider(r.host)).readVm(r.uuid);
    } catch (err) {
      out.errors.push(`${address}: its postconditions could not be checked: it could not be read (${errorText(err)})`);
      continue;
    }
    if (!observed) {
      out.errors.push(`${address}: its postconditions could not be checked: it no longer exists on ${r.host}`);
      continue;
    }
    const diags = checkPostconditions(conditions, {
      address,
      uuid: observed.uuid,
      name: observed.attributes.name,
      power_state: observed.attributes.power_state,
      ip_addresses: observed.ip_addresses ?? [],
    });
    out.errors.push(...diags.map(line));
  }
  out.warnings.push(...checkAll(conditions).map(line));
  return out;
}

// Before a VM's first step: its preconditions that depended on values known only after apply,
// evaluated with the VMs made so far. The reason it may not run, or null.
export function preconditionsBeforeFirstStep(planned: Config | null, address: string, state: () => State, reevaluate: Reevaluate): string | null {
  if (!planned?.conditions?.deferred.has(address)) return null;
  const fresh = reevaluate(knownUuids(state()));
  if (typeof fresh === 'string') return fresh; // a precondition that now fails is the configuration's first error
  const failed = fresh.conditions ? checkDeferredPreconditions(fresh.conditions, address) : [];
  return failed.length > 0 ? failed.map(line).join('; ') : null;
}
