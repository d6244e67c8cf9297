// What `moved`, `import` and `removed` blocks do to a plan, before it is worked out: the state
// as the moves leave it (the plan then sees each VM under its new address), import targets
// recorded as the host shows them, and what becomes of the VMs a removed block names.
import type { Diagnostic } from '../../lang/diagnostics.js';
import { rangeText } from '../../lang/body.js';
import type { Config, ImportConfig, MovedConfig, RemovedConfig } from '../config/types.js';
import { type Address, type AddressPattern, addressMatches, formatAddress, parseAddress, parsePattern } from '../model/address.js';
import type { State, StateResource } from '../model/state.js';
import type { HostInventory, ObservedVm } from '../model/vm.js';

type Refusal = Diagnostic & { detail: string };

export interface Refactored {
  state: State | null; // moves applied, import targets recorded
  previous: Map<string, string>; // address after the moves -> address in the state
  importing: Map<string, string>; // address -> uuid of the VM imported there
  // Import targets with no vm block (for `plan --generate-config-out`), with the VM found for each.
  unconfigured: { target: ImportConfig; vm: ObservedVm }[];
  errors: Refusal[];
}

const key = (host: string, uuid: string): string => `${host}\u0000${uuid}`;

// A moved block with its addresses parsed once (not once per VM it is tried on).
interface Move {
  block: MovedConfig;
  order: number; // its place among the moved blocks: the first that applies wins
  from: AddressPattern;
  to: AddressPattern;
}

const parsedMove = (m: MovedConfig, order = 0): Move => ({ block: m, order, from: parsePattern(m.from)!, to: parsePattern(m.to)! });

// The address `a` moves to under `m`, or null when `m` does not apply to it.
export function moveDestination(m: MovedConfig, a: Address): Address | null {
  return destination(parsedMove(m), a);
}

function destination({ block: m, from, to }: Move, a: Address): Address | null {
  if (!addressMatches(from, a)) return null;
  if (!('type' in from) && !('type' in to)) {
    const n = from.module.length;
    const last = from.module[n - 1];
    const moved = [...to.module.slice(0, -1), { name: to.module[to.module.length - 1].name, key: last.key === null && to.module[to.module.length - 1].key === null ? a.module![n - 1].key : to.module[to.module.length - 1].key }];
    const module = [...moved, ...a.module!.slice(n)];
    return { ...a, module };
  }
  if (!('type' in from) || !('type' in to)) return null;
  const whole = from.key === null && to.key === null;
  if (!whole && formatAddress(a) !== m.from) return null;
  const { module: _m, ...rest } = to;
  return { ...(to.module?.length ? { module: to.module } : {}), ...rest, key: whole ? a.key : to.key };
}

function applyMoves(moved: readonly MovedConfig[], state: State, errors: Refusal[]): { state: State; previous: Map<string, string> } {
  const previous = new Map<string, string>();
  if (moved.length === 0) return { state, previous };
  const by = new Map<string, MovedConfig>(); // new address -> the block that put it there
  const moves = moved.map((m, i) => parsedMove(m, i));
  // Blocks that move one instance (from = vm.a[0]) are looked up by that address; the others
  // (a whole resource or module) are tried in order on every address.
  const exact = new Map<string, Move[]>();
  const patterns: Move[] = [];
  for (const m of moves) {
    if ('type' in m.from && m.from.key !== null) {
      const list = exact.get(m.block.from);
      if (list) list.push(m);
      else exact.set(m.block.from, [m]);
    } else patterns.push(m);
  }
  // The first block, in file order, that moves `a`.
  const firstMove = (a: Address): { move: Move; to: Address } | null => {
    let best: { move: Move; to: Address } | null = null;
    const candidates = exact.get(formatAddress(a)) ?? [];
    for (const list of [candidates, patterns]) {
      for (const m of list) {
        if (best && best.move.order < m.order) break;
        const to = destination(m, a);
        if (to) {
          best = { move: m, to };
          break;
        }
      }
    }
    return best;
  };
  const resources = state.resources.map((r) => {
    let a = parseAddress(r.address);
    if (!a) return r;
    let last: MovedConfig | null = null;
    for (let hops = 0; hops <= moved.length; hops++) {
      const next = firstMove(a);
      if (!next) break;
      a = next.to;
      last = next.move.block;
    }
    if (!last) return r;
    const address = formatAddress(a);
    previous.set(address, r.address);
    by.set(address, last);
    return { ...r, address };
  });
  const seen = new Map<string, StateResource>();
  for (const r of resources) {
    const other = seen.get(r.address);
    seen.set(r.address, r);
    if (!other) continue;
    const m = by.get(r.address)!;
    errors.push({
      severity: 'error',
      summary: 'Move onto an address already in use',
      detail: `The moved block at ${rangeText(m.range)} would record both VM ${other.uuid} and VM ${r.uuid} as ${r.address}: one address cannot hold two VMs. Remove one of them from the state (\`xenform state rm\`) or change the moved block.`,
      subject: m.range,
      address: r.address,
    });
  }
  return { state: { ...state, resources }, previous };
}

function twoAddresses(state: State, errors: Refusal[]): void {
  const byVm = new Map<string, StateResource>();
  for (const r of state.resources) {
    const other = byVm.get(key(r.host, r.uuid));
    if (other) {
      errors.push({
        severity: 'error',
        summary: 'One VM under two addresses',
        detail: `VM ${r.uuid} on host "${r.host}" would be managed as both ${other.address} and ${r.address}. Keep one: \`xenform state rm\` the address that is wrong, then plan again.`,
        address: r.address,
      });
    }
    byVm.set(key(r.host, r.uuid), r);
  }
}

