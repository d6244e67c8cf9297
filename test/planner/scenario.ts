// A plan with one of everything, for the renderer tests.
import { makePlan } from '../../planner/plan/make-plan.js';
import type { Plan } from '../../planner/plan/types.js';
import { attributes, config, GiB, inventory, observed, OPTIONS, resource, state, vmConfig } from './builders.js';

export function scenarioPlan(): Plan {
  const boot = attributes().boot;
  const vms = [
    vmConfig('vm.db', {}, { name: 'db' }),
    vmConfig('vm.web[0]', { depends_on: ['vm.db'] }, { name: 'web-0', boot: { ...boot, args: 'console=hvc0 root=/dev/xvda1' } }),
    vmConfig('vm.web[1]', { depends_on: ['vm.db'] }, { name: 'web-1', memory: { static_min: GiB, static_max: 4 * GiB, dynamic_min: 4 * GiB, dynamic_max: 4 * GiB } }),
    vmConfig('vm.cache', {}, { name: 'cache', template: 'Alpine 3.20' }),
    vmConfig('vm.api', {}, { name: 'api' }),
  ];
  const res = [
    resource('vm.web[0]', '11111111-0000-0000-0000-000000000000', { name: 'web-0' }),
    resource('vm.web[1]', '22222222-0000-0000-0000-000000000000', { name: 'web-1' }),
    resource('vm.cache', '33333333-0000-0000-0000-000000000000', { name: 'cache' }),
    resource('vm.api', '44444444-0000-0000-0000-000000000000', { name: 'api', power_state: 'running' }),
    resource('vm.old', '55555555-0000-0000-0000-000000000000', { name: 'old' }),
  ];
  const obs = [
    observed('11111111-0000-0000-0000-000000000000', 'vm.web[0]', { name: 'web-0', tags: ['web', 'edited'] }),
    observed('22222222-0000-0000-0000-000000000000', 'vm.web[1]', { name: 'web-1' }),
    observed('33333333-0000-0000-0000-000000000000', 'vm.cache', { name: 'cache' }),
    observed('44444444-0000-0000-0000-000000000000', 'vm.api', { name: 'api', power_state: 'halted' }),
    observed('55555555-0000-0000-0000-000000000000', 'vm.old', { name: 'old' }),
  ];
  vms[4].attributes.power_state = 'running';
  const out = makePlan({ config: config(vms), state: state(res), inventories: inventory(obs), options: OPTIONS });
  if (!out.plan) throw new Error(out.errors.map((d) => d.detail).join('\n'));
  return out.plan;
}
