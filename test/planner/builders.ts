// Small builders for planner tests: a configured VM, the VM a host shows, a state entry.
import type { Config, HostConfig, VmConfig } from '../../planner/config/types.js';
import type { DesiredPowerState, HostInventory, ObservedVm, PowerState, Toolstack, VmAttributes } from '../../planner/model/vm.js';
import type { State, StateResource } from '../../planner/model/state.js';
import { makePlan, type PlanOptions, type PlanOutcome } from '../../planner/plan/make-plan.js';

const range = { filename: 'main.xf.hcl', start: { line: 1, column: 1, byte: 0 }, end: { line: 1, column: 1, byte: 0 } };
export const GiB = 1024 ** 3;
export const LINEAGE = 'lineage-1';

export function attributes(over: Partial<VmAttributes> = {}): VmAttributes {
  return {
    name: 'web',
    description: '',
    template: 'Debian Bookworm 12',
    power_state: 'running',
    memory: { static_min: GiB, static_max: 2 * GiB, dynamic_min: 2 * GiB, dynamic_max: 2 * GiB },
    vcpus: 2,
    vcpus_max: 2,
    boot: { mode: 'pv', bootloader: 'pygrub', kernel: '', ramdisk: '', args: 'console=hvc0 quiet', bootloader_args: '', order: 'cd', firmware: 'bios' },
    disks: [{ name: 'root', size: 20 * GiB, sr: 'Local storage', bootable: true }],
    networks: [{ name: 'eth0', network: 'xenbr0' }],
    tags: ['web'],
    other_config: {},
    ...over,
  };
}

export function vmConfig(address: string, over: Partial<VmConfig> = {}, attrs: Partial<VmAttributes> = {}): VmConfig {
  const a = attributes(attrs);
  return {
    address,
    host: 'lab',
    attributes: { ...a, power_state: a.power_state as DesiredPowerState },
    shutdown: { mode: 'clean', timeout_ms: 120_000, fallback: 'hard' },
    restart_trigger: null,
    depends_on: [],
    lifecycle: { prevent_destroy: false, ignore_changes: [], max_disruption: 'replace', apply_boot_changes: 'reboot' },
    range,
    attributeRanges: {},
    ...over,
  };
}

export function observed(uuid: string, address: string | null, attrs: Partial<VmAttributes> = {}, over: Partial<ObservedVm> = {}): ObservedVm {
  const a = attributes(attrs);
  const hasDomain = a.power_state !== 'halted' && a.power_state !== 'suspended';
  return {
    uuid,
    host: 'lab',
    attributes: a,
    markers: address ? { address, lineage: LINEAGE } : {},
    dom_id: hasDomain ? 7 : -1,
    booted_with: hasDomain ? { ...a.boot } : null,
    requires_reboot: false,
    ...over,
  };
}

export function resource(address: string, uuid: string, attrs: Partial<VmAttributes> = {}, over: Partial<StateResource> = {}): StateResource {
  const a = attributes(attrs);
  return { address, host: 'lab', uuid, attributes: a, booted_with: null, restart_trigger: null, owned: true, pending_reboot: false, ...over };
}

export function state(resources: StateResource[]): State {
  return { version: 1, lineage: LINEAGE, serial: 3, xenform_version: '0.1.0', resources, outputs: {} };
}

export function host(name = 'lab', toolstack: Toolstack = 'xapi'): HostConfig {
  return { name, simulator: true, toolstack, max_parallel: 4, range };
}

export function config(vms: VmConfig[], toolstack: Toolstack = 'xapi'): Config {
  return { dir: '/tmp/x', hosts: [host('lab', toolstack)], vms, outputs: [], variables: {} };
}

export function inventory(vms: ObservedVm[], toolstack: Toolstack = 'xapi'): Record<string, HostInventory> {
  return { lab: { host: 'lab', toolstack, vms, templates: [], srs: [], networks: [] } };
}

export const OPTIONS: PlanOptions = { destroy: false, refreshOnly: false, targets: [], replace: [], xenformVersion: '0.1.0' };

// One managed VM in a given observed power state, configured with `desired` changes.
export function planOne(
  current: PowerState,
  desired: Partial<VmAttributes>,
  opts: {
    toolstack?: Toolstack;
    vm?: Partial<VmConfig>;
    observedAttrs?: Partial<VmAttributes>;
    observedOver?: Partial<ObservedVm>; // e.g. the guest's capabilities
    options?: Partial<PlanOptions>;
    res?: Partial<StateResource>;
  } = {},
): PlanOutcome {
  const toolstack = opts.toolstack ?? 'xapi';
  const obs = observed('u-1', 'vm.web', { power_state: current, ...opts.observedAttrs }, opts.observedOver);
  const res = resource('vm.web', 'u-1', { power_state: current, ...opts.observedAttrs }, opts.res);
  return makePlan({
    config: config([vmConfig('vm.web', opts.vm, desired)], toolstack),
    state: state([res]),
    inventories: inventory([obs], toolstack),
    options: { ...OPTIONS, ...opts.options },
  });
}
