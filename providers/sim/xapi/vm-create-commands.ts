// The commands that make VMs: vm-install, vm-clone, vm-copy and vm-snapshot.
import { newUuid, UUID_RE } from '../ids.js';
import type { SimState, Vbd, Vdi, Vm } from '../state.js';
import { blankVm } from '../host.js';
import { allocatedSize } from './storage.js';
import { Killed, vmByUuid, type XeRun } from './context.js';
import { CliError, XapiError } from './errors.js';
import { vifMac } from './device-records.js';
import { prependKey } from './record-format.js';
import { vmsNamed, vmVbds, vmVifs } from './vm-record.js';
import { faultError, runVmOp } from './vm-ops.js';
import { type Command, onSelected } from './select.js';

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
  delete vm.powerHistory;
  delete vm.bootOrders;
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
  const byName = (n: string) => {
    const ts = vmsNamed(st, n).filter((v) => v.template);
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

export const vmInstall: Command = {
  required: ['new-name-label'],
  run: async (run) => {
    await run.latency();
    const uuid = await run.update((st) => {
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
      // VM.provision: the template's disks become VDIs owned by the new VM (xen-api v1.249.42
      // ocaml/xapi/xapi_templates.ml `pre_install`: sm-config vmhint = the VM's uuid;
      // `create_disk`: the VDI is named after the VBD's userdevice; `post_install` removes "disks").
      for (const d of disks) {
        const vdi: Vdi = {
          // cli_util.ml `rewrite_provisioning_xml`: every disk goes to the chosen (or default) SR
          uuid: newUuid(st), name: d.device, desc: 'Created by template provisioner', sr: sr!, size: allocatedSize(st.srs[sr!].type, d.size, {}),
          type: d.type, sharable: false, readOnly: false, other: {}, smConfig: { vmhint: vm.uuid }, tags: [],
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
    // kill_during: the VM is made, and its uuid never reaches the client.
    if (run.kill) throw new Killed();
    return uuid;
  },
};

export function cloneCommand(op: 'clone' | 'copy'): Command {
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
export const vmSnapshot: Command = {
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
