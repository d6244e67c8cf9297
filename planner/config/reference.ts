// The attribute reference of the `host` and `vm` blocks, generated from their schemas: README
// carries it, and a test fails when the two differ or an attribute has no description here.
import type { BodySchema } from '../../lang/body.js';
import { BOOT_SCHEMA, DISK_SCHEMA, HOST_SCHEMA, LIFECYCLE_SCHEMA, MEMORY_SCHEMA, NETWORK_SCHEMA, SHUTDOWN_SCHEMA, VM_SCHEMA } from './schema.js';
import { CDROM_SCHEMA } from './cdrom.js';
import { PLACEMENT_SCHEMA } from './placement.js';

// block path -> attribute -> what it means, its values and its default.
export const DESCRIPTIONS: Record<string, Record<string, string>> = {
  host: {
    address: 'Hostname, IP address or a `Host` alias of `~/.ssh/config` of dom0; `"local"` runs `xe`/`xl` on this machine. Required unless `simulator = true`.',
    user: 'SSH user. Default: the alias\'s `User` in `~/.ssh/config`, else `root`.',
    port: 'SSH port (1-65535). Default: the alias\'s `Port`, else 22.',
    identity_file: 'Private key to log in with. Default: ssh-agent, then `~/.ssh/id_*`.',
    known_hosts: 'known_hosts file the host key is checked against. Default: `~/.ssh/known_hosts`.',
    host_key: 'Pinned host key fingerprint, `"SHA256:…"`, instead of known_hosts.',
    toolstack: 'Required: `"xapi"` (XenServer / XCP-ng through `xe`) or `"xl"` (plain Xen).',
    max_parallel: 'Operations run at once on this host. Default: 4.',
    command_timeout: 'How long one command on this host may run before it is abandoned (and its outcome treated as uncertain), a duration like `"10m"`. Default: 2 minutes for reads, 30 minutes for changes.',
    migration_group: 'xl only: a name shared by xl hosts that can migrate VMs to each other (shared storage for the disks; each dom0 reaches the others by their host block names over ssh, as `xl migrate` does). A VM whose `host` changes between two hosts of one group is moved, not replaced: a running or paused guest with `xl migrate` (no downtime), a halted one by moving its guest file.',
    simulator: '`true`: the built-in simulated dom0, persisted under `.xenform/sim/`. Default: false.',
    simulator_hosts: 'Simulated xapi hosts only: the names of a simulated pool\'s members, the first the master (taken when the simulated host is first created). Default: one host named after the block.',
    config_dir: 'xl only: where guest configuration files go. Default: `/etc/xen`.',
    suspend_dir: 'xl only: where suspend images go. Default: `/var/lib/xen/save`.',
  },
  vm: {
    count: 'Number of instances (`vm.web[0]`, `vm.web[1]`…); not with `for_each`.',
    for_each: 'A map or set of strings: one instance per key (`vm.site["a"]`); not with `count`.',
    host: 'Required: the host block, `host.lab`.',
    name: 'The VM\'s name-label. Default: the block label, with `-KEY` for an instance of `count`/`for_each`.',
    description: 'The VM\'s name-description. Default: `""`.',
    template: 'The template name-label to install from (required on xapi hosts), checked against the host at plan time. A change replaces the VM.',
    affinity: 'xapi pools: the member (its name-label) the VM runs on. Starts go there; on a running VM a change is a live migration (`migrate` step, no downtime), or halt and start there when xapi would refuse one. Default: wherever xapi places it.',
    vtpm: 'A virtual TPM (XAPI `vtpm-create`), created while the VM is halted. `false` destroys it, which a plan refuses without `lifecycle { allow_vtpm_destroy = true }`. XAPI hosts only. Default: left as it is.',
    power_state: '`"running"`, `"halted"`, `"paused"` or `"suspended"`. Default: `"running"`.',
    memory: 'Required (or a `memory` block): a size with a unit, `"2GiB"`, at least 16 MiB; all four limits take it.',
    vcpus: 'vCPUs at startup. Default: 1.',
    vcpus_max: 'Maximum vCPUs, at most the host\'s physical CPUs. Default: `vcpus`.',
    tags: 'List of tags. Default: `[]`.',
    other_config: 'Map of strings added to other-config (`xenform-*` keys are reserved). Default: `{}`.',
    restart_trigger: 'Any value, recorded in the state: a change of it reboots the VM exactly once.',
    depends_on: 'VMs created and started before this one, and shut down after it.',
    group: 'Disruption budget group: `apply --max-unavailable N` halts or reboots at most N VMs of a group at once.',
  },
  'vm.boot': {
    mode: '`"pv"` or `"hvm"`. Default: `"pv"`.',
    bootloader: 'PV: bootloader, e.g. `"pygrub"`.',
    kernel: 'PV: kernel path on dom0.',
    ramdisk: 'PV: initrd path on dom0.',
    args: 'PV: kernel command line.',
    bootloader_args: 'PV: arguments to the bootloader.',
    order: 'HVM: boot order, letters of `c` (disk), `d` (CD-ROM), `n` (network). Default: `"cd"`.',
    firmware: 'HVM: `"bios"` or `"uefi"`; switched only while the VM is halted, and the switch clears its NVRAM (UEFI variables). On xl, `"uefi"` boots OVMF. Default: `"bios"`.',
    secure_boot: 'HVM with `firmware = "uefi"`: UEFI Secure Boot (XAPI `platform:secureboot`), taking effect at the next boot. XAPI hosts only. Default: false.',
    once: 'HVM on xapi: `"d"` (CD), `"n"` (network) or `"c"` (disk) for the first start of a VM created or halted when planned; the permanent `order` is restored right after that start, and the next plan is empty. Refused on xl.',
  },
  'vm.memory': {
    static_min: 'Lowest static limit (halted only).',
    static_max: 'Highest static limit (halted only).',
    dynamic_min: 'Lowest balloon target (live).',
    dynamic_max: 'Highest balloon target (live).',
  },
  'vm.disk "NAME"': {
    size: 'Required: a size with a unit, `"20GiB"`; grows in place (online when the guest has PV drivers and the SR\'s driver declares `VDI_RESIZE_ONLINE`, else while halted); a smaller size is refused (`--replace` recreates the VM).',
    sr: 'SR name-label, checked against the host at plan time; a new SR moves the disk (live storage migration for a guest with PV drivers, else a copy while halted). Default: `"Local storage"`.',
    bootable: 'Boot from this disk. Default: false.',
    device: 'userdevice position. Default: assigned in order.',
    keep_on_destroy: 'xapi: removing the disk, or destroying the VM, detaches it and keeps its VDI (the apply names its uuid). Default: false. Refused on xl.',
  },
  'vm.network "NAME"': {
    network: 'Required: network name-label or bridge (`"xenbr0"`), checked against the host at plan time.',
    mac: 'MAC address, `"00:16:3e:12:34:56"`. Default: generated by the host.',
  },
  'vm.cdrom': {
    iso: 'Required: the ISO image in the CD drive, or `null` for an empty drive. On an XAPI host, its name in an ISO SR (`"debian-12.iso"`, checked against the host at plan time); on an xl host, the absolute path of the ISO file in dom0 (`"/var/lib/xen/iso/debian-12.iso"`), HVM guests only (`xl cd-insert`/`cd-eject`; a drive xenform adds is `hdc`). Inserted and ejected live, the xl guest file kept in step; a VM without a CD drive gets one while halted. No block: the drive is left alone.',
  },
  'vm.placement': {
    spread: 'xapi pools: an anti-affinity group, a name shared by the VMs of one host block that should run on distinct pool members. A VM of the group that starts (created or halted) and has no `affinity` is started on an enabled member that runs no other VM of the group and has room (the most free memory first; the plan says which and why, and records it as the VM\'s affinity). Running VMs are never moved for it; when no such member is left the VM is started where xapi places it and the plan warns, naming the group. `apply --evacuate` sends the group\'s VMs to members that run none of it where it can. Refused on xl.',
  },
  'vm.shutdown': {
    mode: '`"clean"` or `"hard"`. Default: `"clean"`.',
    timeout: 'How long a clean shutdown may take, `"2m"`. Default: `"120s"`.',
    fallback: 'After the timeout: `"hard"` or `"fail"`. Default: `"fail"`, also for a VM with no `shutdown` block and for one whose block is gone (its recorded policy, else this default): a clean shutdown never becomes a hard one unless `fallback = "hard"` says so.',
  },
  'vm.lifecycle': {
    prevent_destroy: 'Refuse any plan that destroys or replaces the VM. Default: false.',
    ignore_changes: 'Attribute paths whose changes are ignored, `["tags", "boot.args"]`.',
    max_disruption: 'Refuse plans that disrupt the VM more: `"none"`, `"reboot"`, `"halt"` or `"replace"`. Default: `"replace"`.',
    apply_boot_changes: '`"reboot"` (reboot to apply boot changes) or `"next_boot"` (set them now, mark the VM pending). Default: `"reboot"`.',
    create_before_destroy: 'A replace creates the new VM first, then destroys the old one (shown `+/-`); the old VM is marked deposed until its destroy succeeds. XAPI hosts, or xl with a new `name`. Default: false.',
    allow_vtpm_destroy: 'Let a plan destroy the VM\'s vTPM and the keys it holds (`vtpm = false`, or the VM destroyed or replaced); without it such a plan is refused. Default: false.',
  },
};

