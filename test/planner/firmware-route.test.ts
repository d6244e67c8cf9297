import t from 'tap';
import type { BootAttributes, PowerState, VmAttributes } from '../../planner/model/vm.js';
import * as b from './builders.js';
import { makePlan } from '../../planner/plan/make-plan.js';
import { expectRoute, type Route } from './route.js';

const { planOne } = b;

const HVM: BootAttributes = { mode: 'hvm', bootloader: '', kernel: '', ramdisk: '', args: '', bootloader_args: '', order: 'cd', firmware: 'bios' };
const UEFI: BootAttributes = { ...HVM, firmware: 'uefi' };
const SECURE: BootAttributes = { ...UEFI, secure_boot: true };

interface Case extends Omit<Route, 'set'> {
  name: string;
  power: 'running' | 'halted';
  before: Partial<VmAttributes>;
  after: Partial<VmAttributes>;
  allow?: true; // lifecycle.allow_vtpm_destroy
  value: unknown; // the new value of `path`
}

const cases: Case[] = [
  {
    name: 'a running VM is halted to switch from BIOS to UEFI, and the plan says its NVRAM is cleared',
    power: 'running', before: { boot: HVM }, after: { boot: UEFI }, path: 'boot.firmware', value: 'uefi',
    steps: 'clean_shutdown set start', effect: 'requires_halt', condition: /^the VM is running: a domain keeps the firmware it was built with, so it is halted for the switch to UEFI, and its NVRAM \(UEFI variables\) is cleared/, disruption: 'halt',
  },
  {
    name: 'a halted VM switches from BIOS to UEFI as it is, its NVRAM cleared',
    power: 'halted', before: { boot: HVM }, after: { boot: UEFI }, path: 'boot.firmware', value: 'uefi',
    steps: 'set', effect: 'requires_halt', condition: /^the VM is halted: the switch to UEFI firmware is made as it is, and its NVRAM \(UEFI variables\) is cleared/, disruption: 'none',
  },
  {
    name: 'a running VM is halted to switch from UEFI back to BIOS',
    power: 'running', before: { boot: UEFI }, after: { boot: HVM }, path: 'boot.firmware', value: 'bios',
    steps: 'clean_shutdown set start', effect: 'requires_halt', condition: /halted for the switch to BIOS, and its NVRAM \(UEFI variables\) is cleared/, disruption: 'halt',
  },
  {
    name: 'a halted VM switches from UEFI back to BIOS as it is',
    power: 'halted', before: { boot: UEFI }, after: { boot: HVM }, path: 'boot.firmware', value: 'bios',
    steps: 'set', effect: 'requires_halt', condition: /^the VM is halted: the switch to BIOS firmware/, disruption: 'none',
  },
  {
    name: 'Secure Boot turned on for a running UEFI VM takes effect at a reboot',
    power: 'running', before: { boot: UEFI }, after: { boot: SECURE }, path: 'boot.secure_boot', value: true,
    steps: 'set clean_reboot', effect: 'next_boot', condition: /^the VM is running: platform:secureboot is read when the domain is built$/, disruption: 'reboot',
  },
  {
    name: 'Secure Boot turned off for a running UEFI VM takes effect at a reboot',
    power: 'running', before: { boot: SECURE }, after: { boot: UEFI }, path: 'boot.secure_boot', value: false,
    steps: 'set clean_reboot', effect: 'next_boot', condition: /platform:secureboot is read when the domain is built/, disruption: 'reboot',
  },
  {
    name: 'Secure Boot turned on for a halted VM is set for its next start',
    power: 'halted', before: { boot: UEFI }, after: { boot: SECURE }, path: 'boot.secure_boot', value: true,
    steps: 'set', effect: 'next_boot', condition: undefined, disruption: 'none',
  },
  {
    name: 'Secure Boot turned off for a halted VM is set for its next start',
    power: 'halted', before: { boot: SECURE }, after: { boot: UEFI }, path: 'boot.secure_boot', value: false,
    steps: 'set', effect: 'next_boot', condition: undefined, disruption: 'none',
  },
  {
    name: 'a running VM is halted for a vTPM to be created',
    power: 'running', before: { boot: UEFI }, after: { boot: UEFI, vtpm: true }, path: 'vtpm', value: true,
    steps: 'clean_shutdown set start', effect: 'requires_halt', condition: /^the VM is running, and XAPI creates a vTPM only for a halted VM$/, disruption: 'halt',
  },
  {
    name: 'a halted VM gets a vTPM as it is',
    power: 'halted', before: { boot: UEFI }, after: { boot: UEFI, vtpm: true }, path: 'vtpm', value: true,
    steps: 'set', effect: 'requires_halt', condition: undefined, disruption: 'none',
  },
  {
    name: 'a running VM whose lifecycle allows it is halted for its vTPM to be destroyed',
    power: 'running', before: { boot: UEFI, vtpm: true }, after: { boot: UEFI, vtpm: false }, allow: true, path: 'vtpm', value: false,
    steps: 'clean_shutdown set start', effect: 'requires_halt', condition: /^the VM is running, and xenform destroys a vTPM only while its VM is halted$/, disruption: 'halt',
  },
  {
    name: 'a halted VM whose lifecycle allows it loses its vTPM as it is',
    power: 'halted', before: { boot: UEFI, vtpm: true }, after: { boot: UEFI, vtpm: false }, allow: true, path: 'vtpm', value: false,
    steps: 'set', effect: 'requires_halt', condition: undefined, disruption: 'none',
  },
];

