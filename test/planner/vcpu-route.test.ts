import t from 'tap';
import type { GuestCapabilities, PowerState, Toolstack } from '../../planner/model/vm.js';
import type { SetChange } from '../../planner/model/ops.js';
import { attributes, GiB, planOne } from './builders.js';
import { expectRoute, type Route } from './route.js';

// The guest as refresh observed it: hot-plug reported, not reported, or the host says nothing.
const GUESTS: Record<string, GuestCapabilities | undefined> = {
  'reports vCPU hot-plug': { pv_drivers: true, hotplug_disk: true, hotplug_network: true, hotplug_vcpus: true },
  'lacks vCPU hot-plug': { pv_drivers: false, hotplug_disk: false, hotplug_network: false, hotplug_vcpus: false },
  'is not reported': undefined,
};

interface Case extends Omit<Route, 'path' | 'set'> {
  name: string;
  toolstack: Toolstack;
  power: PowerState;
  guest: keyof typeof GUESTS;
  live: boolean; // the set step applies the count to the running domain
}

const REBOOT_STEPS: Partial<Record<PowerState, string>> = {
  running: 'set clean_reboot',
  paused: 'set unpause clean_reboot pause',
  suspended: 'set resume clean_reboot suspend',
};
const NOT_REPORTED = /the host does not report the guest's capabilities/;
const LACKS: Record<Toolstack, RegExp> = {
  xapi: /no PV drivers and does not report feature-vcpu-hotplug \(XAPI refuses vm-vcpu-hotplug with VM_LACKS_FEATURE\)/,
  xl: /only a PV guest takes vCPUs from xl vcpu-set/,
};

const cases: Case[] = [];
for (const toolstack of ['xapi', 'xl'] as const) {
  for (const guest of Object.keys(GUESTS)) {
    const hot = guest === 'reports vCPU hot-plug';
    cases.push({
      name: `on ${toolstack}, a running VM whose guest ${guest} ${hot ? 'gets its vCPUs live' : 'gets them at a reboot'}`,
      toolstack, power: 'running', guest,
      steps: hot ? 'set' : REBOOT_STEPS.running!,
      effect: hot ? 'live' : 'next_boot',
      condition: hot ? /the running guest supports vCPU hot-plug/ : guest === 'is not reported' ? NOT_REPORTED : LACKS[toolstack],
      disruption: hot ? 'none' : 'reboot',
      live: hot,
    });
    cases.push({
      name: `on ${toolstack}, a halted VM whose guest ${guest} only has the count set, without a condition`,
      toolstack, power: 'halted', guest, steps: 'set', effect: 'next_boot', condition: undefined, disruption: 'none', live: false,
    });
  }
}
// xl has no paused-to-running route the same as XAPI's: the paused and suspended rows are XAPI's.
for (const power of ['paused', 'suspended'] as const) {
  for (const guest of Object.keys(GUESTS)) {
    cases.push({
      name: `on xapi, a ${power} VM whose guest ${guest} is rebooted through running, since hot-plug needs a running VM`,
      toolstack: 'xapi', power, guest, steps: REBOOT_STEPS[power]!, effect: 'next_boot',
      condition: new RegExp(`hot-plugged only into a running VM, and this one is ${power}`), disruption: 'reboot', live: false,
    });
  }
}

for (const c of cases) {
  for (const [direction, vcpus] of [['raised', 4], ['lowered', 1]] as const) {
    t.test(`${c.name} (${direction})`, async (t) => {
      const guest = GUESTS[c.guest];
      const out = planOne(c.power, { vcpus, vcpus_max: 4, power_state: c.power as 'running' }, {
        toolstack: c.toolstack,
        observedAttrs: { vcpus: 2, vcpus_max: 4 },
        observedOver: guest && c.power !== 'halted' ? { guest } : {},
      });
      expectRoute(t, out, { ...c, path: 'vcpus', set: { value: vcpus, live: c.live } });
    });
  }
}

const HOT = GUESTS['reports vCPU hot-plug'];

t.test('vcpus_max changed with vcpus halts the VM, and the count is set while halted', async (t) => {
  const out = planOne('running', { vcpus: 4, vcpus_max: 4 }, { observedOver: { guest: HOT } });
  const rc = out.plan!.resource_changes[0];
  t.equal(rc.changes.find((c) => c.path === 'vcpus_max')!.effect, 'requires_halt');
  const vcpus = rc.changes.find((c) => c.path === 'vcpus')!;
  t.equal(vcpus.effect, 'next_boot');
  t.match(vcpus.condition, /halted for another change/);
  t.equal(out.plan!.steps.map((s) => s.op).join(' '), 'clean_shutdown set start');
  t.equal(rc.disruption, 'halt');
  t.notOk((out.plan!.steps[1].args as { changes: SetChange[] }).changes.some((c) => c.live), 'nothing is hot-plugged into a halted VM');
});

t.test('static memory changed with vcpus halts the VM once, not hot-plugging first', async (t) => {
  const base = attributes();
  const out = planOne('running', { vcpus: 1, memory: { ...base.memory, static_max: 4 * GiB } }, { observedOver: { guest: HOT } });
  t.equal(out.plan!.steps.map((s) => s.op).join(' '), 'clean_shutdown set start');
  t.match(out.plan!.resource_changes[0].changes.find((c) => c.path === 'vcpus')!.condition, /halted for another change/);
});

t.test('a running VM to be halted has its count set, not hot-plugged', async (t) => {
  const out = planOne('running', { vcpus: 1, power_state: 'halted' }, { observedOver: { guest: HOT } });
  const vcpus = out.plan!.resource_changes[0].changes.find((c) => c.path === 'vcpus')!;
  t.equal(vcpus.effect, 'next_boot');
  t.equal(out.plan!.steps.map((s) => s.op).join(' '), 'set clean_shutdown');
  t.notOk((out.plan!.steps[0].args as { changes: SetChange[] }).changes[0].live);
});

t.test('a hot-plugged count with PV args changed rebuilds the domain for the args only', async (t) => {
  const base = attributes();
  const out = planOne('running', { vcpus: 1, boot: { ...base.boot, args: 'console=hvc0' } }, { observedOver: { guest: HOT } });
  t.equal(out.plan!.steps.map((s) => s.op).join(' '), 'set clean_reboot');
  t.equal(out.plan!.resource_changes[0].changes.find((c) => c.path === 'vcpus')!.effect, 'live');
});

t.test('with apply_boot_changes = "next_boot", a hot-plugged count leaves nothing pending', async (t) => {
  const out = planOne('running', { vcpus: 1 }, {
    observedOver: { guest: HOT },
    vm: { lifecycle: { prevent_destroy: false, ignore_changes: [], max_disruption: 'none', apply_boot_changes: 'next_boot' } },
  });
  t.same(out.errors, []);
  t.equal(out.plan!.steps.map((s) => s.op).join(' '), 'set');
  t.notOk(out.plan!.resource_changes[0].pending_reboot);
});
