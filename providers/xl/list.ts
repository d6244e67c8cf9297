// `xl list` (the state letters) and `xl list -l` (the domains' build configuration, JSON).
import type { BootAttributes, PowerState } from '../../planner/model/vm.js';

export interface XlDomainRow {
  name: string;
  domid: number;
  memMiB: number;
  vcpus: number;
  state: string; // six letters: r b p s <reason> d
}

export function parseXlList(stdout: string): XlDomainRow[] {
  const rows: XlDomainRow[] = [];
  for (const line of stdout.split('\n')) {
    if (line.trim() === '' || line.startsWith('Name ')) continue;
    const fields = line.trim().split(/\s+/);
    if (fields.length < 6) continue;
    const [domid, mem, vcpus, state] = fields.slice(-5, -1);
    rows.push({ name: fields.slice(0, -5).join(' '), domid: Number(domid), memMiB: Number(mem), vcpus: Number(vcpus), state });
  }
  return rows;
}

// The state letters -> a power state: the 5th letter is the shutdown reason ("c" crash).
export function powerFromLetters(state: string): PowerState {
  if (state[4] === 'c' || state[4] === 'w') return 'crashed';
  if (state[2] === 'p') return 'paused';
  if (state[3] === 's' || state[5] === 'd') return 'halted';
  return 'running';
}

export interface XlDomainConfig {
  domid: number;
  uuid: string;
  name: string;
  booted: BootAttributes;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const s = (v: unknown): string => (typeof v === 'string' ? v : '');

// libxl prints keyed unions as "type.pv": {...}; accept {"type": {"pv": {...}}} too.
function union(b: Json, kind: string): Json {
  return obj(b[`type.${kind}`] ?? obj(b.type)[kind] ?? obj(b.u)[kind]);
}

export function parseXlListLong(stdout: string): XlDomainConfig[] {
  const text = stdout.trim();
  if (text === '') return [];
  const data = JSON.parse(text) as unknown;
  const domains = Array.isArray(data) ? data : [data];
  return domains.map((d) => {
    const dom = obj(d);
    const config = obj(dom.config);
    const c = obj(config.c_info);
    const b = obj(config.b_info);
    const hvm = s(c.type) === 'hvm';
    const pv = union(b, 'pv');
    const hv = union(b, 'hvm');
    const bios = s(hv.bios ?? hv.firmware);
    const bootloaderArgs = pv.bootloader_args;
    return {
      domid: Number(dom.domid ?? -1),
      uuid: s(c.uuid),
      name: s(c.name),
      booted: {
        mode: hvm ? 'hvm' : 'pv',
        bootloader: s(pv.bootloader),
        kernel: s(pv.kernel ?? b.kernel),
        ramdisk: s(pv.ramdisk ?? b.ramdisk),
        args: s(pv.cmdline ?? b.cmdline),
        bootloader_args: Array.isArray(bootloaderArgs) ? bootloaderArgs.map(s).join(' ') : s(bootloaderArgs),
        order: hvm ? s(hv.boot) || 'cd' : '',
        firmware: bios === 'ovmf' || bios === 'uefi' ? 'uefi' : 'bios',
      },
    };
  });
}

// `xl network-list <domain>`: a header, then one row per vif whose first column is its devid.
export function parseNetworkList(text: string): number[] {
  return text
    .split('\n')
    .slice(1)
    .map((l) => /^(\d+)\s/.exec(l)?.[1])
    .filter((x): x is string => x !== undefined)
    .map(Number);
}
