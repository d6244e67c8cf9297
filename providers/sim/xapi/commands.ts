// The xe commands (spec §2.3, §2.5, §4). Each returns its stdout; errors are thrown.
import { sleep } from '../faults.js';
import { newUuid, randomLocalMac, UUID_RE } from '../ids.js';
import type { SimState, Vbd, Vdi, Vm } from '../state.js';
import { blankVm } from '../host.js';
import { allocatedSize } from './storage.js';
import { parseBool, parseInteger, parseSize } from './args.js';
import { CLASSES, type ClassDef } from './classes.js';
import { filtersOf, matchesFilters, vmByUuid, type XeRun } from './context.js';
import { CliError, UsageError, XapiError, renderError } from './errors.js';
import { vmLabel } from './lifecycle.js';
import { checkBootable, suspendSrOf } from './operations.js';
import { escapeMinimal, printList, printRecord, recordPairs, selectFields } from './printer.js';
import { checkUserdevice, parseVbdType, vifMac } from './device-records.js';
import { prependKey, renderValue, setMapKey, type Ctx, type Field } from './record-format.js';
import { checkMemory, vmVbds, vmVifs, VM_FIELDS } from './vm-record.js';
import { faultError, runSyncVmOp, runVmOp } from './vm-ops.js';

export interface Command {
  required?: string[];
  own?: string[]; // the command's own parameters (everything else is a selector or filter)
  run(run: XeRun): Promise<string>;
}

// ------------------------------------------------------------------ selectors

