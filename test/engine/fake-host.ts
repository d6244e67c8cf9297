// A test double for Provider: an in-memory host whose VMs change power state as steps run,
// with per-operation delays and failures, and a record of what ran and how much ran at once.
import type { HostConfig, Config, VmConfig } from '../../planner/config/types.js';
import type { ObservedVm, PowerState, VmAttributes } from '../../planner/model/vm.js';
import { OPS, type Step, type StepOp } from '../../planner/model/ops.js';
import type { Plan, ResourceChange } from '../../planner/plan/types.js';
import { ProviderError, type Provider, type StepResult, type StepTarget } from '../../providers/provider.js';

export function attrs(name: string, power: PowerState = 'running', extra: Partial<VmAttributes> = {}): VmAttributes {
  return {
    name,
    description: '',
    template: 'Debian',
    power_state: power,
    memory: { static_min: 1 << 30, static_max: 1 << 30, dynamic_min: 1 << 30, dynamic_max: 1 << 30 },
    vcpus: 1,
    vcpus_max: 1,
    boot: { mode: 'pv', bootloader: 'pygrub', kernel: '', ramdisk: '', args: '', bootloader_args: '', order: 'cd', firmware: 'bios' },
    disks: [],
    networks: [],
    tags: [],
    other_config: {},
    ...extra,
  };
}


export interface FakeOptions {
  delayMs?: number | ((step: Step) => number);
  fail?: (step: Step, vm: ObservedVm | undefined) => ProviderError | null;
  // a guest that ignores clean shutdown: the step waits until aborted; `haltsAfterMs` makes it halt by itself
  ignoresCleanShutdown?: { names: string[]; haltsAfterMs?: number };
}

export class FakeHost {
  vms = new Map<string, ObservedVm>();
  log: string[] = []; // "op address"
  running = 0;
  maxRunning = 0;
  reads = 0;
  private seq = 0;
  constructor(
    readonly name: string,
    readonly opts: FakeOptions = {},
  ) {}

  add(address: string, a: VmAttributes, uuid = `${this.name}-${++this.seq}`): ObservedVm {
    const vm: ObservedVm = {
      uuid,
      host: this.name,
      attributes: a,
      markers: { address, lineage: 'L' },
      dom_id: a.power_state === 'halted' ? -1 : 1,
      booted_with: null,
      requires_reboot: false,
    };
    this.vms.set(uuid, vm);
    return vm;
  }

  provider(): Provider {
    const host = this;
    const copy = (vm: ObservedVm | undefined) => (vm ? structuredClone(vm) : null);
    return {
      host: this.name,
      toolstack: 'xapi',
      async inventory() {
        return { host: host.name, toolstack: 'xapi', vms: [...host.vms.values()].map((v) => structuredClone(v)), templates: [], srs: [], networks: [] };
      },
      async readVm(uuid: string) {
        host.reads++;
        return copy(host.vms.get(uuid));
      },
      async execute(step: Step, target: StepTarget, signal?: AbortSignal): Promise<StepResult> {
        host.running++;
        host.maxRunning = Math.max(host.maxRunning, host.running);
        try {
          const vm = target.uuid ? host.vms.get(target.uuid) : undefined;
          const d = typeof host.opts.delayMs === 'function' ? host.opts.delayMs(step) : (host.opts.delayMs ?? 0);
          await sleep(d, signal);
          const ig = host.opts.ignoresCleanShutdown;
          if (step.op === 'clean_shutdown' && vm && ig?.names.includes(vm.attributes.name)) {
            if (ig.haltsAfterMs !== undefined) setTimeout(() => setPower(vm, 'halted'), ig.haltsAfterMs);
            await sleep(60_000, signal);
          }
          const err = host.opts.fail?.(step, vm);
          if (err) throw err;
          host.log.push(`${step.op} ${step.address}`);
          if (step.op === 'create') {
            const created = host.add(step.address, { ...step.args.attributes, power_state: 'halted' });
            return { uuid: created.uuid, observed: copy(created) };
          }
          if (!vm) throw new ProviderError(host.name, 'UUID_INVALID', {}, `The uuid you supplied was invalid: ${target.uuid}`);
          if (step.op === 'destroy') {
            host.vms.delete(vm.uuid);
            return { uuid: vm.uuid, observed: null };
          }
          const to = OPS[step.op].family === 'lifecycle' ? OPS[step.op].powerAfter : null;
          if (to) {
            if ((step.op === 'hard_shutdown' || step.op === 'clean_shutdown') && vm.attributes.power_state === 'halted') {
              throw new ProviderError(host.name, 'VM_BAD_POWER_STATE', {}, 'You attempted an operation on a VM that was not in an appropriate power state');
            }
            setPower(vm, to);
          }
          if (step.op === 'set') {
            for (const c of step.args.changes) setPath(vm.attributes as unknown as Record<string, unknown>, c.path, c.value);
          }
          return { uuid: vm.uuid, observed: copy(vm) };
        } finally {
          host.running--;
        }
      },
      async close() {},
    };
  }
}

function setPower(vm: ObservedVm, to: PowerState): void {
  vm.attributes.power_state = to;
  vm.dom_id = to === 'halted' ? -1 : 1;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) cur = (cur[p] ??= {}) as Record<string, unknown>;
  cur[parts[parts.length - 1]] = value;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('aborted'));
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new Error('aborted'));
    }, { once: true });
  });
}

const RANGE = { filename: 'main.xf.hcl', start: { line: 1, column: 1, byte: 0 }, end: { line: 1, column: 1, byte: 0 } };

export function hostConfig(name: string, max_parallel = 4): HostConfig {
  return { name, simulator: true, toolstack: 'xapi', max_parallel, range: RANGE } as HostConfig;
}

export function vmConfig(address: string, host: string, extra: Partial<VmConfig> = {}): VmConfig {
  return {
    address,
    host,
    attributes: attrs(address) as VmConfig['attributes'],
    shutdown: { mode: 'clean', timeout_ms: 1000, fallback: 'hard' },
    restart_trigger: null,
    depends_on: [],
    lifecycle: { prevent_destroy: false, ignore_changes: [], max_disruption: 'replace', apply_boot_changes: 'reboot' },
    range: RANGE,
    attributeRanges: {},
    ...extra,
  } as VmConfig;
}

export function config(dir: string, hosts: HostConfig[], vms: VmConfig[]): Config {
  return { dir, hosts, vms, outputs: [], variables: {} };
}

export function change(address: string, host: string, vm: ObservedVm | null, extra: Partial<ResourceChange> = {}): ResourceChange {
  return {
    address,
    host,
    uuid: vm?.uuid ?? null,
    action: vm ? 'update' : 'create',
    disruption: 'none',
    reasons: [],
    before: vm ? structuredClone(vm.attributes) : null,
    after: null,
    changes: [],
    fingerprint: null,
    ...extra,
  };
}

export function plan(steps: Step[], changes: ResourceChange[], extra: Partial<Plan> = {}): Plan {
  return {
    format_version: '1',
    xenform_version: '0.1.0',
    lineage: null,
    serial: 0,
    variables: {},
    resource_changes: changes,
    drift: [],
    steps,
    summary: { create: 0, update: 0, replace: 0, delete: 0, reboot: 0, halt: 0 },
    warnings: [],
    options: { destroy: false, refresh_only: false, targets: [], replace: [] },
    ...extra,
  };
}

export function step(id: string, address: string, host: string, op: StepOp, depends_on: string[] = [], args?: Step['args']): Step {
  return { id, address, host, op, args: args ?? {}, depends_on } as Step;
}
