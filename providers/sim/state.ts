// The persisted model of one simulated host: XAPI objects (current xapi, see
// research/xapi-spec.md) and, for plain-Xen hosts, xl domains. Kept compact: only
// what cannot be derived is stored; the record modules (xapi/*-record*.ts) derive the rest when printing.

export type Power = 'halted' | 'paused' | 'running' | 'suspended';
export type Map = Record<string, string>;

export interface Operation {
  task: string; // task uuid
  op: string; // vm_operations name, e.g. "clean_shutdown"
  pid: number; // the process running it; <= 0 marks a process that was killed
  args?: Map; // what the completion needs (e.g. paused=true)
}

export interface Vm {
  uuid: string;
  name: string;
  desc: string;
  template: boolean;
  defaultTemplate: boolean;
  control: boolean;
  power: Power;
  smin: number;
  smax: number;
  dmin: number;
  dmax: number;
  vcpusMax: number;
  vcpusAtStartup: number;
  vcpusLive: number; // VCPUs-number while a domain exists
  afterShutdown: string; // API enum names, lowercase: destroy, restart, ...
  afterReboot: string;
  afterCrash: string;
  afterSoftreboot: string;
  hvmPolicy: string;
  hvmParams: Map;
  domainType: string; // hvm, pv, pv_in_pvh, pvh, unspecified
  pvKernel: string;
  pvRamdisk: string;
  pvArgs: string;
  pvLegacyArgs: string;
  pvBootloader: string;
  pvBootloaderArgs: string;
  platform: Map;
  other: Map;
  xenstore: Map;
  vcpuParams: Map;
  blocked: Map;
  tags: string[];
  domid: number;
  residentOn: string | null;
  startTime: number | null; // ms since epoch
  installTime: number;
  suspendVdi: string | null;
  suspendSr: string | null;
  ops: Operation[];
  shadowMultiplier: number;
  userVersion: number;
  hasVendorDevice: boolean;
  startDelay: number;
  shutdownDelay: number;
  order: number;
  haRestartPriority: string;
  affinity: string | null;
  referenceLabel: string;
  recommendations: string;
  lastBoot: string; // last-boot-record: xenopsd's metadata, set on suspend only
  bootedDomainType: string; // current-domain-type while a domain exists
  consoleUuid: string | null;
  crashAt?: number; // a crash fault scheduled for this domain (ms since epoch)
  snapshotOf?: string; // a snapshot (VM.is_a_snapshot): the VM it was taken of
  nvram?: Map; // NVRAM (UEFI variables); absent: empty
  vtpms?: Vtpm[]; // its VTPMs (at most one); absent: none
  // The simulator's own record, for tests: each power state the VM entered, oldest first
  // (the last POWER_HISTORY_KEPT). A reboot enters 'halted' then 'running': its guest went down.
  powerHistory?: Power[];
  // The HVM boot order each domain was built with, oldest first (the last POWER_HISTORY_KEPT).
  bootOrders?: string[];
}

export const POWER_HISTORY_KEPT = 32;

export interface Vdi {
  uuid: string;
  name: string;
  desc: string;
  sr: string;
  size: number;
  type: string; // system, user, suspend, ...
  sharable: boolean;
  readOnly: boolean;
  other: Map;
  smConfig: Map;
  tags: string[];
  snapshotOf?: string; // a snapshot (VDI.is_a_snapshot): the VDI it was taken of
}

// A VTPM (xapi_vtpm.ml): its contents are a secret xenform never reads.
export interface Vtpm {
  uuid: string;
  vm: string;
  unique: boolean;
}

export interface Vbd {
  uuid: string;
  vm: string;
  vdi: string | null;
  userdevice: string;
  bootable: boolean;
  mode: 'RO' | 'RW';
  type: 'Disk' | 'CD' | 'Floppy';
  unpluggable: boolean;
  attached: boolean;
  other: Map;
}

export interface Vif {
  uuid: string;
  vm: string;
  network: string;
  device: string;
  mac: string;
  macAuto: boolean;
  mtu: number;
  attached: boolean;
  other: Map;
}

export interface Sr {
  uuid: string;
  name: string;
  desc: string;
  type: string;
  contentType: string;
  shared: boolean;
  size: number;
  other: Map;
  host?: string; // a local (not shared) SR of a pool member other than the master: its uuid
}

export interface Network {
  uuid: string;
  name: string;
  desc: string;
  bridge: string;
  mtu: number;
  other: Map;
}

export const DEFAULT_HOST_CPUS = 16;

export interface Host {
  uuid: string;
  name: string;
  memory: number; // bytes of RAM
  cpus?: number; // pCPUs (host cpu_info cpu_count); hosts made before it was kept have 16
  defaultSr: string; // the pool's default SR
  enabled?: boolean; // false after host-disable (absent: enabled)
}

// One xl domain. A plain-Xen host keeps no record of halted guests.
export interface XlDomain {
  domid: number;
  name: string;
  uuid: string;
  config: Record<string, XlValue>; // the parsed guest configuration
  configPath: string;
  state: 'running' | 'paused' | 'crashed' | 'shutdown';
  reason: string; // shutdown reason letter for the 5th column, "-" for none
  startTime: number;
  vcpusOnline?: number; // after xl vcpu-set; absent: the config's vcpus
  nicDevids?: number[]; // the devid of each `vif` entry after network-attach/-detach; absent: 0, 1, ...
  shutdownAt?: number; // a clean shutdown in progress completes at this time
  rebootAt?: number;
  crashAt?: number;
}

export type XlValue = string | number | XlValue[];

export interface SimState {
  v: 1;
  toolstack: 'xapi' | 'xl';
  seed: string | null; // deterministic uuids for tests (XENSIM_SEED)
  seq: number; // objects created so far (feeds the seeded uuids)
  nextDomid: number;
  calls: Record<string, number>; // per-command call counts, for the "fail"/"kill_during" faults
  host: Host; // the pool master (a single host is a pool of one)
  members?: Host[]; // the pool's other members, absent on a single host
  vms: Record<string, Vm>;
  vdis: Record<string, Vdi>;
  vbds: Record<string, Vbd>;
  vifs: Record<string, Vif>;
  srs: Record<string, Sr>;
  networks: Record<string, Network>;
  domains: XlDomain[];
  // The most pool migrations ever in progress at once (pool.ts noteMigrationStart): the
  // simulator's record that a drain kept to its --max-unavailable.
  migrationsInFlightPeak?: number;
}

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;
