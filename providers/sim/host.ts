// A new simulated host as it looks after installation: the host, dom0, the default
// templates, a local SR and an ISO library, and the eth0 network on xenbr0.
// Template contents follow XCP-ng 8.3's defaults where known; the exact numbers are
// [UNCONFIRMED] choices.
import { newUuid } from './ids.js';
import { DEFAULT_HOST_CPUS, GiB, MiB, type Host, type Power, type SimState, type Vm } from './state.js';

export interface HostOptions {
  toolstack: 'xapi' | 'xl';
  hostname: string;
  seed: string | null;
  hostMemoryMib: number | null;
  hostCpus?: number | null;
  // A XAPI pool (XENSIM_HOSTS, simulator_hosts): the members' names, the first the master.
  members?: string[];
}

// DiskDevices.toxml: one system disk at position 0 (10G in most templates, 15G in the EL 9/10 ones).
const systemDisk = (size: number): string => `<provision><disk bootable="true" size="${size}" sr="" type="system" device="0"/></provision>`;

export function blankVm(st: SimState, name: string, power: Power = 'halted'): Vm {
  return {
    uuid: newUuid(st),
    name,
    desc: '',
    template: false,
    defaultTemplate: false,
    control: false,
    power,
    smin: 128 * MiB,
    smax: 256 * MiB,
    dmin: 256 * MiB,
    dmax: 256 * MiB,
    vcpusMax: 1,
    vcpusAtStartup: 1,
    vcpusLive: 0,
    afterShutdown: 'destroy',
    afterReboot: 'restart',
    afterCrash: 'destroy',
    afterSoftreboot: 'soft_reboot',
    hvmPolicy: '',
    hvmParams: {},
    domainType: 'unspecified',
    pvKernel: '',
    pvRamdisk: '',
    pvArgs: '',
    pvLegacyArgs: '',
    pvBootloader: '',
    pvBootloaderArgs: '',
    platform: {},
    other: {},
    xenstore: {},
    vcpuParams: {},
    blocked: {},
    tags: [],
    domid: -1,
    residentOn: null,
    startTime: null,
    installTime: Date.now(),
    suspendVdi: null,
    suspendSr: null,
    ops: [],
    shadowMultiplier: 1,
    userVersion: 1,
    hasVendorDevice: false,
    startDelay: 0,
    shutdownDelay: 0,
    order: 0,
    haRestartPriority: '',
    affinity: null,
    referenceLabel: '',
    recommendations: '',
    lastBoot: '',
    bootedDomainType: 'unspecified',
    consoleUuid: null,
  };
}

// base-hvmlinux.json's restrictions (Recommendations.toxml); UEFI ones add supports-uefi/secure-boot.
function linuxRecommendations(firmware: 'bios' | 'uefi'): string {
  const uefi = firmware === 'uefi' ? '<restriction field="supports-uefi" value="yes"/><restriction field="supports-secure-boot" value="yes"/>' : '';
  return '<restrictions><restriction field="memory-static-max" max="1649267441664"/><restriction field="vcpus-max" max="32"/><restriction field="has-vendor-device" value="false"/>' +
    `<restriction field="allow-gpu-passthrough" value="1"/><restriction field="allow-vgpu" value="1"/>${uefi}<restriction property="number-of-vbds" max="255"/><restriction property="number-of-vifs" max="7"/></restrictions>`;
}

function stockLinux(
  st: SimState, fixedUuid: string | null, name: string, label: string, minMemory: number, firmware: 'bios' | 'uefi', other: Record<string, string>, disk = 10 * GiB,
): void {
  const vm = blankVm(st, name);
  const uuid = fixedUuid ?? vm.uuid; // the template's own uuid from its JSON
  Object.assign(vm, {
    uuid,
    template: true,
    defaultTemplate: true,
    desc: 'To use this template from the CLI, install your VM using vm-install, then set other-config-install-repository to the path to your network repository, e.g. http://<server>/<path> or nfs:server:/<path>',
    smin: minMemory,
    smax: 2 * minMemory,
    dmin: 2 * minMemory,
    dmax: 2 * minMemory,
    domainType: 'hvm',
    hvmPolicy: 'BIOS order',
    hvmParams: firmware === 'uefi' ? { firmware: 'uefi', order: 'cdn' } : { order: 'cdn' },
    afterCrash: 'restart',
    platform: {
      nx: 'true', acpi: '1', apic: 'true', pae: 'true', hpet: 'true', vga: 'std', videoram: '8', viridian: 'false', device_id: '0001',
      ...(firmware === 'uefi' ? { secureboot: 'auto' } : {}),
    },
    other: { default_template: 'true', linux_template: 'true', 'install-methods': 'cdrom,nfs,http,ftp', ...other, disks: systemDisk(disk) },
    referenceLabel: label,
    recommendations: linuxRecommendations(firmware),
  });
  st.vms[uuid] = vm;
}