export const BLOCKS: [string, BodySchema][] = [
  ['host', HOST_SCHEMA],
  ['vm', VM_SCHEMA],
  ['vm.boot', BOOT_SCHEMA],
  ['vm.memory', MEMORY_SCHEMA],
  ['vm.disk "NAME"', DISK_SCHEMA],
  ['vm.network "NAME"', NETWORK_SCHEMA],
  ['vm.cdrom', CDROM_SCHEMA],
  ['vm.placement', PLACEMENT_SCHEMA],
  ['vm.shutdown', SHUTDOWN_SCHEMA],
  ['vm.lifecycle', LIFECYCLE_SCHEMA],
];

// Attributes a schema accepts that have no description, and descriptions of no attribute.
export function referenceGaps(): string[] {
  const gaps: string[] = [];
  for (const [block, schema] of BLOCKS) {
    const described = DESCRIPTIONS[block] ?? {};
    for (const a of schema.attributes ?? []) if (!described[a]) gaps.push(`${block}.${a} has no description`);
    for (const a of Object.keys(described)) if (!(schema.attributes ?? []).includes(a)) gaps.push(`${block}.${a} is described but not in the schema`);
  }
  return gaps;
}

// The Markdown reference: one table per block, attributes in schema order.
export function attributeReference(): string {
  const out: string[] = [];
  for (const [block, schema] of BLOCKS) {
    const [head, ...rest] = block.split('.');
    const title = rest.length === 0 ? `\`${head}\` block` : `\`${rest.join('.')}\` block inside \`${head}\``;
    out.push(`#### ${title}`, '', '| Attribute | Meaning |', '|---|---|');
    for (const a of schema.attributes ?? []) out.push(`| \`${a}\` | ${(DESCRIPTIONS[block]?.[a] ?? '').replace(/\|/g, '\\|')} |`);
    out.push('');
  }
  return out.join('\n');
}
