// A new simulated host as it looks after installation: the host, dom0, the default
// templates, a local SR and an ISO library, and the eth0 network on xenbr0.
// Template contents follow XCP-ng 8.3's defaults where known; the exact numbers are
// [UNCONFIRMED] choices.
import { newUuid } from './ids.js';
import { DEFAULT_HOST_CPUS, GiB, MiB, type Power, type SimState, type Vm } from './state.js';

export interface HostOptions {
  toolstack: 'xapi' | 'xl';
  hostname: string;
  seed: string | null;
  hostMemoryMib: number | null;
  hostCpus?: number | null;
}

const DEBIAN_DISKS = `<provision><disk device="0" size="${10 * GiB}" sr="" bootable="true" type="system"/></provision>`;

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

  const dom0 = blankVm(st, `Control domain on host: ${o.hostname}`, 'running');
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
    residentOn: st.host.uuid,
    startTime: Date.now(),
    other: { storage_driver_domain: '', is_system_domain: 'true', perfmon: '' },
  });
  dom0.consoleUuid = newUuid(st);
  st.vms[dom0.uuid] = dom0;

  const debian = blankVm(st, 'Debian Bookworm 12');
  Object.assign(debian, {
    template: true,
    defaultTemplate: true,
    desc: 'To use this template from the CLI, install your VM using vm-install, then set other-config-install-repository to the path to your network repository, e.g. http://<server>/<path>',
    smin: 512 * MiB,
    smax: 1 * GiB,
    dmin: 1 * GiB,
    dmax: 1 * GiB,
    domainType: 'pv',
    pvBootloader: 'pygrub',
    afterCrash: 'restart',
    platform: { viridian: 'false', acpi: '1', apic: 'true', pae: 'true', nx: 'true' },
    other: {
      default_template: 'true',
      linux_template: 'true',
      'install-methods': 'cdrom,nfs,http,ftp',
      'install-distro': 'debianlike',
      'install-repository': 'cdrom',
      disks: DEBIAN_DISKS,
    },
    referenceLabel: 'debian-12',
    recommendations: RECOMMENDATIONS,
  });
  st.vms[debian.uuid] = debian;

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
  return st;
}