const RECOMMENDATIONS =
  '<restrictions><restriction field="memory-static-max" max="1649267441664"/><restriction field="vcpus-max" max="32"/><restriction property="number-of-vbds" max="255"/><restriction property="number-of-vifs" max="7"/></restrictions>';

export function createHost(o: HostOptions): SimState {
  const st: SimState = {
    v: 1,
    toolstack: o.toolstack,
    seed: o.seed,
    seq: 0,
    nextDomid: 1,
    calls: {},
    host: { uuid: '', name: o.hostname, memory: (o.hostMemoryMib ?? 256 * 1024) * MiB, cpus: o.hostCpus ?? DEFAULT_HOST_CPUS, defaultSr: '' },
    vms: {},
    vdis: {},
    vbds: {},
    vifs: {},
    srs: {},
    networks: {},
    domains: [],
  };
  st.host.uuid = newUuid(st);

  if (o.members && o.members.length > 0) st.host.name = o.members[0];
  addControlDomain(st, st.host);

  // The stock Linux templates, as XCP-ng's guest-templates-json builds them
  // (guesttemplates/blank_template.py `BaseTemplate`: static-min = min_memory, the other
  // three limits twice that; one provisioned disk in other-config:disks). Debian 12 is
  // xcp-ng-rpms/guest-templates-json f5694e5a29 SOURCES/debian-12.json (8.2 line): HVM from
  // base-hvmlinux.json, BIOS order "cdn", min_memory 512M, a 10G disk. The generic ones are
  // SOURCES/generic-linux-{bios,uefi}.json (branches 8.2 and 8.3, e06b237): base-hvmlinux and
  // base-linux-uefi (firmware uefi, platform secureboot "auto"), min_memory 1G, a 10G disk.
  // [UNCONFIRMED] which base XCP-ng 8.3's upstream tarball (2.0.15) gives Debian 12.
  // (The generic ones are made last, keeping the uuids of everything else as they were.)
  stockLinux(st, null, 'Debian Bookworm 12', 'debian-12', 512 * MiB, 'bios', { 'install-distro': 'debianlike', 'install-repository': 'cdrom' });

  const other = blankVm(st, 'Other install media');
  Object.assign(other, {
    template: true,
    defaultTemplate: true,
    desc: 'Template which allows VM installation from install media',
    smin: 256 * MiB,
    smax: 1 * GiB,
    dmin: 1 * GiB,
    dmax: 1 * GiB,
    vcpusMax: 1,
    domainType: 'hvm',
    hvmPolicy: 'BIOS order',
    hvmParams: { order: 'cd' },
    afterCrash: 'restart',
    platform: { timeoffset: '0', 'device-model': 'qemu-upstream-compat', viridian: 'false', acpi: '1', apic: 'true', pae: 'true', nx: 'true', hpet: 'true' },
    other: { default_template: 'true', 'install-methods': 'cdrom' },
    referenceLabel: 'other-install-media',
    recommendations: RECOMMENDATIONS,
  });
  st.vms[other.uuid] = other;

  const local = newUuid(st);
  st.srs[local] = { uuid: local, name: 'Local storage', desc: '', type: 'ext', contentType: 'user', shared: false, size: 500 * GiB, other: { 'i18n-key': 'local-storage' } };
  const iso = newUuid(st);
  st.srs[iso] = { uuid: iso, name: 'ISO library', desc: '', type: 'iso', contentType: 'iso', shared: false, size: 50 * GiB, other: { 'i18n-key': 'local-iso' } };
  st.host.defaultSr = local;
  const isoVdi = newUuid(st);
  st.vdis[isoVdi] = {
    uuid: isoVdi, name: 'debian-12.7.0-amd64-netinst.iso', desc: '', sr: iso, size: 660 * MiB, type: 'user',
    sharable: false, readOnly: true, other: {}, smConfig: {}, tags: [],
  };

  const eth0 = newUuid(st);
  st.networks[eth0] = { uuid: eth0, name: 'Pool-wide network associated with eth0', desc: '', bridge: 'xenbr0', mtu: 1500, other: {} };
  const internal = newUuid(st);
  st.networks[internal] = {
    uuid: internal, name: 'Host internal management network', desc: 'Network on which guests will be assigned a private link-local IP address which can be used to talk XenAPI',
    bridge: 'xenapi', mtu: 1500, other: { is_guest_installer_network: 'true', is_host_internal_management_network: 'true' },
  };

  if (o.toolstack === 'xl') {
    st.domains.push({
      domid: 0, name: 'Domain-0', uuid: '00000000-0000-0000-0000-000000000000', config: { memory: 4096, vcpus: 4 },
      configPath: '', state: 'running', reason: '-', startTime: Date.now(),
    });
  }
  stockLinux(st, 'dfbd1201-329f-4c87-9f0c-78a6f5270ba0', 'Generic Linux BIOS', 'generic-linux-bios', 1 * GiB, 'bios', {});
  stockLinux(st, 'b73b736f-8dee-4bbe-9380-30d1e1854958', 'Generic Linux UEFI', 'generic-linux-uefi', 1 * GiB, 'uefi', {});
  // XCP-ng 8.3's additions (xcp-ng-rpms/guest-templates-json branch 8.3, ef9e5bba, added in
  // d5f6dbb7 "Rebase on 2.0.14-1 and add new templates"): each SOURCES/<label>.json derives
  // from base-linux-uefi.json (UEFI, secure boot "auto"). An 8.2 host lacks them.
  stockLinux(st, '0f690a2c-2bf3-4bde-b5b6-3fd236adbc88', 'Debian Trixie 13', 'debian-13', 1 * GiB, 'uefi', {});
  stockLinux(st, '1d1fef56-2e79-49cb-97bb-ec5401096b0b', 'AlmaLinux 10', 'almalinux-10', 2 * GiB, 'uefi', {}, 15 * GiB);
  stockLinux(st, '651760be-61eb-42d2-b49b-6df2521266c5', 'Rocky Linux 10', 'rocky-10', 2 * GiB, 'uefi', {}, 15 * GiB);
  stockLinux(st, '64310f80-396d-4096-bfae-3d2bdbb6e8b2', 'Oracle Linux 10', 'oel-10', 2 * GiB, 'uefi', {}, 15 * GiB);
  if (o.members && o.members.length > 1) addMembers(st, o.members.slice(1));
  return st;
}

