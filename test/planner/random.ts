// Seeded random configurations and hosts for the planner's property tests.
import type { VmConfig } from '../../planner/config/types.js';
import type { DesiredPowerState, ObservedVm, PowerState, Toolstack, VmAttributes } from '../../planner/model/vm.js';
import type { StateResource } from '../../planner/model/state.js';
import { attributes, GiB, LINEAGE, vmConfig } from './builders.js';
import { seededRandom, type Rand } from '../support/random.js';

export const rng = seededRandom;

export type { Rand };
export const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const chance = (r: Rand, p: number): boolean => r() < p;

const MEMORIES = [
  { static_min: GiB / 2, static_max: 2 * GiB, dynamic_min: GiB, dynamic_max: 2 * GiB },
  { static_min: GiB, static_max: 2 * GiB, dynamic_min: 2 * GiB, dynamic_max: 2 * GiB },
  { static_min: GiB, static_max: 4 * GiB, dynamic_min: 2 * GiB, dynamic_max: 4 * GiB },
  { static_min: GiB, static_max: 8 * GiB, dynamic_min: 4 * GiB, dynamic_max: 8 * GiB },
  { static_min: GiB / 4, static_max: GiB, dynamic_min: GiB / 2, dynamic_max: GiB },
];
const CPUS = [
  [1, 1],
  [1, 2],
  [2, 2],
  [2, 4],
  [4, 4],
];

export function randomAttributes(r: Rand, name: string, power: PowerState): VmAttributes {
  const base = attributes();
  const [vcpus, vcpus_max] = pick(r, CPUS);
  const hvm = chance(r, 0.2);
  return {
    ...base,
    name: chance(r, 0.8) ? name : `${name}-renamed`,
    description: pick(r, ['', 'front end']),
    template: chance(r, 0.9) ? base.template : 'Alpine 3.20',
    power_state: power,
    memory: { ...pick(r, MEMORIES) },
    vcpus,
    vcpus_max,
    boot: { ...base.boot, mode: hvm ? 'hvm' : 'pv', args: pick(r, ['console=hvc0 quiet', 'console=hvc0', 'quiet root=/dev/xvda1']), order: pick(r, ['cd', 'dc']) },
    disks: chance(r, 0.8) ? [...base.disks] : [...base.disks, { name: 'data', size: 5 * GiB, sr: 'Local storage', bootable: false }],
    networks: chance(r, 0.85) ? [...base.networks] : [],
    tags: pick(r, [['web'], ['web', 'prod'], []]),
    other_config: { ...pick<Record<string, string>>(r, [{}, { owner: 'ops' }, { owner: 'dev' }]) },
  };
}

export interface Scenario {
  toolstack: Toolstack;
  vms: VmConfig[];
  resources: StateResource[];
  observed: ObservedVm[];
}

const DESIRED: DesiredPowerState[] = ['running', 'halted', 'paused', 'suspended'];

export function randomScenario(r: Rand, index: number): Scenario {
  const toolstack: Toolstack = chance(r, 0.5) ? 'xapi' : 'xl';
  const observable: PowerState[] = toolstack === 'xl' ? [...DESIRED, 'crashed'] : DESIRED;
  const count = 1 + Math.floor(r() * 4);
  const vms: VmConfig[] = [];
  const resources: StateResource[] = [];
  const observed: ObservedVm[] = [];
  for (let i = 0; i < count; i++) {
    const address = `vm.v${index}_${i}`;
    const desired = randomAttributes(r, `v${i}`, pick(r, DESIRED)) as VmConfig['attributes'];
    const inConfig = chance(r, 0.9);
    const deps = i > 0 && chance(r, 0.4) ? [vms[Math.floor(r() * vms.length)]?.address].filter(Boolean) : [];
    if (inConfig) {
      vms.push(
        vmConfig(address, {
          depends_on: deps as string[],
          restart_trigger: pick(r, [null, '1', '2']),
          shutdown: { mode: chance(r, 0.2) ? 'hard' : 'clean', timeout_ms: 60_000, fallback: 'hard' },
          lifecycle: {
            prevent_destroy: false,
            ignore_changes: chance(r, 0.1) ? ['tags'] : [],
            max_disruption: 'replace',
            apply_boot_changes: chance(r, 0.25) ? 'next_boot' : 'reboot',
          },
        }, desired),
      );
    }
    const existence = r();
    const uuid = `u-${index}-${i}`;
    if (existence < 0.2 && inConfig) continue; // not created yet
    const recorded = randomAttributes(r, `v${i}`, pick(r, DESIRED));
    const onHost = chance(r, 0.9);
    const adopted = existence < 0.3;
    if (!adopted) {
      resources.push({
        address,
        host: 'lab',
        uuid,
        attributes: recorded,
        booted_with: null,
        restart_trigger: pick(r, [null, '1', '2']),
        owned: true,
        pending_reboot: recorded.power_state === 'running' && chance(r, 0.1),
      });
    }
    if (onHost || adopted) {
      const actual = chance(r, 0.7) ? { ...structuredClone(recorded) } : randomAttributes(r, `v${i}`, pick(r, observable));
      if (chance(r, 0.3)) actual.power_state = pick(r, observable);
      const hasDomain = actual.power_state === 'running' || actual.power_state === 'paused';
      observed.push({
        uuid,
        host: 'lab',
        attributes: actual,
        markers: { address, lineage: LINEAGE },
        dom_id: hasDomain ? 5 : -1,
        booted_with: hasDomain ? (chance(r, 0.85) ? { ...actual.boot } : { ...actual.boot, args: 'older' }) : null,
        requires_reboot: false,
      });
    }
  }
  if (chance(r, 0.3)) observed.push({ ...structuredClone(observed[0] ?? randomObserved(r)), uuid: `stranger-${index}`, markers: {} });
  return { toolstack, vms, resources, observed };
}

function randomObserved(r: Rand): ObservedVm {
  return { uuid: 'x', host: 'lab', attributes: randomAttributes(r, 'stranger', 'running'), markers: {}, dom_id: 3, booted_with: null, requires_reboot: false };
}
