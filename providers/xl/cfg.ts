// xl guest configuration files (xl.cfg(5)): generated from VmAttributes, and
// parsed back on refresh. What xl has no key for (description, tags,
// other_config, disk names, the ownership markers) rides in `# xenform-…` comments.
import { MARKER_ADDRESS, MARKER_LINEAGE, type BootAttributes, type NetworkAttributes, type VmAttributes } from '../../planner/model/vm.js';
import { CD_VDEV, cdromFromSpec, cdromSpec } from './cdrom.js';

export type CfgValue = string | number | CfgValue[];

export const MiB = 1024 * 1024;
const MARKER_META = 'xenform-meta';

export interface XlMeta {
  template: string;
  description: string;
  tags: string[];
  other_config: Record<string, string>;
  memory: { static_min: number; dynamic_min: number };
  disks: { name: string; size: number; sr: string; bootable: boolean; device?: string; path: string }[];
  networks: { name: string }[];
}

export interface XlGuest {
  uuid: string;
  attributes: VmAttributes;
  markers: { address?: string; lineage?: string };
  diskPaths: string[]; // one per attributes.disks entry
  cdromVdev?: string; // the CD drive's vdev when the file has one (default hdc)
}

export class CfgError extends Error {
  override name = 'CfgError';
}

function str(value: string, what: string): string {
  if (/[\n\r\0]/.test(value)) throw new CfgError(`${what} contains a line break or NUL, which an xl configuration file cannot hold`);
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const list = (items: string[], what: string): string => `[ ${items.map((i) => str(i, what)).join(', ')} ]`;

export function diskSpec(path: string, vdev: string): string {
  return `format=raw, vdev=${vdev}, access=rw, target=${path}`;
}

// xl-network-configuration(5): the spec of one vif, in the file and for xl network-attach.
export function vifSpec(n: NetworkAttributes): string {
  return `bridge=${n.network}${n.mac ? `,mac=${n.mac}` : ''}`;
}

export function vdevName(device: string | undefined, index: number): string {
  const n = device !== undefined && /^\d+$/.test(device) ? Number(device) : index;
  return device !== undefined && !/^\d+$/.test(device) ? device : `xvd${String.fromCharCode(97 + n)}`;
}

export function renderCfg(guest: XlGuest): string {
  const a = guest.attributes;
  const b = a.boot;
  const meta: XlMeta = {
    template: a.template,
    description: a.description,
    tags: a.tags,
    other_config: a.other_config,
    memory: { static_min: a.memory.static_min, dynamic_min: a.memory.dynamic_min },
    disks: a.disks.map((d, i) => ({ name: d.name, size: d.size, sr: d.sr, bootable: d.bootable, device: d.device, path: guest.diskPaths[i] })),
    networks: a.networks.map((n) => ({ name: n.name })),
  };
  const lines = [
    '# Written by xenform. Changes made here show up as drift in the next plan.',
    ...(guest.markers.address !== undefined ? [`# ${MARKER_ADDRESS} = ${JSON.stringify(guest.markers.address)}`] : []),
    ...(guest.markers.lineage !== undefined ? [`# ${MARKER_LINEAGE} = ${JSON.stringify(guest.markers.lineage)}`] : []),
    `# ${MARKER_META} = ${JSON.stringify(meta)}`,
    `name = ${str(a.name, 'the VM name')}`,
    `uuid = ${str(guest.uuid, 'the uuid')}`,
    `type = ${str(b.mode, 'boot.mode')}`,
    `memory = ${Math.floor(a.memory.dynamic_max / MiB)}`,
    `maxmem = ${Math.floor(a.memory.static_max / MiB)}`,
    `vcpus = ${a.vcpus}`,
    `maxvcpus = ${a.vcpus_max}`,
  ];
  if (b.mode === 'pv') {
    if (b.bootloader) lines.push(`bootloader = ${str(b.bootloader, 'boot.bootloader')}`);
    if (b.bootloader_args) lines.push(`bootloader_args = ${list(b.bootloader_args.split(/\s+/).filter(Boolean), 'boot.bootloader_args')}`);
    if (b.kernel) lines.push(`kernel = ${str(b.kernel, 'boot.kernel')}`);
    if (b.ramdisk) lines.push(`ramdisk = ${str(b.ramdisk, 'boot.ramdisk')}`);
    if (b.args) lines.push(`extra = ${str(b.args, 'boot.args')}`);
  } else {
    lines.push(`boot = ${str(b.order || 'cd', 'boot.order')}`);
    lines.push(`firmware = ${str(b.firmware, 'boot.firmware')}`);
    if (b.args) lines.push(`extra = ${str(b.args, 'boot.args')}`);
  }
  const cd = a.cdrom ? [cdromSpec(guest.cdromVdev ?? CD_VDEV, a.cdrom)] : [];
  lines.push(`disk = ${list([...a.disks.map((d, i) => diskSpec(guest.diskPaths[i], vdevName(d.device, i))), ...cd], 'a disk')}`);
  lines.push(`vif = ${list(a.networks.map(vifSpec), 'a network')}`);
  lines.push('on_poweroff = "destroy"', 'on_reboot = "restart"', 'on_crash = "preserve"', '');
  return lines.join('\n');
}

// --- parsing -------------------------------------------------------------------

export interface ParsedCfg {
  values: Record<string, CfgValue>;
  comments: Record<string, string>; // "# key = value" comment lines
}

export function parseCfg(text: string, file: string): ParsedCfg {
  const values: Record<string, CfgValue> = {};
  const comments: Record<string, string> = {};
  let i = 0;
  let line = 1;
  const fail = (msg: string): never => {
    throw new CfgError(`${file}:${line}: ${msg}`);
  };
  const skip = () => {
    for (;;) {
      const c = text[i];
      if (c === '\n') line++;
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === ';') i++;
      else if (c === '#') {
        const end = text.indexOf('\n', i);
        const comment = text.slice(i + 1, end < 0 ? text.length : end);
        const m = /^\s*(xenform-[a-z-]+)\s*=\s*(.*)$/.exec(comment);
        if (m) comments[m[1]] = m[2].trim();
        i = end < 0 ? text.length : end;
      } else return;
    }
  };
  const value = (): CfgValue => {
    skip();
    const c = text[i];
    if (c === '"' || c === "'") {
      let out = '';
      i++;
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\n') fail('a string is not closed on its line');
        if (text[i] === '\\' && c === '"') {
          i++;
        }
        out += text[i++];
      }
      if (text[i] !== c) fail('a string is not closed');
      i++;
      return out;
    }
    if (c === '[') {
      i++;
      const items: CfgValue[] = [];
      for (;;) {
        skip();
        if (text[i] === ']') {
          i++;
          return items;
        }
        items.push(value());
        skip();
        if (text[i] === ',') i++;
        else if (text[i] !== ']') fail(`expected "," or "]" in a list`);
      }
    }
    const m = /^[0-9a-zA-Z_.+-]+/.exec(text.slice(i));
    if (!m) fail(`unexpected ${JSON.stringify(c ?? 'end of file')}`);
    i += m![0].length;
    return /^-?\d+$/.test(m![0]) ? Number(m![0]) : m![0];
  };
  for (;;) {
    skip();
    if (i >= text.length) break;
    const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i));
    if (!m) fail(`expected a key, found ${JSON.stringify(text[i])}`);
    i += m![0].length;
    skip();
    if (text[i] !== '=') fail(`expected "=" after ${m![0]}`);
    i++;
    values[m![0]] = value();
  }
  return { values, comments };
}

