// An xl domain's configuration as libxl sees it: the values the guest config gives,
// with xl's defaults, and the libxl JSON that `xl list -l` prints (the shape of the
// real Xen 4.17 captures in test/fixtures/xl-real).
import type { XlDomain, XlValue } from '../state.js';
import { cfgNumber, cfgString } from './cfg.js';
import { diskParts } from './devices.js';

export interface Built {
  type: 'pv' | 'pvh' | 'hvm';
  memoryMib: number;
  maxmemMib: number;
  vcpus: number;
  maxvcpus: number;
  onPoweroff: string;
  onReboot: string;
  onCrash: string;
}

export function built(cfg: Record<string, XlValue>): Built {
  const builder = cfgString(cfg, 'builder');
  const type = (cfgString(cfg, 'type') ?? (builder === 'hvm' ? 'hvm' : 'pv')) as Built['type'];
  const memoryMib = cfgNumber(cfg, 'memory') ?? 128;
  const vcpus = cfgNumber(cfg, 'vcpus') ?? 1;
  return {
    type,
    memoryMib,
    maxmemMib: cfgNumber(cfg, 'maxmem') ?? memoryMib,
    vcpus,
    maxvcpus: cfgNumber(cfg, 'maxvcpus') ?? vcpus,
    onPoweroff: (cfgString(cfg, 'on_poweroff') ?? 'destroy').replace(/-/g, '_'),
    onReboot: (cfgString(cfg, 'on_reboot') ?? 'restart').replace(/-/g, '_'),
    onCrash: (cfgString(cfg, 'on_crash') ?? 'destroy').replace(/-/g, '_'),
  };
}

// The kernel command line xl builds: cmdline, else root= and extra.
function cmdline(cfg: Record<string, XlValue>): string | undefined {
  const c = cfgString(cfg, 'cmdline');
  if (c !== undefined) return c;
  const root = cfgString(cfg, 'root');
  const extra = cfgString(cfg, 'extra');
  if (root === undefined && extra === undefined) return undefined;
  return [root !== undefined ? `root=${root}` : undefined, extra].filter((x) => x !== undefined).join(' ');
}

type Json = string | number | Json[] | { [k: string]: Json };

function strings(v: XlValue | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

const SCHED = { sched: 'credit2', weight: 256, cap: 0 };

export function domainJson(d: XlDomain): Json {
  if (d.domid === 0) {
    return {
      c_info: { type: 'pv', name: d.name },
      b_info: { max_memkb: 786432, target_memkb: 786431, sched_params: SCHED, 'type.pv': {}, arch_arm: {}, arch_x86: {} },
    };
  }
  const cfg = d.config;
  const b = built(cfg);
  const bInfo: { [k: string]: Json } = {
    max_vcpus: b.maxvcpus,
    // libxl_retrieve_domain_configuration reports the vCPUs online now, not the config's.
    avail_vcpus: Array.from({ length: d.vcpusOnline ?? b.vcpus }, (_, i) => i),
    max_memkb: b.maxmemMib * 1024,
    target_memkb: b.memoryMib * 1024,
    video_memkb: b.type === 'hvm' ? 8192 : 0,
    sched_params: SCHED,
    claim_mode: 'True',
  };
  const kernel = cfgString(cfg, 'kernel');
  const cl = cmdline(cfg);
  const ramdisk = cfgString(cfg, 'ramdisk');
  if (kernel !== undefined) bInfo.kernel = kernel;
  if (cl !== undefined) bInfo.cmdline = cl;
  if (ramdisk !== undefined) bInfo.ramdisk = ramdisk;
  if (b.type === 'hvm') {
    const hvm: { [k: string]: Json } = {};
    // xl_parse.c: for HVM, firmware= "uefi"/"ovmf", "seabios", "rombios" pick the BIOS type
    // (build_info.u.hvm.bios), "bios" the device model's default, anything else is a path to a
    // custom firmware (u.hvm.firmware); the older bios= names the type directly (xl.cfg(5)).
    const fw = cfgString(cfg, 'firmware') ?? cfgString(cfg, 'bios');
    if (fw === 'uefi' || fw === 'ovmf') hvm.bios = 'ovmf';
    else if (fw === 'seabios' || fw === 'rombios') hvm.bios = fw;
    else if (fw !== undefined && fw !== 'bios') hvm.firmware = fw;
    hvm.boot = cfgString(cfg, 'boot') ?? 'cd';
    bInfo['type.hvm'] = hvm;
  } else {
    const pv: { [k: string]: Json } = {};
    const bl = cfgString(cfg, 'bootloader');
    if (bl !== undefined) pv.bootloader = bl;
    const blArgs = strings(cfg.bootloader_args);
    if (blArgs.length) pv.bootloader_args = blArgs;
    bInfo[`type.${b.type}`] = pv;
  }
  bInfo.arch_arm = {};
  bInfo.arch_x86 = { msr_relaxed: 'False' };
  const config: { [k: string]: Json } = {
    c_info: { type: b.type, name: d.name, domid: 4294967295, uuid: d.uuid, run_hotplug_scripts: 'True' },
    b_info: bInfo,
  };
  // [UNCONFIRMED] device entries: the captures have no disks or vifs.
  const disks = strings(cfg.disk).map((spec) => {
    const parts = spec.split(',').map((s) => s.trim());
    const { target, vdev, cdrom } = diskParts(spec);
    const access = parts.find((p) => p.startsWith('access='))?.slice(7) ?? parts[2] ?? 'w';
    const disk: { [k: string]: Json } = { pdev_path: target, vdev, format: 'raw', readwrite: access.startsWith('r') && access !== 'rw' ? 0 : 1 };
    if (cdrom) disk.is_cdrom = 1;
    return disk;
  });
  if (disks.length) config.disks = disks;
  const nics = strings(cfg.vif).map((spec, i) => {
    const nic: { [k: string]: Json } = { devid: d.nicDevids?.[i] ?? i };
    for (const kv of spec.split(',')) {
      const [k, v] = kv.trim().split('=');
      if (k === 'mac' || k === 'bridge' || k === 'ip' || k === 'model') nic[k] = v ?? '';
    }
    return nic;
  });
  if (nics.length) config.nics = nics;
  // libxl leaves out actions equal to the default (destroy).
  if (b.onPoweroff !== 'destroy') config.on_poweroff = b.onPoweroff;
  if (b.onReboot !== 'destroy') config.on_reboot = b.onReboot;
  if (b.onCrash !== 'destroy') config.on_crash = b.onCrash;
  config.on_soft_reset = 'soft_reset';
  return config;
}

// yajl's pretty printer as xl uses it: 4-space indent, and an empty map on two lines
// with an empty line between.
export function yajl(v: Json, indent = ''): string {
  const inner = indent + '    ';
  if (Array.isArray(v)) {
    if (v.length === 0) return `[\n\n${indent}]`;
    return `[\n${v.map((x) => inner + yajl(x, inner)).join(',\n')}\n${indent}]`;
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v);
    if (entries.length === 0) return `{\n\n${indent}}`;
    return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${yajl(x, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(v);
}