function addControlDomain(st: SimState, host: Host): void {
  const dom0 = blankVm(st, `Control domain on host: ${host.name}`, 'running');
  Object.assign(dom0, {
    control: true,
    desc: 'The domain which manages physical devices and manages other domains',
    smin: 4 * GiB,
    smax: 4 * GiB,
    dmin: 4 * GiB,
    dmax: 4 * GiB,
    vcpusMax: 4,
    vcpusAtStartup: 4,
    vcpusLive: 4,
    domid: 0,
    domainType: 'pv',
    bootedDomainType: 'pv',
    residentOn: host.uuid,
    startTime: Date.now(),
    other: { storage_driver_domain: '', is_system_domain: 'true', perfmon: '' },
  });
  dom0.consoleUuid = newUuid(st);
  st.vms[dom0.uuid] = dom0;
}

// The other members of a pool, each with its control domain and its own local SR, and the
// pool's shared SR, which becomes the default one (a pool that live-migrates keeps its
// disks on shared storage; local ones pin a VM to its member, see pool.ts).
function addMembers(st: SimState, names: string[]): void {
  st.members = [];
  for (const name of names) {
    const host: Host = { uuid: newUuid(st), name, memory: st.host.memory, cpus: st.host.cpus, defaultSr: '' };
    st.members.push(host);
    addControlDomain(st, host);
    const local = newUuid(st);
    st.srs[local] = { uuid: local, name: 'Local storage', desc: '', type: 'ext', contentType: 'user', shared: false, size: 500 * GiB, other: { 'i18n-key': 'local-storage' }, host: host.uuid };
  }
  const shared = newUuid(st);
  st.srs[shared] = { uuid: shared, name: 'Shared storage', desc: '', type: 'nfs', contentType: 'user', shared: true, size: 2048 * GiB, other: {} };
  for (const h of [st.host, ...st.members]) h.defaultSr = shared;
}
