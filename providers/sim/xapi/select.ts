// How xe commands pick their objects: the shape of a command, the VM selectors (vm=, field
// filters, --multiple) and the uuid= lookup of the other classes.
import type { SimState, Vm } from '../state.js';
import { CLASSES, type ClassDef } from './classes.js';
import { filtersOf, matchesFilters, type XeRun } from './context.js';
import { CliError, XapiError, renderError } from './errors.js';
import { vmLabel } from './lifecycle.js';
import type { Ctx } from './record-format.js';
import { VM_FIELDS } from './vm-record.js';

export interface Command {
  required?: string[];
  own?: string[]; // the command's own parameters (everything else is a selector or filter)
  run(run: XeRun): Promise<string>;
}

export interface SelectOpts {
  own: string[];
  control?: boolean; // include control domains
  templates?: boolean; // include templates
}

function vmPseudo(vm: Vm, k: string, v: string): boolean | undefined {
  if (k === 'vm') return vm.uuid === v || vm.name === v;
  return undefined;
}

function selectVms(run: XeRun, st: SimState, c: Ctx, o: SelectOpts): Vm[] {
  const filters = filtersOf(run, o.own);
  const implicit: [string, string][] = [];
  if (!o.templates) implicit.push(['is-a-template', 'false']);
  if (!o.control) implicit.push(['is-control-domain', 'false']);
  const all = [...implicit, ...filters];
  const vms = candidates(CLASSES.vm, st, all).filter((vm) => matchesFilters(vm, all, VM_FIELDS, c, vmPseudo));
  if (vms.length === 0) throw new CliError('No matching VMs found');
  if (vms.length > 1 && !run.flag('multiple')) throw new CliError('Multiple matches VMs found. --multiple required to complete the operation');
  return vms;
}

// Runs `each` on every selected VM; with --multiple, failures are reported on stdout.
export async function onSelected(run: XeRun, o: SelectOpts, each: (vm: { uuid: string; label: string }) => Promise<string>): Promise<string> {
  const vms = await run.read((st, c) => selectVms(run, st, c, o).map((vm) => ({ uuid: vm.uuid, label: vmLabel(vm) })));
  if (vms.length === 1) return each(vms[0]);
  let out = '';
  let failed = false;
  for (const vm of vms) {
    try {
      out += await each(vm);
    } catch (e) {
      if (!(e instanceof XapiError || e instanceof CliError)) throw e;
      failed = true;
      out += `operation failed on ${vm.uuid}: ${renderError(e)}`;
    }
  }
  if (failed) throw new MultipleFailed(out);
  return out;
}

export class MultipleFailed extends Error {
  constructor(readonly stdout: string) {
    super('multiple');
  }
}

// The objects `filters` can match: a uuid filter names at most one.
export function candidates(cls: ClassDef, st: SimState, filters: [string, string][]): any[] {
  const byId = filters.find(([k]) => k === 'uuid');
  if (byId) {
    const o = cls.byUuid(st, byId[1]);
    return o ? [o] : [];
  }
  for (const [k, v] of filters) {
    const found = cls.byField?.[k]?.(st, v);
    if (found) return found;
  }
  return cls.rows(st);
}

export function byUuid(cls: ClassDef, st: SimState, uuid: string | undefined): any {
  const o = uuid === undefined ? undefined : cls.byUuid(st, uuid);
  if (!o) throw new XapiError('UUID_INVALID', [cls.table, uuid ?? '']);
  return o;
}
