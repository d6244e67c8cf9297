// Values known only after apply (the uuid of a VM created by the same apply), filled into a
// step just before it runs: the configuration is evaluated again with the VMs the apply has made
// so far, and each placeholder of the step takes the value now known at the same place. A value
// still unknown is an error naming the attribute; nothing is guessed.
import { containsUnknown, isUnknown, type VmConfig } from '../../planner/config/types.js';
import type { Step } from '../../planner/model/ops.js';
import type { State } from '../../planner/model/state.js';
import type { Reevaluate } from './outputs.js';

export const knownUuids = (state: State): Record<string, { uuid: string | null }> =>
  Object.fromEntries(state.resources.map((r) => [r.address, { uuid: r.uuid }]));

// The attribute at `path` ("boot.args", "other_config.team"): other-config keys may hold dots.
function attributeAt(attrs: VmConfig['attributes'], path: string): unknown {
  const parts = path.startsWith('other_config.') ? ['other_config', path.slice('other_config.'.length)] : path.split('.');
  let v: unknown = attrs;
  for (const p of parts) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}

const named = (list: unknown, name: unknown): unknown =>
  Array.isArray(list) ? list.find((x) => x !== null && typeof x === 'object' && (x as { name?: unknown }).name === name) : undefined;

// `planned` with each placeholder replaced by the value at the same place of `now`; list
// elements that have a name (disks, networks) are matched by name. Paths left unknown go to `missing`.
function fill(planned: unknown, now: unknown, path: string, missing: string[]): unknown {
  if (isUnknown(planned)) {
    if (now === undefined || containsUnknown(now)) missing.push(path);
    return now;
  }
  if (Array.isArray(planned)) {
    return planned.map((x, i) => {
      const name = x !== null && typeof x === 'object' ? (x as { name?: unknown }).name : undefined;
      const there = name !== undefined ? named(now, name) : Array.isArray(now) ? now[i] : undefined;
      return fill(x, there, `${path}[${name !== undefined ? JSON.stringify(name) : i}]`, missing);
    });
  }
  if (planned !== null && typeof planned === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(planned)) {
      const there = now !== null && typeof now === 'object' ? (now as Record<string, unknown>)[k] : undefined;
      out[k] = fill(x, there, path ? `${path}.${k}` : k, missing);
    }
    return out;
  }
  return planned;
}

function fillArgs(step: Step, vm: VmConfig, missing: string[]): Step {
  const a = vm.attributes;
  switch (step.op) {
    case 'create':
      return { ...step, args: { ...step.args, attributes: fill(step.args.attributes, a, '', missing) as typeof step.args.attributes } };
    case 'set':
      return { ...step, args: { changes: step.args.changes.map((c) => ({ ...c, value: fill(c.value, attributeAt(a, c.path), c.path, missing) })) } };
    case 'add_disk':
    case 'remove_disk':
      return { ...step, args: { disk: fill(step.args.disk, named(a.disks, step.args.disk.name), `disks[${JSON.stringify(step.args.disk.name)}]`, missing) as typeof step.args.disk } };
    case 'add_network':
    case 'remove_network':
      return { ...step, args: { network: fill(step.args.network, named(a.networks, step.args.network.name), `networks[${JSON.stringify(step.args.network.name)}]`, missing) as typeof step.args.network } };
    default:
      return step;
  }
}

// The step ready to run, or why it cannot: `state` holds the VMs made so far.
// `state` is read only for a step that has unknowns (building it costs a copy of every record).
export function fillUnknowns(step: Step, state: () => State, reevaluate: Reevaluate): { step: Step } | { error: string } {
  if (!containsUnknown(step.args)) return { step };
  const fresh = reevaluate(knownUuids(state()));
  if (typeof fresh === 'string') return { error: `${step.address}: values known only after apply could not be filled in: ${fresh}` };
  const vm = fresh.vms.find((v) => v.address === step.address);
  if (!vm) return { error: `${step.address}: values known only after apply could not be filled in: the configuration no longer has this VM` };
  const missing: string[] = [];
  const filled = fillArgs(step, vm, missing);
  if (missing.length > 0 || containsUnknown(filled.args)) {
    const what = missing.length > 0 ? missing.join(', ') : 'some of its arguments';
    return { error: `${step.address}: ${what} is still known only after apply when its ${step.op} step runs (the VM it comes from has not been created); nothing was sent to the host` };
  }
  return { step: filled };
}