const asString = (v: CfgValue | undefined): string => (v === undefined ? '' : Array.isArray(v) ? v.join(' ') : String(v));
const asNumber = (v: CfgValue | undefined, fallback: number): number => (typeof v === 'number' ? v : v !== undefined && /^\d+$/.test(String(v)) ? Number(v) : fallback);
const asList = (v: CfgValue | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(asString) : [asString(v)]);

function jsonComment<T>(comments: Record<string, string>, key: string): T | undefined {
  const raw = comments[key];
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return undefined;
  }
}

export function bootFromCfg(values: Record<string, CfgValue>): BootAttributes {
  const mode = asString(values.type ?? values.builder) === 'hvm' ? 'hvm' : 'pv';
  const fw = asString(values.firmware ?? values.bios);
  return {
    mode,
    bootloader: asString(values.bootloader),
    kernel: asString(values.kernel),
    ramdisk: asString(values.ramdisk),
    args: asString(values.extra ?? values.cmdline),
    bootloader_args: asList(values.bootloader_args).join(' '),
    order: mode === 'hvm' ? asString(values.boot) || 'cd' : '',
    firmware: fw === 'uefi' || fw === 'ovmf' ? 'uefi' : 'bios',
  };
}

export interface GuestFromCfg {
  uuid: string;
  attributes: Omit<VmAttributes, 'power_state'>;
  markers: { address?: string; lineage?: string };
  diskPaths: string[];
  cdromVdev?: string;
}

