// xl's device commands on a running domain (xl(1) "DEVICE COMMANDS"): block-attach/-detach,
// network-attach/-detach/-list, cd-insert/-eject. libxl records a device added or removed in
// the domain's stored configuration, so `xl list -l` shows it and a reboot keeps it; the
// simulator keeps the live devices in the domain's config (`disk`, `vif`) the same way.
// The usage and error texts follow Xen 4.17 tools/xl/xl_block.c, xl_nic.c, xl_cdrom.c. Captured
// on the real Xen 4.17.5 host of test/xen (2026-12-06): the cd-insert/cd-eject texts and exit
// codes, block-detach and network-detach of an unknown device; the other texts are
// [UNCONFIRMED: from the sources as remembered].
import type { SimState, XlDomain, XlValue } from '../state.js';
import { built } from './domain.js';

export class XlDeviceExit extends Error {
  constructor(
    readonly code: number,
    readonly stderr: string,
    readonly stdout = '',
  ) {
    super(stderr);
  }
}

type Find = (st: SimState, id: string) => XlDomain | null;
type Out = { stdout: string; stderr: string };

const list = (v: XlValue | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

// A disk spec's parts (xl-disk-configuration(5)): positional target, format, vdev, access,
// or key=value. Returns the vdev, the target and whether it is a CD-ROM.
export function diskParts(spec: string): { vdev: string; target: string; cdrom: boolean } {
  const parts = spec.split(',').map((s) => s.trim());
  const keyed = (k: string) => parts.find((p) => p.startsWith(`${k}=`))?.slice(k.length + 1);
  const positional = parts.filter((p) => !p.includes('='));
  // Positional order: target, format, vdev, access; the deprecated form names "hdc:cdrom" second.
  const legacy = positional.find((p) => p.endsWith(':cdrom'));
  const cdrom = parts.includes('cdrom') || keyed('devtype') === 'cdrom' || legacy !== undefined;
  const target = keyed('target') ?? (positional[0] ?? '').replace(/^(phy|file|tap|aio|raw):/, '');
  const vdev = keyed('vdev') ?? (legacy !== undefined ? legacy.slice(0, -':cdrom'.length) : (positional[2] ?? ''));
  return { vdev, target: cdrom && target === 'cdrom' ? '' : target, cdrom };
}

function running(find: Find, st: SimState, id: string | undefined, usage: string): XlDomain {
  if (id === undefined) throw new XlDeviceExit(2, usage);
  const d = find(st, id);
  if (!d) throw new XlDeviceExit(1, `libxl: error: libxl_domain.c:1897:libxl_domain_info: Domain ${id}:Non-existant domain\n`);
  return d;
}

// The devid of each of the domain's vifs, in config order (devids are never reused).
function devids(d: XlDomain): number[] {
  const n = list(d.config.vif).length;
  const known = d.nicDevids ?? [];
  return Array.from({ length: n }, (_, i) => known[i] ?? i);
}

export function deviceCommands(find: Find): Record<string, (args: string[], st: SimState) => Out> {
  return {
    'block-attach': (args, st) => {
      const d = running(find, st, args[0], "'xl block-attach' requires at least 2 arguments.\n\n");
      const spec = args.slice(1).join(',');
      if (spec === '') throw new XlDeviceExit(2, "'xl block-attach' requires at least 2 arguments.\n\n");
      const { vdev } = diskParts(spec);
      if (list(d.config.disk).some((s) => diskParts(s).vdev === vdev)) {
        throw new XlDeviceExit(1, `libxl: error: libxl_device.c:1190:device_addrm_aocomplete: unable to add device with path /local/domain/0/backend/vbd/${d.domid}/${vdev}\n`);
      }
      d.config = { ...d.config, disk: [...list(d.config.disk), spec] };
      return { stdout: '', stderr: '' };
    },
    'block-detach': (args, st) => {
      const d = running(find, st, args[0], "'xl block-detach' requires at least 2 arguments.\n\n");
      const vdev = args[1];
      const disks = list(d.config.disk);
      if (vdev === undefined) throw new XlDeviceExit(2, "'xl block-detach' requires at least 2 arguments.\n\n");
      if (!disks.some((s) => diskParts(s).vdev === vdev)) {
        const devid = xvdDevid(vdev);
        const libxl = devid === undefined ? '' : `libxl: error: libxl_disk.c:516:libxl__disk_from_xenstore: disk /libxl/${d.domid}/device/vbd/${devid} does not exist (no backend path\n`;
        throw new XlDeviceExit(1, `${libxl}Error: Device ${vdev} not connected.\n`);
      }
      d.config = { ...d.config, disk: disks.filter((s) => diskParts(s).vdev !== vdev) };
      return { stdout: '', stderr: '' };
    },
    'network-attach': (args, st) => {
      const d = running(find, st, args[0], "'xl network-attach' requires at least 1 argument.\n\n");
      const ids = devids(d);
      d.config = { ...d.config, vif: [...list(d.config.vif), args.slice(1).join(',')] };
      d.nicDevids = [...ids, ids.length ? Math.max(...ids) + 1 : 0];
      return { stdout: '', stderr: '' };
    },
    'network-detach': (args, st) => {
      const d = running(find, st, args[0], "'xl network-detach' requires 2 arguments.\n\n");
      const which = args[1] ?? '';
      const vifs = list(d.config.vif);
      const ids = devids(d);
      const i = /^[0-9]+$/.test(which)
        ? ids.indexOf(Number(which))
        : vifs.findIndex((s) => s.split(',').some((kv) => kv.trim().toLowerCase() === `mac=${which.toLowerCase()}`));
      if (i < 0) {
        const libxl = /^[0-9]+$/.test(which) ? `libxl: error: libxl_xshelp.c:206:libxl__xs_read_mandatory: xenstore read failed: \`/libxl/${d.domid}/device/vif/${which}': No such file or directory\n` : '';
        throw new XlDeviceExit(1, `${libxl}Unknown device ${which}.\n`);
      }
      d.config = { ...d.config, vif: vifs.filter((_, j) => j !== i) };
      d.nicDevids = ids.filter((_, j) => j !== i);
      return { stdout: '', stderr: '' };
    },
    'network-list': (args, st) => {
      const d = running(find, st, args[0], "'xl network-list' requires at least 1 argument.\n\n");
      const ids = devids(d);
      let out = 'Idx BE Mac Addr.         handle state evt-ch   tx-/rx-ring-ref BE-path                       \n';
      list(d.config.vif).forEach((spec, i) => {
        const mac = /mac=([0-9a-fA-F:]{17})/.exec(spec)?.[1] ?? `00:16:3e:00:${String(d.domid % 100).padStart(2, '0')}:${String(ids[i] % 100).padStart(2, '0')}`;
        out += `${String(ids[i]).padEnd(3)} 0  ${mac} ${String(ids[i]).padStart(6)} ${String(4).padStart(5)} ${String(10 + ids[i]).padStart(6)} ${String(768).padStart(5)}/${String(769).padEnd(11)}/local/domain/0/backend/vif/${d.domid}/${ids[i]}\n`;
      });
      return { stdout: out, stderr: '' };
    },
    // xl(1): cd-insert and cd-eject apply to HVM guests' emulated CD-ROM drives only.
    // Too few arguments: the complaint on stderr, the usage on stdout, exit 2 (captured).
    'cd-insert': (args, st) => {
      if (args.length < 3) throw new XlDeviceExit(2, "'xl cd-insert' requires at least 3 arguments.\n\n", CD_USAGE.insert);
      return changeCd(running(find, st, args[0], ''), args[1], args[2]);
    },
    'cd-eject': (args, st) => {
      if (args.length < 2) throw new XlDeviceExit(2, "'xl cd-eject' requires at least 2 arguments.\n\n", CD_USAGE.eject);
      return changeCd(running(find, st, args[0], ''), args[1], '');
    },
  };
}

const CD_USAGE = {
  insert: "Usage: xl [-vtTfN] cd-insert <Domain> <VirtualDevice> <path>\n\nInsert a cdrom into a guest's cd drive.\n\n",
  eject: "Usage: xl [-vtTfN] cd-eject <Domain> <VirtualDevice>\n\nEject a cdrom from a guest's cd drive.\n\n",
};

// The xenstore devid of an xvd name (xen-vbd-interface(7)): 202<<8 | n<<4 below 16, else 1<<28 | n<<8.
function xvdDevid(vdev: string): number | undefined {
  const m = /^xvd([a-z]+)$/.exec(vdev);
  if (!m) return undefined;
  const n = [...m[1]].reduce((acc, ch) => acc * 26 + (ch.charCodeAt(0) - 96), 0) - 1;
  return n < 16 ? (202 << 8) | (n << 4) : (1 << 28) | (n << 8);
}

// cd-eject is an insert of empty media in libxl, so both fail with cdrom-insert's texts (captured).
function changeCd(d: XlDomain, vdev: string, target: string): Out {
  const fail = (why: string) => new XlDeviceExit(1, `libxl: error: libxl_disk.c:838:libxl_cdrom_insert: Domain ${d.domid}:${why}\n`);
  if (built(d.config).type !== 'hvm') throw fail('cdrom-insert requires an HVM domain');
  const disks = list(d.config.disk);
  const i = disks.findIndex((s) => diskParts(s).vdev === vdev);
  // [UNCONFIRMED] the text for an HVM domain without that drive (the test host has no HVM guest).
  if (i < 0 || !diskParts(disks[i]).cdrom) throw fail('Virtual device not found');
  const spec = `format=raw, vdev=${vdev}, access=ro, devtype=cdrom, target=${target}`;
  d.config = { ...d.config, disk: disks.map((s, j) => (j === i ? spec : s)) };
  return { stdout: '', stderr: '' };
}
