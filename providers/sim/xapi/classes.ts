// The classes the generic `<class>-list` and `<class>-param-*` commands work on.
import type { SimState } from '../state.js';
import { VBD_FIELDS, VDI_FIELDS, VIF_FIELDS } from './device-records.js';
import { HOST_FIELDS, NETWORK_FIELDS, SR_FIELDS, hostRows } from './host-records.js';
import type { Ctx, Field } from './record-format.js';
import { VM_FIELDS, vbdsOf, vifsOf, vmsNamed } from './vm-record.js';
import { SM_FIELDS, smRows } from './sm-drivers.js';
import { UUID_RE } from '../ids.js';
import { VTPM_FIELDS, allVtpms, vtpmsOfVm } from './vtpm-commands.js';

const byVm = (rows: (st: SimState, vm: string) => any[]) => (st: SimState, v: string) => (UUID_RE.test(v) ? rows(st, v) : null);

export interface ClassDef {
  cli: string; // command prefix
  table: string; // the DB class name printed in UUID_INVALID
  fields: Field<any>[];
  rows(st: SimState): any[];
  byUuid(st: SimState, uuid: string): any | undefined;
  // rows whose field has a given raw value, found without a scan: a superset of the rows a
  // filter on that field keeps
  byField?: Record<string, (st: SimState, value: string) => any[] | null>; // null: scan
  defaults: string[]; // default fields of *-list
  implicit: [string, string][]; // implicit filters of *-list
  dbMapName: (cliName: string) => string; // MAP_DUPLICATE_KEY's param_name
}

const dbName = (n: string) =>
  ({ 'other-config': 'other_config', 'VCPUs-params': 'VCPUs_params', 'HVM-boot-params': 'HVM_boot_params', 'xenstore-data': 'xenstore_data', 'blocked-operations': 'blocked_operations', 'sm-config': 'sm_config' })[n] ?? n.replace(/-/g, '_');

function uuidRows<T extends { uuid: string }>(pick: (st: SimState) => Record<string, T>) {
  return {
    rows: (st: SimState) => Object.values(pick(st)),
    byUuid: (st: SimState, uuid: string) => pick(st)[uuid],
  };
}

export const CLASSES: Record<string, ClassDef> = {
  vm: {
    cli: 'vm', table: 'VM', fields: VM_FIELDS, ...uuidRows((st) => st.vms), byField: { 'name-label': vmsNamed },
    defaults: ['name-label', 'uuid', 'power-state'], implicit: [['is-a-template', 'false']], dbMapName: dbName,
  },
  template: {
    cli: 'template', table: 'VM', fields: VM_FIELDS, ...uuidRows((st) => st.vms), byField: { 'name-label': vmsNamed },
    defaults: ['name-label', 'name-description', 'uuid'], implicit: [['is-a-template', 'true'], ['is-a-snapshot', 'false']], dbMapName: dbName,
  },
  vdi: {
    cli: 'vdi', table: 'VDI', fields: VDI_FIELDS, ...uuidRows((st) => st.vdis),
    defaults: ['uuid', 'name-label', 'name-description', 'virtual-size', 'read-only', 'sharable', 'sr-uuid'], implicit: [], dbMapName: dbName,
  },
  vbd: {
    cli: 'vbd', table: 'VBD', fields: VBD_FIELDS, ...uuidRows((st) => st.vbds), byField: { 'vm-uuid': byVm(vbdsOf) },
    defaults: ['uuid', 'vm-uuid', 'vm-name-label', 'vdi-uuid', 'device', 'empty'], implicit: [], dbMapName: dbName,
  },
  vif: {
    cli: 'vif', table: 'VIF', fields: VIF_FIELDS, ...uuidRows((st) => st.vifs), byField: { 'vm-uuid': byVm(vifsOf) },
    defaults: ['uuid', 'device', 'vm-uuid', 'network-uuid'], implicit: [], dbMapName: dbName,
  },
  sr: {
    cli: 'sr', table: 'SR', fields: SR_FIELDS, ...uuidRows((st) => st.srs),
    defaults: ['uuid', 'name-label', 'name-description', 'host', 'type', 'content-type'], implicit: [], dbMapName: dbName,
  },
  network: {
    cli: 'network', table: 'network', fields: NETWORK_FIELDS, ...uuidRows((st) => st.networks),
    defaults: ['uuid', 'name-label', 'name-description', 'bridge'], implicit: [], dbMapName: dbName,
  },
  sm: {
    cli: 'sm', table: 'SM', fields: SM_FIELDS,
    rows: () => smRows(),
    byUuid: (_st, uuid) => smRows().find((r) => r.uuid === uuid),
    defaults: ['uuid', 'name-label', 'type'], implicit: [], dbMapName: dbName,
  },
  host: {
    cli: 'host', table: 'host', fields: HOST_FIELDS,
    rows: (st) => hostRows(st),
    byUuid: (st, uuid) => hostRows(st).find((h) => h.host.uuid === uuid),
    defaults: ['uuid', 'name-label', 'name-description'], implicit: [], dbMapName: dbName,
  },
  vtpm: {
    cli: 'vtpm', table: 'VTPM', fields: VTPM_FIELDS,
    rows: allVtpms,
    byUuid: (st, uuid) => allVtpms(st).find((v) => v.uuid === uuid),
    byField: { 'vm-uuid': (st, v) => (st.vms[v] ? vtpmsOfVm(st.vms[v]) : []) },
    defaults: ['uuid', 'vm-uuid'], implicit: [], dbMapName: dbName,
  },
};

export type { Ctx };
