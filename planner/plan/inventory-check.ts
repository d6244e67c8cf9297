// Every name a VM's steps will hand the host (its template, the SR of each disk, the network of
// each interface) is checked at plan time against the inventory the plan read, so a typo is
// refused before any step runs: a replacement never destroys a VM it cannot create again, and a
// create never stops half-made at its first unknown network.
import type { Diagnostic } from '../../lang/diagnostics.js';
import { didYouMean } from '../../lang/didyoumean.js';
import type { Range } from '../../lang/syntax/ast.js';
import type { VmConfig } from '../config/types.js';
import type { CdromAttributes, DiskAttributes, HostInventory, NetworkAttributes } from '../model/vm.js';
import type { StepDraft } from './vm-steps.js';

type Kind = 'template' | 'SR' | 'network' | 'ISO';

function unknownName(vm: VmConfig, host: string, kind: Kind, name: string, known: string[], at: Range | undefined, replacing: boolean): Diagnostic & { detail: string } {
  const article = kind === 'SR' || kind === 'ISO' ? 'an' : 'a';
  const listed = known.length > 0 && known.length <= 8 ? ` It has: ${known.map((k) => `"${k}"`).join(', ')}.` : '';
  return {
    severity: 'error',
    summary: `Unknown ${kind}`,
    detail:
      `${vm.address}: host "${host}" has no ${kind} named "${name}".${didYouMean(name, known)}${listed}` +
      (replacing ? ' The plan is refused before any step: the VM is not destroyed.' : ''),
    address: vm.address,
    host,
    ...(at ? { subject: at } : { subject: vm.range }),
  };
}

// Refusals for the names in `drafts` that `inv` does not know, matched as the XAPI provider looks
// them up (templates and SRs by name-label, networks by name-label or bridge). Only XAPI hosts list
// templates, SRs and networks (an xl host names none); a kind the inventory lists none of is
// not known, so not checked.
export function checkNames(vm: VmConfig, host: string, drafts: readonly StepDraft[], inv: HostInventory | undefined, replacing: boolean): (Diagnostic & { detail: string })[] {
  if (!inv || inv.toolstack !== 'xapi') return [];
  const out: (Diagnostic & { detail: string })[] = [];
  const { templates, srs, networks, isos } = namesOf(inv);
  const seen = new Set<string>();
  const once = (key: string, fn: () => void): void => {
    if (!seen.has(key)) (seen.add(key), fn());
  };
  const disk = (d: DiskAttributes): void => {
    if (srs.length > 0 && !srs.includes(d.sr)) {
      once(`disk.${d.name}`, () => out.push(unknownName(vm, host, 'SR', d.sr, srs, vm.attributeRanges[`disk.${d.name}.sr`] ?? vm.attributeRanges[`disk.${d.name}`], replacing)));
    }
  };
  const network = (n: NetworkAttributes): void => {
    if (networks.length > 0 && !networks.includes(n.network)) {
      once(`network.${n.name}`, () => out.push(unknownName(vm, host, 'network', n.network, networks, vm.attributeRanges[`network.${n.name}.network`] ?? vm.attributeRanges[`network.${n.name}`], replacing)));
    }
  };
  const cdrom = (cd: CdromAttributes | undefined): void => {
    if (inv.isos !== undefined && cd?.iso != null && !isos.includes(cd.iso)) {
      const name = cd.iso;
      once('cdrom', () => out.push(unknownName(vm, host, 'ISO', name, isos, vm.attributeRanges['cdrom.iso'] ?? vm.attributeRanges.cdrom, replacing)));
    }
  };
  for (const s of drafts) {
    if (s.op === 'set') cdrom(s.args.changes.find((c) => c.path === 'cdrom')?.value as CdromAttributes | undefined);
    if (s.op === 'create') {
      cdrom(s.args.attributes.cdrom);
      const a = s.args.attributes;
      if (templates.length > 0 && !templates.includes(a.template)) {
        once('template', () => out.push(unknownName(vm, host, 'template', a.template, templates, vm.attributeRanges.template, replacing)));
      }
      a.disks.forEach(disk);
      a.networks.forEach(network);
    } else if (s.op === 'add_disk' || s.op === 'change_disk') disk(s.args.disk);
    else if (s.op === 'add_network') network(s.args.network);
  }
  return out;
}

const uniq = <T>(xs: T[]): T[] => [...new Set(xs)];

// The names a host knows, listed once per inventory (not once per VM checked against it).
const known = new WeakMap<HostInventory, { templates: string[]; srs: string[]; networks: string[]; isos: string[] }>();

function namesOf(inv: HostInventory): { templates: string[]; srs: string[]; networks: string[]; isos: string[] } {
  let names = known.get(inv);
  if (!names) {
    names = {
      templates: inv.templates.map((t) => t.name),
      srs: inv.srs.map((s) => s.name),
      networks: uniq(inv.networks.flatMap((n) => [n.name, n.bridge]).filter((n) => n !== '')),
      isos: uniq((inv.isos ?? []).map((i) => i.name)),
    };
    known.set(inv, names);
  }
  return names;
}