function applyImports(config: Config, state: State | null, inventories: Record<string, HostInventory>, errors: Refusal[], out: Refactored): State | null {
  const imports = config.imports ?? [];
  if (imports.length === 0) return state;
  const vms = new Map(config.vms.map((v) => [v.address, v]));
  // Built once for all import blocks: the state by address and by uuid, each host's VMs by uuid.
  const recordedAt = new Map((state?.resources ?? []).map((r) => [r.address, r]));
  const recordedAs = new Map<string, StateResource>();
  for (const r of state?.resources ?? []) if (!recordedAs.has(r.uuid)) recordedAs.set(r.uuid, r);
  const onHost = new Map<string, Map<string, ObservedVm>>();
  const observedOn = (host: string): Map<string, ObservedVm> => {
    let m = onHost.get(host);
    if (!m) onHost.set(host, (m = new Map((inventories[host]?.vms ?? []).map((v) => [v.uuid, v]))));
    return m;
  };
  const anywhere = (uuid: string): ObservedVm | undefined => {
    for (const host of Object.keys(inventories)) {
      const v = observedOn(host).get(uuid);
      if (v) return v;
    }
    return undefined;
  };
  const added: StateResource[] = [];
  const fail = (target: ImportConfig, summary: string, detail: string) => errors.push({ severity: 'error', summary, detail, subject: target.range, address: target.to });
  for (const target of imports) {
    const recorded = recordedAt.get(target.to);
    if (recorded) continue; // imported already: the block stays harmless, as in Terraform
    const elsewhere = recordedAs.get(target.id);
    if (elsewhere) {
      fail(target, 'One VM under two addresses', `VM ${target.id} is already recorded as ${elsewhere.address}; importing it as ${target.to} as well would manage it under both. Use a moved block (from = ${elsewhere.address}, to = ${target.to}) to rename it.`);
      continue;
    }
    const vm = vms.get(target.to);
    if (!vm) {
      const found = anywhere(target.id);
      if (!found) fail(target, 'Cannot import a VM that does not exist', `No configured host has a VM with uuid ${target.id} (to import as ${target.to}).`);
      else out.unconfigured.push({ target, vm: found });
      continue;
    }
    const inv = inventories[vm.host];
    if (!inv) {
      fail(target, 'Cannot import without reading the host', `${target.to} imports VM ${target.id} from host "${vm.host}", which this plan did not read (--refresh=false or --target): plan without them.`);
      continue;
    }
    const observed = observedOn(vm.host).get(target.id);
    if (!observed) {
      fail(target, 'Cannot import a VM that does not exist', `Host "${vm.host}" (the host of ${target.to}) has no VM with uuid ${target.id}.`);
      continue;
    }
    out.importing.set(target.to, target.id);
    added.push({
      address: target.to,
      host: vm.host,
      uuid: observed.uuid,
      attributes: observed.attributes,
      booted_with: observed.booted_with,
      restart_trigger: vm.restart_trigger,
      owned: false,
      pending_reboot: observed.requires_reboot,
      shutdown: vm.shutdown,
    });
  }
  if (added.length === 0) return state;
  const base = state ?? { version: 1, lineage: '', serial: 0, xenform_version: '', resources: [], outputs: {} };
  return { ...base, resources: [...base.resources, ...added] };
}

export function applyRefactoring(config: Config, state: State | null, inventories: Record<string, HostInventory>): Refactored {
  const out: Refactored = { state, previous: new Map(), importing: new Map(), unconfigured: [], errors: [] };
  if (state) {
    const moved = applyMoves(config.moved ?? [], state, out.errors);
    out.state = moved.state;
    out.previous = moved.previous;
  }
  out.state = applyImports(config, out.state, inventories, out.errors, out);
  if (out.state && out.errors.length === 0) twoAddresses(out.state, out.errors);
  return out;
}

// The removed blocks parsed once per configuration (not once per VM looked up): those naming
// one instance by its address, the others (a whole resource or module) in file order.
interface RemovedIndex {
  exact: Map<string, { block: RemovedConfig; order: number }>;
  patterns: { block: RemovedConfig; order: number; from: AddressPattern }[];
}
const removedIndexes = new WeakMap<Config, RemovedIndex>();

function removedIndex(config: Config): RemovedIndex {
  let index = removedIndexes.get(config);
  if (index) return index;
  index = { exact: new Map(), patterns: [] };
  (config.removed ?? []).forEach((block, order) => {
    const from = parsePattern(block.from) as AddressPattern;
    if ('type' in from && from.key !== null) {
      const key = formatAddress(from);
      if (!index!.exact.has(key)) index!.exact.set(key, { block, order });
    } else index!.patterns.push({ block, order, from });
  });
  removedIndexes.set(config, index);
  return index;
}

// The removed block that names `address`, if any (the first in file order).
export function removedBlockFor(config: Config, address: string): RemovedConfig | undefined {
  if ((config.removed ?? []).length === 0) return undefined;
  const a = parseAddress(address);
  if (!a) return undefined;
  const { exact, patterns } = removedIndex(config);
  const named = exact.get(formatAddress(a));
  const pattern = patterns.find((r) => (named === undefined || r.order < named.order) && addressMatches(r.from, a));
  return (pattern ?? named)?.block;
}
