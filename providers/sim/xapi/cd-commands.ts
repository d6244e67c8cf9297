// CD drives: vbd-insert/vbd-eject and vm-cd-insert/vm-cd-eject (xen-api HEAD
// ocaml/xapi/xapi_vbd.ml `assert_ok_to_insert`, `assert_ok_to_eject`; cli_operations.ml
// `vm_cd_insert`, `vm_cd_eject`). An ISO is inserted into a halted or running VM's drive, never
// a suspended one's; only a CD drive takes media; insert needs the drive empty, eject full.
import type { SimState, Vbd, Vm } from '../state.js';
import { CLASSES } from './classes.js';
import { CliError, XapiError } from './errors.js';
import { vmLabel } from './lifecycle.js';
import { vmVbds } from './vm-record.js';
import { byUuid, onSelected, type Command } from './select.js';

// assert_not_suspended: "halted, running" is the expected list it reports.
function notSuspended(vm: Vm): void {
  if (vm.power === 'suspended') throw new XapiError('VM_BAD_POWER_STATE', [vmLabel(vm), 'halted, running', 'suspended']);
}

function insert(st: SimState, vbd: Vbd, vdi: string): void {
  notSuspended(st.vms[vbd.vm]);
  if (vbd.type !== 'CD') throw new XapiError('VBD_NOT_REMOVABLE_MEDIA', [vbd.uuid]);
  if (vbd.vdi !== null) throw new XapiError('VBD_NOT_EMPTY', [vbd.uuid]);
  vbd.vdi = vdi;
}

function eject(st: SimState, vbd: Vbd): void {
  if (vbd.type !== 'CD') throw new XapiError('VBD_NOT_REMOVABLE_MEDIA', [vbd.uuid]);
  if (vbd.vdi === null) throw new XapiError('VBD_IS_EMPTY', [vbd.uuid]);
  notSuspended(st.vms[vbd.vm]);
  vbd.vdi = null;
}

export const vbdInsert: Command = {
  required: ['uuid', 'vdi-uuid'],
  run: async (run) => {
    await run.latency();
    return run.update((st) => {
      const vbd = byUuid(CLASSES.vbd, st, run.get('uuid')) as Vbd;
      const vdi = byUuid(CLASSES.vdi, st, run.get('vdi-uuid'));
      insert(st, vbd, vdi.uuid);
      return '';
    });
  },
};

export const vbdEject: Command = {
  required: ['uuid'],
  run: async (run) => {
    await run.latency();
    return run.update((st) => {
      eject(st, byUuid(CLASSES.vbd, st, run.get('uuid')) as Vbd);
      return '';
    });
  },
};

const cdsOf = (st: SimState, vm: Vm): Vbd[] => vmVbds(st, vm).filter((b) => b.type === 'CD');

export const vmCdInsert: Command = {
  required: ['cd-name'],
  own: ['cd-name'],
  run: async (run) => {
    const name = run.get('cd-name')!;
    // The ISO is looked up before any VM: by name-label, in SRs whose content-type is iso.
    const isos = await run.read((st) => Object.values(st.vdis).filter((v) => v.name === name && st.srs[v.sr]?.contentType === 'iso').map((v) => v.uuid));
    if (isos.length === 0) throw new CliError(`CD ${name} not found`);
    if (isos.length > 1) throw new CliError(`Multiple CDs named ${name} found. Please use vbd-insert and specify uuids`);
    return onSelected(run, { own: ['cd-name'] }, async (sel) => {
      await run.latency();
      return run.update((st) => {
        const vm = st.vms[sel.uuid];
        const empty = cdsOf(st, vm).filter((b) => b.vdi === null);
        if (empty.length === 0) throw new XapiError('VM_NO_EMPTY_CD_VBD', [vmLabel(vm)]);
        if (empty.length > 1) throw new CliError('Two or more empty CD devices found. Please use vbd-insert');
        insert(st, empty[0], isos[0]);
        return '';
      });
    });
  },
};

export const vmCdEject: Command = {
  run: async (run) =>
    onSelected(run, { own: [] }, async (sel) => {
      await run.latency();
      return run.update((st) => {
        const cds = cdsOf(st, st.vms[sel.uuid]);
        if (cds.length === 0) throw new CliError('No CDs found');
        if (cds.length > 1) throw new CliError('Two or more CDs found. Please use vbd-eject');
        eject(st, cds[0]);
        return '';
      });
    }),
};