const plan = (c: { power: PowerState; before: Partial<VmAttributes>; after: Partial<VmAttributes>; allow?: true }) =>
  planOne(c.power, { power_state: c.power as 'running', ...c.after }, {
    observedAttrs: c.before,
    ...(c.allow ? { vm: { lifecycle: { prevent_destroy: false, ignore_changes: [], max_disruption: 'replace', apply_boot_changes: 'reboot', allow_vtpm_destroy: true } } } : {}),
  });

for (const c of cases) {
  t.test(c.name, async (t) => {
    expectRoute(t, plan(c), { ...c, set: { value: c.value } });
  });
}

const refusals: { name: string; power: 'running' | 'halted'; desired: Partial<VmAttributes>; options?: { replace?: string[]; destroy?: boolean }; says: RegExp }[] = [
  { name: 'vtpm = false on a running VM is refused without allow_vtpm_destroy', power: 'running', desired: { boot: UEFI, vtpm: false }, says: /^vm\.web: vtpm = false would destroy its vTPM, .* Add lifecycle \{ allow_vtpm_destroy = true \} to its vm block to let it go, or keep vtpm = true\.$/ },
  { name: 'vtpm = false on a halted VM is refused without allow_vtpm_destroy', power: 'halted', desired: { boot: UEFI, vtpm: false }, says: /^vm\.web: vtpm = false would destroy its vTPM/ },
  { name: 'replacing a VM with a vTPM is refused without allow_vtpm_destroy', power: 'running', desired: { boot: UEFI, vtpm: true }, options: { replace: ['vm.web'] }, says: /^vm\.web: replacing it would destroy its vTPM with the VM .* allow_vtpm_destroy = true/ },
  { name: 'destroying a VM with a vTPM is refused without allow_vtpm_destroy', power: 'halted', desired: { boot: UEFI, vtpm: true }, options: { destroy: true }, says: /^vm\.web: destroying it would destroy its vTPM, .* allow_vtpm_destroy = true/ },
];

for (const c of refusals) {
  t.test(c.name, async (t) => {
    const out = planOne(c.power, { power_state: c.power as 'running', ...c.desired }, { observedAttrs: { boot: UEFI, vtpm: true }, options: c.options ?? {} });
    t.equal(out.plan, null, 'no plan');
    t.equal(out.errors.length, 1);
    t.equal(out.errors[0].summary, 'vTPM would be destroyed');
    t.match(out.errors[0].detail, c.says);
  });
  t.test(`${c.name.replace(/ is refused without allow_vtpm_destroy$/, '')} is planned with allow_vtpm_destroy`, async (t) => {
    const out = planOne(c.power, { power_state: c.power as 'running', ...c.desired }, {
      observedAttrs: { boot: UEFI, vtpm: true },
      options: c.options ?? {},
      vm: { lifecycle: { prevent_destroy: false, ignore_changes: [], max_disruption: 'replace', apply_boot_changes: 'reboot', allow_vtpm_destroy: true } },
    });
    t.same(out.errors, []);
    t.ok(out.plan!.steps.some((s) => s.op === 'destroy' || s.op === 'set'), 'the vTPM goes');
  });
}

t.test('a VM removed from the configuration with its vTPM is refused, naming both ways out', async (t) => {
  const gone = makePlan({
    config: b.config([]),
    state: b.state([b.resource('vm.web', 'u-1', { power_state: 'halted', boot: UEFI, vtpm: true })]),
    inventories: b.inventory([b.observed('u-1', 'vm.web', { power_state: 'halted', boot: UEFI, vtpm: true })]),
    options: b.OPTIONS,
  });
  t.equal(gone.plan, null);
  t.match(gone.errors[0].detail, /^vm\.web: destroying it would destroy its vTPM, .*put its vm block back with lifecycle \{ allow_vtpm_destroy = true \} and run `xenform destroy --target vm\.web`; to keep the VM, add a removed block with lifecycle \{ destroy = false \}\.$/);
});

t.test('a configuration that does not set vtpm leaves a VM\'s vTPM alone', async (t) => {
  const out = planOne('running', { boot: UEFI }, { observedAttrs: { boot: UEFI, vtpm: true } });
  t.same(out.errors, []);
  t.same(out.plan!.steps, []);
});

t.test('a boot recorded before secure_boot existed compares equal to secure_boot off', async (t) => {
  const out = planOne('running', { boot: UEFI }, { observedAttrs: { boot: { ...UEFI, secure_boot: false } } });
  t.same(out.plan!.steps, []);
});

t.test('on xl a running guest is halted for the switch to UEFI, with no NVRAM to clear', async (t) => {
  const out = planOne('running', { boot: UEFI }, { toolstack: 'xl', observedAttrs: { boot: HVM } });
  t.same(out.errors, []);
  const change = out.plan!.resource_changes[0].changes[0];
  t.equal(change.effect, 'requires_halt');
  t.equal(change.condition, 'the VM is running: a domain keeps the firmware it was built with, so it is halted for the switch to UEFI');
  t.equal(out.plan!.resource_changes[0].disruption, 'halt');
});