interface SelectOpts {
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
async function onSelected(run: XeRun, o: SelectOpts, each: (vm: { uuid: string; label: string }) => Promise<string>): Promise<string> {
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

function lifecycle(op: (run: XeRun) => string, own: string[], o: Partial<SelectOpts> = {}, args: (run: XeRun) => Record<string, string> = () => ({})): Command {
  return {
    own,
    run: (run) =>
      onSelected(run, { own, ...o }, async (vm) => {
        const name = op(run);
        await runVmOp(run, vm.uuid, name, args(run), {
          precheck: (st, v) => {
            if (name === 'start') checkBootable(st, v, run.env, true);
            if (name === 'resume') checkBootable(st, v, run.env, true);
            if (name === 'suspend' && !suspendSrOf(st, v)) throw new XapiError('VM_NO_SUSPEND_SR', [vmLabel(v)]);
          },
        });
        return '';
      }),
  };
}

// ------------------------------------------------------------------ generic class commands

// The objects `filters` can match: a uuid filter names at most one.
function candidates(cls: ClassDef, st: SimState, filters: [string, string][]): any[] {
  const byId = filters.find(([k]) => k === 'uuid');
  if (!byId) return cls.rows(st);
  const o = cls.byUuid(st, byId[1]);
  return o ? [o] : [];
}

function byUuid(cls: ClassDef, st: SimState, uuid: string | undefined): any {
  const o = uuid === undefined ? undefined : cls.byUuid(st, uuid);
  if (!o) throw new XapiError('UUID_INVALID', [cls.table, uuid ?? '']);
  return o;
}

// A `<class>-param-*` command: `body` on the object named by uuid=, reading the host or
// changing it.
function onObject(cls: ClassDef, required: string[], access: 'read' | 'update', body: (o: any, run: XeRun, c: Ctx) => string): Command {
  return {
    required,
    run: async (run) => {
      await run.latency();
      return run[access]((st, c) => body(byUuid(cls, st, run.get('uuid')), run, c));
    },
  };
}

function listCommand(cls: ClassDef): Command {
  return {
    own: ['params'],
    run: async (run) => {
      await run.latency();
      return run.read((st, c) => {
        if (run.fail) throw faultError(run.fail, null, cls.cli + '-list');
        const filters = [...cls.implicit, ...filtersOf(run, ['params'])];
        // no `vm=` here: only the selector commands know it (cli_operations.ml `select_vms`); a list
        // filters on real fields, else "Unknown field 'vm'" (`get_field_type`)
        const rows = candidates(cls, st, filters).filter((o) => matchesFilters(o, filters, cls.fields, c));
        const p = run.get('params');
        const fields = selectFields(cls.fields, p === undefined ? cls.defaults : p === 'all' ? 'all' : p.split(','));
        return printList(rows, fields, c, run.flag('minimal'));
      });
    },
  };
}

function findField(cls: ClassDef, name: string): Field<any> {
  const f = cls.fields.find((x) => x.name === name);
  if (!f) throw new CliError(`Unknown field '${name}'`);
  return f;
}

function paramList(cls: ClassDef): Command {
  return onObject(cls, ['uuid'], 'read', (o, _run, c) => printRecord(recordPairs(o, selectFields(cls.fields, 'all'), c, false)));
}

function paramGet(cls: ClassDef): Command {
  return onObject(cls, ['uuid', 'param-name'], 'read', (o, run, c) => {
    const name = run.get('param-name')!;
    const f = cls.fields.find((x) => x.name === name);
    if (!f) throw new XapiError('Missing parameter', [name]);
    const v = f.get(o, c);
    let text: string;
    const key = run.get('param-key');
    if (key !== undefined && typeof v === 'object' && !Array.isArray(v)) {
      if (!(key in v)) throw new CliError(`Key ${key} not found in map`);
      text = v[key];
    } else text = renderValue(f, v);
    return (run.flag('minimal') ? escapeMinimal(text) : text) + '\n';
  });
}

function isMap(f: Field<any>): boolean {
  return f.kind === 'MRO' || f.kind === 'MRW';
}
function isSet(f: Field<any>): boolean {
  return f.kind === 'SRO' || f.kind === 'SRW';
}

// `<map>:<key>` or the legacy `<map>-<key>` (the longest map name wins).
function splitMapParam(cls: ClassDef, k: string): { field: Field<any>; key: string } | null {
  const colon = k.indexOf(':');
  if (colon >= 0) {
    const f = cls.fields.find((x) => x.name === k.slice(0, colon));
    return f ? { field: f, key: k.slice(colon + 1) } : null;
  }
  const maps = cls.fields.filter((f) => isMap(f) && k.startsWith(f.name + '-')).sort((a, b) => b.name.length - a.name.length);
  return maps[0] ? { field: maps[0], key: k.slice(maps[0].name.length + 1) } : null;
}

function setMapEntry(cls: ClassDef, o: any, f: Field<any>, key: string, value: string, c: Ctx): void {
  if (isSet(f)) throw new CliError('Cannot param-set on set fields');
  if (!isMap(f)) throw new CliError(`Unknown field '${f.name}:${key}'`);
  if (f.kind === 'MRO' || !f.map) throw new CliError(`Map field '${f.name}' is read-only.`);
  f.checkKey?.(o, key, value, c);
  setMapKey(f.map(o), key, value);
  void cls;
}

function paramSet(cls: ClassDef): Command {
  return onObject(cls, ['uuid'], 'update', (o, run, c) => {
    // Each parameter is its own API call, in command-line order: not atomic.
    for (const [k, v] of run.order) {
      if (k === 'uuid' || ['minimal', 'force', 'multiple'].includes(k)) continue;
      const direct = cls.fields.find((x) => x.name === k);
      if (direct) {
        if (isMap(direct) || isSet(direct)) throw new CliError(`Field '${k}' is a map or set. use the 'name:key=value' syntax.`);
        if (direct.kind === 'RO' || !direct.set) throw new CliError(`Field '${k}' is read-only.`);
        direct.set(o, v, c);
        continue;
      }
      const m = splitMapParam(cls, k);
      if (!m) throw new CliError(`Unknown field '${k}'`);
      setMapEntry(cls, o, m.field, m.key, v, c);
    }
    return '';
  });
}

function paramAdd(cls: ClassDef): Command {
  return onObject(cls, ['uuid', 'param-name'], 'update', (o, run, c) => {
    const f = findField(cls, run.get('param-name')!);
    if (isSet(f)) {
      if (f.kind === 'SRO' || !f.members) throw new CliError(`Set field '${f.name}' is read-only.`); // [UNCONFIRMED] text
      const key = run.get('param-key');
      if (key === undefined) throw new UsageError('Required parameter not found: param-key');
      const set = f.members(o);
      // add_to_set prepends; an existing member is silently ignored.
      if (!set.includes(key)) set.unshift(key);
      return '';
    }
    if (!isMap(f)) throw new CliError(`Field '${f.name}' is not a map or set`); // [UNCONFIRMED] text
    if (f.kind === 'MRO' || !f.map) throw new CliError(`Map field '${f.name}' is read-only.`);
    const pairs = run.order.filter(([k]) => !['uuid', 'param-name', 'param-key', 'minimal'].includes(k));
    for (const [k, v] of pairs) {
      const m = f.map(o);
      if (k in m) throw new XapiError('MAP_DUPLICATE_KEY', [cls.table, cls.dbMapName(f.name), cls.table === 'VM' ? vmLabel(o) : o.uuid, k]);
      f.checkKey?.(o, k, v, c);
      const next = prependKey(m, k, v);
      for (const key of Object.keys(m)) delete m[key];
      Object.assign(m, next);
    }
    return '';
  });
}

function paramRemove(cls: ClassDef): Command {
  return onObject(cls, ['uuid', 'param-name', 'param-key'], 'update', (o, run) => {
    const f = findField(cls, run.get('param-name')!);
    const key = run.get('param-key')!;
    if (isSet(f)) {
      if (f.kind === 'SRO' || !f.members) throw new CliError('Cannot remove parameters from read-only set'); // [UNCONFIRMED] text
      const set = f.members(o);
      const i = set.indexOf(key);
      if (i < 0) throw new CliError(`Key ${key} is not in the set`);
      set.splice(i, 1);
      return '';
    }
    if (!isMap(f) || f.kind === 'MRO' || !f.map) throw new CliError('Cannot remove parameters from read-only map');
    const m = f.map(o);
    if (!(key in m)) throw new CliError(`Key ${key} is not in map`);
    delete m[key];
    return '';
  });
}

function paramClear(cls: ClassDef): Command {
  return onObject(cls, ['uuid', 'param-name'], 'update', (o, run, c) => {
    const f = findField(cls, run.get('param-name')!);
    if (isSet(f) && f.members) f.members(o).splice(0);
    else if (isMap(f) && f.map && f.kind === 'MRW') {
      const m = f.map(o);
      for (const k of Object.keys(m)) delete m[k];
    } else if (f.kind === 'RW' && f.set) {
      try {
        f.set(o, '', c);
      } catch {
        throw new CliError('Cannot clear this parameter');
      }
    } else throw new CliError('Cannot clear this parameter');
    return '';
  });
}

// ------------------------------------------------------------------ VM creation

// Parses other-config:disks of a template: <provision><disk device= size= sr= bootable= type=/>.
function templateDisks(xml: string | undefined): { device: string; size: number; sr: string; bootable: boolean; type: string }[] {
  if (!xml) return [];
  const out = [];
  for (const m of xml.matchAll(/<disk\s([^>]*?)\/?>/g)) {
    const attr = (n: string) => new RegExp(`${n}="([^"]*)"`).exec(m[1])?.[1] ?? '';
    out.push({ device: attr('device'), size: Number(attr('size')), sr: attr('sr'), bootable: attr('bootable') === 'true', type: attr('type') || 'system' });
  }
  return out;
}

// xapi_vm_clone.ml `copy_vm_record` (xen-api v1.249.42 L250-340): other-config is copied
// whole (xenform's markers included), but for a snapshot mac_seed is kept, for a clone or
// copy it is renewed; a snapshot is a template that records what it was taken of.
function copyVm(st: SimState, src: Vm, name: string, snapshot = false): Vm {
  const vm: Vm = JSON.parse(JSON.stringify(src));
  const fresh = blankVm(st, name);
  vm.uuid = fresh.uuid;
  vm.name = name;
  vm.defaultTemplate = false;
  vm.power = 'halted';
  vm.domid = -1;
  vm.residentOn = null;
  vm.startTime = null;
  vm.installTime = Date.now();
  vm.suspendVdi = null;
  vm.ops = [];
  vm.vcpusLive = 0;
  vm.startDelay = 0;
  vm.shutdownDelay = 0;
  vm.order = 0;
  vm.lastBoot = '';
  vm.bootedDomainType = 'unspecified';
  vm.consoleUuid = null;
  delete vm.crashAt;
  const other = { ...vm.other };
  delete other.default_template;
  delete other.xensource_internal;
  delete other.mac_seed;
  let next: Record<string, string> = other;
  if (src.template && !('base_template_name' in next)) next = prependKey(next, 'base_template_name', src.name);
  vm.other = snapshot ? { ...next, ...(src.other.mac_seed ? { mac_seed: src.other.mac_seed } : {}) } : prependKey(next, 'mac_seed', newUuid(st));
  if (snapshot) {
    vm.template = true;
    vm.snapshotOf = src.uuid;
  } else delete vm.snapshotOf;
  return vm;
}

// xapi_vdi.ml `snapshot_and_clone` (L813) and `copy` (L1184) give the new VDI the source's
// other-config, so a snapshot's, clone's or copy's disks carry xenform's VDI markers too.
function cloneDevices(st: SimState, src: Vm, dst: Vm, sr: string | null, snapshot = false): void {
  for (const vbd of vmVbds(st, src)) {
    let vdi: string | null = vbd.vdi;
    if (vdi && st.vdis[vdi] && vbd.type === 'Disk') {
      const old = st.vdis[vdi];
      const copy: Vdi = { ...old, uuid: newUuid(st), sr: sr ?? old.sr, other: { ...old.other }, smConfig: { ...old.smConfig }, tags: [...old.tags] };
      if (snapshot) copy.snapshotOf = old.uuid;
      else delete copy.snapshotOf;
      st.vdis[copy.uuid] = copy;
      vdi = copy.uuid;
    }
    const nb: Vbd = { ...vbd, uuid: newUuid(st), vm: dst.uuid, vdi, attached: false, other: { ...vbd.other } };
    st.vbds[nb.uuid] = nb;
  }
  for (const vif of vmVifs(st, src)) {
    const nv = { ...vif, uuid: newUuid(st), vm: dst.uuid, attached: false, other: { ...vif.other } };
    if (nv.macAuto && !snapshot) nv.mac = vifMac(dst, nv.device);
    st.vifs[nv.uuid] = nv;
  }
}

function findTemplate(run: XeRun, st: SimState): Vm {
  const vms = Object.values(st.vms);
  const byName = (n: string) => {
    const ts = vms.filter((v) => v.template && v.name === n);
    if (ts.length === 0) throw new CliError('No templates matched');
    if (ts.length > 1) throw new CliError('More than one matching template found');
    return ts[0];
  };
  let t: Vm;
  const tpl = run.get('template');
  const tuuid = run.get('template-uuid');
  const tname = run.get('template-name-label') ?? run.get('template-name');
  if (tpl !== undefined) t = UUID_RE.test(tpl) && st.vms[tpl] ? st.vms[tpl] : byName(tpl);
  else if (tuuid !== undefined) t = vmByUuid(st, tuuid);
  else if (tname !== undefined) t = byName(tname);
  else throw new CliError("Template must be specified by parameter 'template-uuid', 'template-name', 'template-name-label' or 'template'");
  if (!t.template) throw new CliError('Can only install from templates');
  return t;
}

function findSr(run: XeRun, st: SimState): string | null {
  const uuid = run.get('sr-uuid');
  if (uuid !== undefined) {
    if (!st.srs[uuid]) throw new XapiError('UUID_INVALID', ['SR', uuid]);
    return uuid;
  }
  const name = run.get('sr-name-label');
  if (name !== undefined) {
    const srs = Object.values(st.srs).filter((s) => s.name === name);
    if (srs.length === 0) throw new CliError('No SR with that name-label found');
    if (srs.length > 1) throw new CliError('Multiple SRs with that name-label found');
    return srs[0].uuid;
  }
  return null;
}

const vmInstall: Command = {
  required: ['new-name-label'],
  run: async (run) => {
    await run.latency();
    return run.update((st) => {
      if (run.fail) throw faultError(run.fail, null, 'provision');
      const t = findTemplate(run, st);
      const sr = findSr(run, st) ?? (st.srs[st.host.defaultSr] ? st.host.defaultSr : null);
      const disks = templateDisks(t.other.disks);
      if (disks.length > 0 && sr === null) throw new CliError('Failed to find a valid default SR for the Pool. Please provide an sr-name-label or sr-uuid parameter.');
      const vm = copyVm(st, t, run.get('new-name-label')!);
      vm.template = false;
      vm.desc = 'Installed via xe CLI';
      vm.suspendSr = sr;
      cloneDevices(st, t, vm, sr);
      // VM.provision: the template's disks become VDIs owned by the new VM.
      // [UNCONFIRMED] the provisioned VDI's name-label (the device number) and that "disks" is removed after.
      for (const d of disks) {
        const vdi: Vdi = {
          // cli_util.ml `rewrite_provisioning_xml`: every disk goes to the chosen (or default) SR
          uuid: newUuid(st), name: d.device, desc: 'Created by template provisioner', sr: sr!, size: allocatedSize(st.srs[sr!].type, d.size, {}),
          type: d.type, sharable: false, readOnly: false, other: {}, smConfig: {}, tags: [],
        };
        st.vdis[vdi.uuid] = vdi;
        const vbd: Vbd = {
          uuid: newUuid(st), vm: vm.uuid, vdi: vdi.uuid, userdevice: d.device, bootable: d.bootable, mode: 'RW', type: 'Disk',
          unpluggable: d.type !== 'system', attached: false, other: { owner: '' }, // xapi_templates.ml `create_disk` (v1.249.42 L141-154)
        };
        st.vbds[vbd.uuid] = vbd;
      }
      delete vm.other.disks;
      st.vms[vm.uuid] = vm;
      return vm.uuid + '\n';
    });
  },
};

function cloneCommand(op: 'clone' | 'copy'): Command {
  const own = ['new-name-label', 'new-name-description', 'sr-uuid'];
  return {
    required: ['new-name-label'],
    own,
    run: (run) =>
      onSelected(run, { own, templates: true }, async (src) => {
        const out = await runVmOp(run, src.uuid, op, {}, {
          precheck: (st) => {
            if (op === 'copy' && run.get('sr-uuid') !== undefined) {
              const sr = st.srs[run.get('sr-uuid')!];
              if (!sr) throw new XapiError('UUID_INVALID', ['SR', run.get('sr-uuid')!]);
              if (sr.type === 'iso') throw new XapiError('OPERATION_NOT_ALLOWED', ["Cannot copy a VM's disks to an ISO SR"]);
            }
          },
          complete: (st, vm) => {
            const copy = copyVm(st, vm, run.get('new-name-label')!);
            if (run.has('new-name-description')) copy.desc = run.get('new-name-description')!;
            cloneDevices(st, vm, copy, op === 'copy' ? run.get('sr-uuid') ?? null : null);
            st.vms[copy.uuid] = copy;
            return copy.uuid + '\n';
          },
        });
        return out ?? '';
      }),
  };
}

// vm-snapshot (cli_operations.ml `vm_snapshot`: VM.snapshot on each selected VM, prints the
// new uuid), allowed in every power state (xapi_vm_lifecycle.ml).
const vmSnapshotOwn = ['new-name-label', 'new-name-description', 'ignore-vdis'];
const vmSnapshot: Command = {
  required: ['new-name-label'],
  own: vmSnapshotOwn,
  run: (run) =>
    onSelected(run, { own: vmSnapshotOwn }, async (src) => {
      const out = await runVmOp(run, src.uuid, 'snapshot', {}, {
        complete: (st, vm) => {
          const snap = copyVm(st, vm, run.get('new-name-label')!, true);
          snap.desc = run.get('new-name-description') ?? vm.desc;
          cloneDevices(st, vm, snap, null, true);
          st.vms[snap.uuid] = snap;
          return snap.uuid + '\n';
        },
      });
      return out ?? '';
    }),
};

// ------------------------------------------------------------------ destroy

function destroyVmRecord(st: SimState, vm: Vm): void {
  for (const vbd of vmVbds(st, vm)) delete st.vbds[vbd.uuid];
  for (const vif of vmVifs(st, vm)) delete st.vifs[vif.uuid];
  delete st.vms[vm.uuid];
}

const vmDestroy: Command = {
  required: ['uuid'],
  run: async (run) => {
    await run.latency();
    const uuid = run.get('uuid')!;
    const vm = await run.read((st) => {
      const v = vmByUuid(st, uuid);
      if (v.control) throw new XapiError('OPERATION_NOT_ALLOWED', ['You cannot destroy a control domain via the CLI']);
      return v;
    });
    void vm;
    await runVmOp(run, uuid, 'destroy', {}, {
      complete: (st, v) => {
        destroyVmRecord(st, v);
      },
    });
    return '';
  },
};

const vmUninstall: Command = {
  own: [],
  run: (run) =>
    onSelected(run, { own: [] }, async (sel) => {
      const listing = await run.read((st) => {
        const vm = st.vms[sel.uuid];
        const lines = ['The following items are about to be destroyed', `VM : ${vmLabel(vm)}`];
        for (const vbd of vmVbds(st, vm)) {
          if (!vbd.vdi || !('owner' in vbd.other) || !st.vdis[vbd.vdi]) continue;
          const vdi = st.vdis[vbd.vdi];
          const shared = Object.values(st.vbds).some((o) => o.vdi === vdi.uuid && o.vm !== vm.uuid);
          lines.push(`VDI: ${vdi.uuid} (${vdi.name})${shared ? ' ** WARNING: disk is shared by other VMs' : ''}`);
        }
        return lines.join('\n') + '\n';
      });
      if (!run.flag('force')) {
        // [UNCONFIRMED] without a terminal to answer the prompt, the command ends here with exit 1.
        throw new MultipleFailed(listing + "Type 'yes' to continue\n");
      }
      const power = await run.read((st) => st.vms[sel.uuid]?.power);
      if (power !== 'halted') await runVmOp(run, sel.uuid, 'hard_shutdown');
      await runVmOp(run, sel.uuid, 'destroy', {}, {
        complete: (st, vm) => {
          const owned = vmVbds(st, vm).filter((b) => b.vdi && 'owner' in b.other).map((b) => b.vdi!);
          if (vm.suspendVdi) owned.push(vm.suspendVdi);
          destroyVmRecord(st, vm);
          for (const v of owned) delete st.vdis[v];
        },
      });
      return listing + 'All objects destroyed\n';
    }),
};

const vmResetPowerstate: Command = {
  own: [],
  run: (run) =>
    onSelected(run, { own: [], control: true }, async (sel) => {
      if (!run.flag('force')) throw new CliError('This operation is dangerous and may cause data loss. This operation must be forced (use --force).');
      await run.update((st) => {
        const vm = st.vms[sel.uuid];
        if (vm.control) throw new XapiError('CANNOT_RESET_CONTROL_DOMAIN', [vmLabel(vm)]);
        vm.ops = [];
        vm.power = 'halted';
        vm.domid = -1;
        vm.residentOn = null;
        vm.vcpusLive = 0;
        delete vm.crashAt;
        for (const b of vmVbds(st, vm)) b.attached = false;
        for (const f of vmVifs(st, vm)) f.attached = false;
      });
      return '';
    }),
};

// ------------------------------------------------------------------ memory and vCPUs

function memoryCommand(own: string[], op: string, apply: (run: XeRun, vm: Vm) => void): Command {
  return {
    required: own,
    own,
    run: (run) => {
      // Parse first: a bad size fails before any VM is looked at.
      const dummy = { smin: 0, smax: 0, dmin: 0, dmax: 0 } as Vm;
      apply(run, dummy);
      return onSelected(run, { own, control: true, templates: true }, async (sel) => {
        await runSyncVmOp(run, sel.uuid, op, (_st, vm) => apply(run, vm));
        return '';
      });
    },
  };
}

function sizes(run: XeRun, names: string[]): number[] {
  return names.map((n) => parseSize(n, run.get(n)!));
}

function setMemory(vm: Vm, m: { smin?: number; smax?: number; dmin?: number; dmax?: number }): void {
  const next = { smin: m.smin ?? vm.smin, smax: m.smax ?? vm.smax, dmin: m.dmin ?? vm.dmin, dmax: m.dmax ?? vm.dmax };
  if (vm.uuid) checkMemory(next);
  Object.assign(vm, next);
}

const vcpuHotplug: Command = {
  required: ['new-vcpus'],
  own: ['new-vcpus'],
  run: (run) => {
    const n = parseInteger('new-vcpus', run.get('new-vcpus')!);
    return onSelected(run, { own: ['new-vcpus'] }, async (sel) => {
      await runSyncVmOp(run, sel.uuid, 'changing_VCPUs_live', (_st, vm) => {
        if (n < 1 || n > vm.vcpusMax) throw new XapiError('INVALID_VALUE', ['VCPU values must satisfy: 0 < VCPUs ≤ VCPUs_max', String(n)]);
        vm.vcpusLive = n;
        vm.vcpusAtStartup = n;
      });
      return '';
    });
  },
};

// ------------------------------------------------------------------ devices

function plugCheck(st: SimState, vmUuid: string): Vm {
  const vm = st.vms[vmUuid];
  if (!vm) throw new XapiError('HANDLE_INVALID', ['VM', `OpaqueRef:${vmUuid}`]);
  if (vm.power !== 'running') throw new XapiError('VM_BAD_POWER_STATE', [vmLabel(vm), 'running', vm.power]);
  return vm;
}

const vdiCreate: Command = {
  required: ['sr-uuid', 'name-label', 'virtual-size'],
  run: async (run) => {
    const size = parseSize('virtual-size', run.get('virtual-size')!);
    const type = (run.get('type') ?? 'user').toLowerCase();
    if (!['system', 'user', 'ephemeral', 'suspend', 'crashdump', 'ha_statefile', 'metadata', 'redo_log', 'rrd', 'pvs_cache', 'cbt_metadata'].includes(type)) {
      throw new CliError(`Unknown VDI type: ${run.get('type')}`); // [UNCONFIRMED] text
    }
    const sharable = run.has('sharable') ? parseBool('sharable', run.get('sharable')!) : false;
    await run.latency();
    return run.update((st) => {
      const sr = run.get('sr-uuid')!;
      if (!st.srs[sr]) throw new XapiError('UUID_INVALID', ['SR', sr]);
      const sm: Record<string, string> = {};
      const tags: string[] = [];
      for (const [k, v] of run.order) {
        if (k.startsWith('sm-config:')) sm[k.slice(10)] = v;
        if (k.startsWith('tags:')) tags.push(v);
      }
      const allocated = allocatedSize(st.srs[sr].type, size, sm);
      const vdi: Vdi = { uuid: newUuid(st), name: run.get('name-label')!, desc: run.get('name-description') ?? '', sr, size: allocated, type, sharable, readOnly: false, other: {}, smConfig: sm, tags };
      st.vdis[vdi.uuid] = vdi;
      return vdi.uuid + '\n';
    });
  },
};

const vdiDestroy: Command = {
  required: ['uuid'],
  run: async (run) => {
    await run.latency();
    return run.update((st) => {
      const vdi = byUuid(CLASSES.vdi, st, run.get('uuid'));
      const vbds = Object.values(st.vbds).filter((b) => b.vdi === vdi.uuid);
      if (vbds.some((b) => b.attached)) throw new XapiError('VDI_IN_USE', [vdi.uuid, 'destroy']);
      for (const b of vbds) delete st.vbds[b.uuid];
      delete st.vdis[vdi.uuid];
      return '';
    });
  },
};

const vbdCreate: Command = {
  required: ['vm-uuid', 'device'],
  run: async (run) => {
    const type = parseVbdType(run.get('type') ?? 'Disk');
    const modeText = run.get('mode') ?? 'RW';
    const mode = modeText.toUpperCase();
    if (mode !== 'RO' && mode !== 'RW') throw new CliError(`Unknown mode: ${modeText} (should be "ro" or "rw"`);
    const bootable = run.has('bootable') ? parseBool('bootable', run.get('bootable')!) : false;
    const unpluggable = run.has('unpluggable') ? parseBool('unpluggable', run.get('unpluggable')!) : true;
    const vdiUuid = run.get('vdi-uuid');
    if (vdiUuid === undefined && type !== 'CD') throw new CliError('Empty VBDs can only be made for type=CD');
    await run.latency();
    return run.update((st) => {
      const vm = vmByUuid(st, run.get('vm-uuid')!);
      if (vdiUuid !== undefined && !st.vdis[vdiUuid]) throw new XapiError('UUID_INVALID', ['VDI', vdiUuid]);
      if (type === 'CD' && mode === 'RW') throw new XapiError('VBD_CDS_MUST_BE_READONLY', []);
      if (vdiUuid !== undefined && mode === 'RW' && st.vdis[vdiUuid].readOnly) throw new XapiError('VDI_READONLY', [vdiUuid]);
      let device = run.get('device')!;
      checkUserdevice(st, vm, device);
      if (device === 'autodetect') {
        const used = new Set(vmVbds(st, vm).map((b) => b.userdevice));
        device = String([...Array(255).keys()].find((i) => !used.has(String(i))));
      }
      const vbd: Vbd = { uuid: newUuid(st), vm: vm.uuid, vdi: vdiUuid ?? null, userdevice: device, bootable, mode, type, unpluggable, attached: false, other: {} };
      st.vbds[vbd.uuid] = vbd;
      return vbd.uuid + '\n';
    });
  },
};

function devicePlug(cls: 'vbd' | 'vif', plug: boolean): Command {
  return {
    required: ['uuid'],
    run: async (run) => {
      await run.latency();
      return run.update((st) => {
        const d = byUuid(CLASSES[cls], st, run.get('uuid'));
        plugCheck(st, d.vm);
        if (plug && d.attached) throw new XapiError('DEVICE_ALREADY_ATTACHED', [d.uuid]);
        if (!plug && !d.attached) throw new XapiError('DEVICE_ALREADY_DETACHED', [d.uuid]);
        d.attached = plug;
        return '';
      });
    },
  };
}

const vbdDestroy: Command = {
  required: ['uuid'],
  run: async (run) => {
    await run.latency();
    return run.update((st) => {
      const vbd: Vbd = byUuid(CLASSES.vbd, st, run.get('uuid'));
      if (vbd.attached) throw new XapiError('OPERATION_NOT_ALLOWED', [`VBD '${vbd.uuid}' still attached to '${vbd.vm}'`]);
      delete st.vbds[vbd.uuid];
      return '';
    });
  },
};

const MAC_RE = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

const vifCreate: Command = {
  required: ['device', 'network-uuid', 'vm-uuid'],
  run: async (run) => {
    await run.latency();
    return run.update((st) => {
      const vm = vmByUuid(st, run.get('vm-uuid')!);
      const net = run.get('network-uuid')!;
      if (!st.networks[net]) throw new XapiError('UUID_INVALID', ['network', net]);
      const device = run.get('device')!;
      if (!/^[0-9]+$/.test(device)) throw new XapiError('INVALID_DEVICE', [device]);
      if (vmVifs(st, vm).some((v) => v.device === device)) throw new XapiError('DEVICE_ALREADY_EXISTS', [device]);
      const macParam = run.get('mac') ?? '';
      let mac: string;
      let auto = false;
      if (macParam === '') {
        mac = vifMac(vm, device);
        auto = true;
      } else if (macParam === 'random') mac = randomLocalMac();
      else if (MAC_RE.test(macParam)) mac = macParam.toLowerCase();
      else throw new XapiError('MAC_INVALID', [macParam]);
      const vif = { uuid: newUuid(st), vm: vm.uuid, network: net, device, mac, macAuto: auto, mtu: st.networks[net].mtu, attached: false, other: {} };
      st.vifs[vif.uuid] = vif;
      return vif.uuid + '\n';
    });
  },
};

const vifDestroy: Command = {
  required: ['uuid'],
  run: async (run) => {
    await run.latency();
    return run.update((st) => {
      const vif = byUuid(CLASSES.vif, st, run.get('uuid'));
      if (vif.attached && st.vms[vif.vm]?.power === 'running') throw new XapiError('OPERATION_NOT_ALLOWED', ['VIF currently attached to a running VM']);
      delete st.vifs[vif.uuid];
      return '';
    });
  },
};

// ------------------------------------------------------------------ event-wait

const EVENT_WAIT_LIMIT_MS = 10 * 60 * 1000;

const eventWait: Command = {
  required: ['class'],
  run: async (run) => {
    const cls = CLASSES[run.get('class')!.toLowerCase()];
    if (!cls) throw new CliError(`Unknown class: ${run.get('class')}`); // [UNCONFIRMED] text
    const conds = run.order.filter(([k]) => k !== 'class' && k !== 'minimal');
    const deadline = Date.now() + EVENT_WAIT_LIMIT_MS;
    for (;;) {
      const hit = await run.read((st, c) =>
        cls.rows(st).some((o) =>
          conds.every(([k, v]) => {
            const f = findField(cls, k);
            const val = renderValue(f, f.get(o, c));
            return v.startsWith('/=') ? val !== v.slice(2) : val === v;
          }),
        ),
      );
      if (hit) return '';
      if (Date.now() > deadline) throw new CliError('event-wait: the simulator gave up after 10 minutes');
      await sleep(50);
    }
  },
};

// ------------------------------------------------------------------ table

const lifecycleOwn = ['force', 'on', 'paused', 'progress'];

export const COMMANDS: Record<string, Command> = {
  'vm-start': lifecycle(() => 'start', lifecycleOwn, { control: true }, (run): Record<string, string> => (run.flag('paused') ? { paused: 'true' } : {})),
  'vm-shutdown': lifecycle((run) => (run.flag('force') ? 'hard_shutdown' : 'clean_shutdown'), lifecycleOwn),
  'vm-reboot': lifecycle((run) => (run.flag('force') ? 'hard_reboot' : 'clean_reboot'), lifecycleOwn),
  'vm-suspend': lifecycle(() => 'suspend', lifecycleOwn),
  'vm-resume': lifecycle(() => 'resume', lifecycleOwn),
  'vm-pause': lifecycle(() => 'pause', []),
  'vm-unpause': lifecycle(() => 'unpause', []),
  'vm-install': vmInstall,
  'vm-clone': cloneCommand('clone'),
  'vm-copy': cloneCommand('copy'),
  'vm-snapshot': vmSnapshot,
  'vm-destroy': vmDestroy,
  'vm-uninstall': vmUninstall,
  'vm-reset-powerstate': vmResetPowerstate,
  'vm-memory-limits-set': memoryCommand(['static-min', 'static-max', 'dynamic-min', 'dynamic-max'], 'changing_memory_limits', (run, vm) => {
    const [smin, smax, dmin, dmax] = sizes(run, ['static-min', 'static-max', 'dynamic-min', 'dynamic-max']);
    setMemory(vm, { smin, smax, dmin, dmax });
  }),
  'vm-memory-static-range-set': memoryCommand(['min', 'max'], 'changing_static_range', (run, vm) => {
    const [smin, smax] = sizes(run, ['min', 'max']);
    setMemory(vm, { smin, smax });
  }),
  'vm-memory-dynamic-range-set': memoryCommand(['min', 'max'], 'changing_dynamic_range', (run, vm) => {
    const [dmin, dmax] = sizes(run, ['min', 'max']);
    setMemory(vm, { dmin, dmax });
  }),
  'vm-memory-set': memoryCommand(['memory'], 'changing_memory_limits', (run, vm) => {
    const [m] = sizes(run, ['memory']);
    setMemory(vm, { smax: m, dmin: m, dmax: m });
  }),
  'vm-memory-target-set': memoryCommand(['target'], 'changing_dynamic_range', (run, vm) => {
    const [m] = sizes(run, ['target']);
    setMemory(vm, { dmin: m, dmax: m });
  }),
  'vm-vcpu-hotplug': vcpuHotplug,
  'vdi-create': vdiCreate,
  'vdi-destroy': vdiDestroy,
  'vbd-create': vbdCreate,
  'vbd-plug': devicePlug('vbd', true),
  'vbd-unplug': devicePlug('vbd', false),
  'vbd-destroy': vbdDestroy,
  'vif-create': vifCreate,
  'vif-plug': devicePlug('vif', true),
  'vif-unplug': devicePlug('vif', false),
  'vif-destroy': vifDestroy,
  'event-wait': eventWait,
};

for (const cls of Object.values(CLASSES)) {
  COMMANDS[`${cls.cli}-list`] = listCommand(cls);
  COMMANDS[`${cls.cli}-param-list`] = paramList(cls);
  COMMANDS[`${cls.cli}-param-get`] = paramGet(cls);
  COMMANDS[`${cls.cli}-param-set`] = paramSet(cls);
  COMMANDS[`${cls.cli}-param-add`] = paramAdd(cls);
  COMMANDS[`${cls.cli}-param-remove`] = paramRemove(cls);
  COMMANDS[`${cls.cli}-param-clear`] = paramClear(cls);
}