// "key=value, key=value" or positional "target,format,vdev,access" specs -> the parts xenform uses.
function parseDiskSpec(spec: string): { target: string; vdev: string } {
  const parts = spec.split(',').map((p) => p.trim());
  const kv = Object.fromEntries(parts.filter((p) => p.includes('=')).map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
  if (kv.target || kv.vdev) return { target: kv.target ?? '', vdev: kv.vdev ?? '' };
  return { target: parts[0] ?? '', vdev: parts[2] ?? '' };
}

export function guestFromCfg(parsed: ParsedCfg): GuestFromCfg {
  const v = parsed.values;
  const meta = jsonComment<Partial<XlMeta>>(parsed.comments, MARKER_META) ?? {};
  const address = jsonComment<string>(parsed.comments, MARKER_ADDRESS);
  const lineage = jsonComment<string>(parsed.comments, MARKER_LINEAGE);
  const memory = asNumber(v.memory, 128) * MiB;
  const maxmem = asNumber(v.maxmem, asNumber(v.memory, 128)) * MiB;
  const vcpus = asNumber(v.vcpus, 1);
  const specs = asList(v.disk);
  const cd = specs.map(cdromFromSpec).find((c) => c !== undefined);
  const disks = specs.filter((s) => cdromFromSpec(s) === undefined).map(parseDiskSpec);
  const vifs = asList(v.vif).map((spec) =>
    Object.fromEntries(spec.split(',').map((p) => p.trim()).filter((p) => p.includes('=')).map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)])),
  );
  return {
    uuid: asString(v.uuid),
    markers: { ...(address !== undefined ? { address } : {}), ...(lineage !== undefined ? { lineage } : {}) },
    diskPaths: disks.map((d) => d.target),
    ...(cd ? { cdromVdev: cd.vdev } : {}),
    attributes: {
      name: asString(v.name),
      description: meta.description ?? '',
      template: meta.template ?? '',
      memory: {
        static_min: Math.min(meta.memory?.static_min ?? memory, memory),
        static_max: maxmem,
        dynamic_min: Math.min(meta.memory?.dynamic_min ?? memory, memory),
        dynamic_max: memory,
      },
      vcpus,
      vcpus_max: asNumber(v.maxvcpus, vcpus),
      boot: bootFromCfg(v),
      disks: disks.map((d, i) => {
        const m = meta.disks?.find((x) => x.path === d.target);
        const device = m ? m.device : d.vdev;
        return { name: m?.name ?? `disk${i}`, size: m?.size ?? 0, sr: m?.sr ?? '', bootable: m?.bootable ?? i === 0, ...(device ? { device } : {}) };
      }),
      networks: vifs.map((vif, i) => ({
        name: meta.networks?.[i]?.name ?? `eth${i}`,
        network: vif.bridge ?? '',
        ...(vif.mac ? { mac: vif.mac } : {}),
      })),
      ...(cd ? { cdrom: { iso: cd.iso } } : {}),
      tags: meta.tags ?? [],
      other_config: meta.other_config ?? {},
    },
  };
}
