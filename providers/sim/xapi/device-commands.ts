// The device and disk commands: vdi-create/destroy, vbd-* and vif-*.
import { newUuid, randomLocalMac } from '../ids.js';
import type { SimState, Vbd, Vdi, Vm } from '../state.js';
import { allocatedSize } from './storage.js';
import { parseBool, parseSize } from './args.js';
import { CLASSES } from './classes.js';
import { vmByUuid } from './context.js';
import { CliError, XapiError } from './errors.js';
import { vmLabel } from './lifecycle.js';
import { checkUserdevice, parseVbdType, vifMac } from './device-records.js';
import { hasGuestMetrics, isHvm, vmVbds, vmVifs } from './vm-record.js';
import type { Ctx } from './record-format.js';
import { byUuid, type Command } from './select.js';

// A running HVM guest hot-plugs only with PV drivers; a PV guest always can (xen-api
// e2ee48d688 xapi_vbd_helpers.ml L183-L213, xapi_vif_helpers.ml L120-L152: can-use-hotplug
// `yes`, or `unspecified` with PV drivers detected, else Xapi_pv_driver_version.make_error_opt:
// VM_MISSING_PV_DRIVERS).
function plugCheck(st: SimState, c: Ctx, vmUuid: string): Vm {
  const vm = st.vms[vmUuid];
  if (!vm) throw new XapiError('HANDLE_INVALID', ['VM', `OpaqueRef:${vmUuid}`]);
  if (vm.power !== 'running') throw new XapiError('VM_BAD_POWER_STATE', [vmLabel(vm), 'running', vm.power]);
  if (isHvm(vm) && !hasGuestMetrics(vm, c)) throw new XapiError('VM_MISSING_PV_DRIVERS', [vmLabel(vm)]);
  return vm;
}

export const vdiCreate: Command = {
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

export const vdiDestroy: Command = {
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

export const vbdCreate: Command = {
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

export function devicePlug(cls: 'vbd' | 'vif', plug: boolean): Command {
  return {
    required: ['uuid'],
    run: async (run) => {
      await run.latency();
      return run.update((st, c) => {
        const d = byUuid(CLASSES[cls], st, run.get('uuid'));
        plugCheck(st, c, d.vm);
        if (plug && d.attached) throw new XapiError('DEVICE_ALREADY_ATTACHED', [d.uuid]);
        if (!plug && !d.attached) throw new XapiError('DEVICE_ALREADY_DETACHED', [d.uuid]);
        d.attached = plug;
        return '';
      });
    },
  };
}

export const vbdDestroy: Command = {
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

export const vifCreate: Command = {
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

export const vifDestroy: Command = {
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
