// When a changed attribute takes effect, and in which power states it may be set
// (research/xapi-spec.md §3.2). One table; the diff and the step builder read it.
import type { Effect, PowerState } from '../model/vm.js';

export interface AttributeRule {
  effect: Effect;
  reason: string;
  settableIn: readonly PowerState[]; // power states in which a `set` of it is accepted
}

const ANY: readonly PowerState[] = ['halted', 'running', 'paused', 'suspended', 'crashed'];
const HALTED: readonly PowerState[] = ['halted'];

const live = (reason: string, settableIn: readonly PowerState[] = ANY): AttributeRule => ({ effect: 'live', reason, settableIn });
const nextBoot = (reason: string): AttributeRule => ({ effect: 'next_boot', reason, settableIn: ANY });
const requiresHalt = (reason: string): AttributeRule => ({ effect: 'requires_halt', reason, settableIn: HALTED });
const forcesReplace = (reason: string): AttributeRule => ({ effect: 'forces_replace', reason, settableIn: [] });

const RULES: Record<string, AttributeRule> = {
  name: live('the name is metadata, changed in place'),
  description: live('the description is metadata, changed in place'),
  tags: live('tags are metadata, changed in place'),
  other_config: live('other-config is metadata, changed in place'),
  template: forcesReplace('a VM cannot change its template: it is created again from the new one'),
  host: forcesReplace('a VM cannot move to another host block: it is created again there'),
  'memory.static_min': requiresHalt('static memory can only be changed while the VM is halted'),
  'memory.static_max': requiresHalt('static memory can only be changed while the VM is halted'),
  'memory.dynamic_min': live('dynamic memory is ballooned live on a running VM', ['halted', 'running']),
  'memory.dynamic_max': live('dynamic memory is ballooned live on a running VM', ['halted', 'running']),
  vcpus: nextBoot('VCPUs-at-startup takes effect at the next boot'),
  vcpus_max: requiresHalt('VCPUs-max can only be changed while the VM is halted'),
  'boot.mode': requiresHalt('switching between PV and HVM takes effect when the VM is next started from halted'),
  'boot.bootloader': nextBoot('the PV bootloader takes effect at the next boot'),
  'boot.kernel': nextBoot('the PV kernel takes effect at the next boot'),
  'boot.ramdisk': nextBoot('the PV ramdisk takes effect at the next boot'),
  'boot.args': nextBoot('PV args take effect at the next boot'),
  'boot.bootloader_args': nextBoot('PV bootloader args take effect at the next boot'),
  'boot.order': nextBoot('the HVM boot order takes effect at the next boot'),
  'boot.firmware': nextBoot('the HVM firmware takes effect at the next boot'),
  // Devices: a disk or VIF created while the VM runs is not plugged, and a reboot rebuilds the
  // domain only from plugged devices (§4.5), so xenform takes the safe route: halted.
  disks: requiresHalt('disks are attached and detached while the VM is halted, so the next start sees them'),
  networks: requiresHalt('network interfaces are attached and detached while the VM is halted, so the next start sees them'),
  'disks.changed': forcesReplace('an existing disk cannot be resized or moved to another SR in place: the VM is created again'),
};

// `other_config.web` -> the rule of `other_config`; `disks.root` -> `disks`.
export function ruleFor(path: string): AttributeRule {
  const rule = RULES[path] ?? RULES[path.slice(0, path.indexOf('.'))];
  if (!rule) throw new Error(`no effect rule for attribute ${path}`);
  return rule;
}

export function changedDiskRule(): AttributeRule {
  return RULES['disks.changed'];
}

// ignore_changes = ["boot"] ignores boot.args too; ["other_config.owner"] only that key.
export function isIgnored(path: string, ignore: readonly string[]): boolean {
  for (const p of ignore) if (path === p || path.startsWith(`${p}.`)) return true;
  return false;
}
