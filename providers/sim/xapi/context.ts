// One `xe` invocation: its parameters, the state store, faults, and the rules shared
// by the commands (selectors, lookups by uuid, filters).
import { countCall, latencyFor, sleep, type Faults } from '../faults.js';
import { update } from '../store.js';
import type { SimState, Vm } from '../state.js';
import { STD_PARAMS } from './args.js';
import { CliError, XapiError } from './errors.js';
import { settleGuests, type Env } from './operations.js';
import { completeOperation } from './operations.js';
import { processAlive } from '../file-lock.js';
import { rawOf } from '../track.js';
import { renderValue, type Ctx, type Field } from './record-format.js';
import { vmsPending } from './vm-record.js';

export class Killed extends Error {}

export interface RunEnv extends Env {
  statePath: string;
  create: () => SimState;
  exitOnKill: boolean; // the executable really dies; in-process callers get exit code 255
}

export class XeRun {
  readonly params = new Map<string, string>();
  private counted = false;
  fail: { code: string; params?: string[] } | null = null;
  kill = false;

  constructor(
    readonly command: string,
    readonly order: [string, string][],
    readonly env: RunEnv,
  ) {
    for (const [k, v] of order) this.params.set(k, v);
  }

  get faults(): Faults {
    return this.env.faults;
  }

  has(k: string): boolean {
    return this.params.has(k);
  }

  get(k: string): string | undefined {
    return this.params.get(k);
  }

  flag(k: string): boolean {
    const v = this.params.get(k);
    return v !== undefined && ['true', 't', 'yes', 'y', '1'].includes(v.toLowerCase());
  }

  latency(): Promise<void> {
    const ms = latencyFor(this.faults, this.command);
    return ms > 0 ? sleep(ms) : Promise.resolve();
  }

  // Read-modify-write of the host state under the lock. Due guest events and the
  // operations of processes that died are settled first.
  update<T>(fn: (st: SimState, c: Ctx) => T): Promise<T> {
    return update(this.env.statePath, this.env.create, (st) => {
      settle(st, this.env);
      if (!this.counted) {
        this.counted = true;
        const watched = this.faults.fail.length > 0 || this.faults.killDuring.length > 0;
        if (watched) {
          const r = countCall(st, this.faults, this.command);
          this.fail = r.fail;
          this.kill = r.kill;
        }
      }
      return fn(st, { st, faults: this.faults });
    });
  }

  // For what only prints: `fn` reads the host without the change-tracking view, which is
  // cheaper on a large host, and must not change it.
  read<T>(fn: (st: SimState, c: Ctx) => T): Promise<T> {
    return this.update((tracked) => {
      const st = rawOf(tracked);
      return fn(st, { st, faults: this.faults });
    });
  }
}

// Operations whose process is gone are completed, as xapi completes a task whose
// client went away.
function settle(st: SimState, env: Env): void {
  for (const vm of vmsPending(st, '').filter((v) => rawOf(v).ops.some((o) => !processAlive(o.pid)))) {
    for (const o of [...vm.ops]) {
      if (processAlive(o.pid)) continue;
      vm.ops = vm.ops.filter((x) => x !== o);
      completeOperation(st, vm, o.op, o.args ?? {}, env);
    }
  }
  settleGuests(st, env);
}

// Filters of *-list and selectors: field equality on the printed value, `map:key=v`,
// `set:contains=v` (spec §2.2, §2.5).
export function matchesFilters<T>(o: T, filters: [string, string][], fields: Field<T>[], c: Ctx, pseudo?: (o: T, k: string, v: string) => boolean | undefined): boolean {
  for (const [k, v] of filters) {
    const p = pseudo?.(o, k, v);
    if (p !== undefined) {
      if (!p) return false;
      continue;
    }
    const colon = k.indexOf(':');
    const name = colon >= 0 ? k.slice(0, colon) : k;
    const f = fields.find((x) => x.name === name);
    if (!f) throw new CliError(`Unknown field '${name}'`);
    const val = f.get(o, c);
    if (colon >= 0) {
      const key = k.slice(colon + 1);
      if (f.kind === 'SRO' || f.kind === 'SRW') {
        if (key !== 'contains') throw new CliError('Invalid syntax for set filtering (should be set-param:contains=key)');
        if (!(Array.isArray(val) && val.includes(v))) return false;
      } else if (typeof val === 'object' && !Array.isArray(val)) {
        if (val[key] !== v) return false;
      } else return false;
    } else if (renderValue(f as Field<unknown>, val) !== v) return false;
  }
  return true;
}

export function filtersOf(run: XeRun, own: string[]): [string, string][] {
  return run.order.filter(([k]) => !STD_PARAMS.has(k) && !own.includes(k));
}

export function vmByUuid(st: SimState, uuid: string): Vm {
  const vm = st.vms[uuid];
  if (!vm) throw new XapiError('UUID_INVALID', ['VM', uuid]);
  return vm;
}
