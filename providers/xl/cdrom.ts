// The emulated CD drive of an HVM guest on an xl host. In the guest file it is one entry of
// `disk` with the cdrom flag (xl-disk-configuration(5): "format=raw, vdev=hdc, access=ro,
// devtype=cdrom, target=/root/image.iso"; an empty target is an empty drive). `cdrom.iso` on
// an xl host is the ISO file's absolute path in dom0. A running domain's drive is changed with
// `xl cd-insert DOMAIN VDEV TARGET` and `xl cd-eject DOMAIN VDEV` (xl(1): HVM guests only);
// a drive is never hot-plugged: it is added to the guest file while the VM is halted.
import type { CdromAttributes } from '../../planner/model/vm.js';

// The vdev xenform gives a drive it adds (the man page's example: the first IDE secondary).
export const CD_VDEV = 'hdc';

export interface CdromDrive {
  vdev: string;
  iso: string | null;
}

function parts(spec: string): { keyed: Map<string, string>; flags: string[]; positional: string[] } {
  const keyed = new Map<string, string>();
  const flags: string[] = [];
  const positional: string[] = [];
  // `target=` takes the rest of the spec, commas included (xl-disk-configuration(5)).
  const at = /(^|,)\s*target=/.exec(spec);
  const head = at ? spec.slice(0, at.index) : spec;
  if (at) keyed.set('target', spec.slice(at.index + at[0].length));
  for (const raw of head.split(',')) {
    const p = raw.trim();
    const eq = p.indexOf('=');
    if (eq >= 0) keyed.set(p.slice(0, eq), p.slice(eq + 1));
    else if (p === 'cdrom') flags.push(p);
    else positional.push(p);
  }
  return { keyed, flags, positional };
}

// The drive a disk spec describes, or undefined when the spec is an ordinary disk.
export function cdromFromSpec(spec: string): CdromDrive | undefined {
  const { keyed, flags, positional } = parts(spec);
  // The deprecated form names the drive "hdc:cdrom" in the second position.
  const legacy = positional.find((p) => p.endsWith(':cdrom'));
  if (!flags.includes('cdrom') && keyed.get('devtype') !== 'cdrom' && legacy === undefined) return undefined;
  const target = (keyed.get('target') ?? positional[0] ?? '').trim().replace(/^(raw|qcow2?|vhd|file|phy|aio):/, '');
  const vdev = keyed.get('vdev') ?? (legacy !== undefined ? legacy.slice(0, -':cdrom'.length) : (positional[2] ?? ''));
  return { vdev, iso: target === '' ? null : target };
}

export function cdromSpec(vdev: string, cd: CdromAttributes): string {
  return cd.iso === null ? `vdev=${vdev}, access=ro, devtype=cdrom, target=` : `format=raw, vdev=${vdev}, access=ro, devtype=cdrom, target=${cd.iso}`;
}

// The xl command that puts `cd` in the running domain's drive.
export function cdCommand(domain: string, vdev: string, cd: CdromAttributes): string[] {
  return cd.iso === null ? ['cd-eject', domain, vdev] : ['cd-insert', domain, vdev, cd.iso];
}
