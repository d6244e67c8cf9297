// XenServer / XCP-ng through the xe CLI: every VM addressed by uuid.
import { MARKER_ADDRESS, MARKER_LINEAGE, type BootAttributes, type CdromAttributes, type DiskAttributes, type HostInventory, type MemoryAttributes, type NetworkAttributes, type ObservedVm, type VmAttributes } from '../../planner/model/vm.js';
import { type SetChange, type Step } from '../../planner/model/ops.js';
import type { ExecResult, Provider, StepResult, StepTarget, Transport } from '../provider.js';
import { checkStepValues } from '../step-values.js';
import { ProviderError } from '../provider.js';
import { runBatch } from '../transport/batch.js';
import { chain } from '../transport/chain.js';
import { stamped } from '../transport/stamped.js';
import { xeError } from './errors.js';
import { changeDisk, type DiskOps } from './disk-changes.js';
import { setCdrom } from './cdrom.js';
import { startOnce } from './boot-once.js';
import { secureBootParam, setFirmware, setVtpm } from './firmware.js';
import {
  MARKER_BOOTED_WITH,
  MARKER_TEMPLATE,
  STAMP_FIELDS,
  VDI_MARKER_DISK,
  VDI_MARKER_KEEP,
  VDI_MARKER_VM,
  VIF_MARKER_NETWORK,
  bootOf,
  buildInventory,
  decodeBootedWith,
  encodeBootedWith,
  inventoryQueries,
  namesFrom,
  namesQueries,
  observeVm,
  stampPrefix,
  tablesFrom,
  unnamedReferences,
  vmQueries,
  vmTablesFrom,
  type Names,
  type XapiTables,
} from './inventory.js';
import { CHECKED_OTHER_CONFIG, otherConfigOf, parseMinimal, parseRecords, type XeRecord } from './records.js';
import { readTables, type Query } from './tables.js';
import { checkArgv, checkAttributes, checkChanges } from './wire.js';

interface Ctx {
  vm: string; // for messages: the address, or the name
  op: string;
  signal?: AbortSignal;
}

export class XapiProvider implements Provider {
  readonly toolstack = 'xapi' as const;

  constructor(readonly host: string, private readonly transport: Transport) {}

  async inventory(): Promise<HostInventory> {
    const read = await this.tables({ vm: `host "${this.host}"`, op: 'inventory' }, inventoryQueries());
    const tables = tablesFrom(read);
    this.names = { srs: tables.srs, networks: tables.networks, hosts: tables.hosts };
    // A power step then reads only what it changes (power()).
    for (const record of tables.vms) if (record['is-control-domain'] !== 'true') this.lastRead.set(record.uuid, { record, tables });
    return buildInventory(this.host, tables);
  }

  async readVm(uuid: string): Promise<ObservedVm | null> {
    const read = await this.readRecord(uuid);
    return read && observeVm(this.host, read.record, read.tables);
  }

  // SR and network names, read once per provider and again when a VM refers to one not known.
  private names: Names | null = null;
  private namesRead: Promise<Names> | null = null;
  // Each VM as this provider last read it.
  private readonly lastRead = new Map<string, { record: XeRecord; tables: XapiTables }>();

  private async readRecord(uuid: string): Promise<{ record: XeRecord; tables: XapiTables } | null> {
    const ctx = { vm: uuid, op: 'read' };
    // The first read asks for the names too; reads made meanwhile wait for its answer.
    const first = this.names === null && this.namesRead === null;
    const read = this.tables(ctx, first ? [...vmQueries(uuid), ...namesQueries()] : vmQueries(uuid));
    const shared = first ? read.then((outputs) => namesFrom(outputs.slice(4))) : this.namesRead;
    if (first && shared) {
      this.namesRead = shared;
      shared.catch(() => undefined).finally(() => (this.namesRead = null));
    }
    const outputs = await read;
    let names = this.names ?? (await shared?.catch(() => null)) ?? null;
    let tables = names && vmTablesFrom(outputs, names);
    if (!names || !tables || unnamedReferences(tables)) {
      names = namesFrom(await this.tables(ctx, namesQueries()));
      tables = vmTablesFrom(outputs, names);
    }
    this.names = names;
    const record = tables.vms.find((r) => r.uuid === uuid && r['is-control-domain'] !== 'true');
    if (!record) {
      this.lastRead.delete(uuid);
      return null;
    }
    this.lastRead.set(uuid, { record, tables });
    return { record, tables };
  }

  private async batch(ctx: Ctx, cmds: string[][], parallel = true): Promise<ExecResult[]> {
    for (const argv of cmds) checkArgv(this.host, ctx.vm, argv);
    const results = await runBatch(this.transport, cmds, { parallel });
    return results.map((r, i) => this.check(ctx, cmds[i], r));
  }

  // Tables read so that no value can pass for another (tables.ts), `before` run first.
  private async tables(ctx: Ctx, queries: Query[], before: string[][] = []): Promise<XeRecord[][]> {
    const parallel = before.length === 0;
    const read = await readTables((cmds) => this.batch(ctx, cmds, parallel), (cmds) => runBatch(this.transport, cmds, { parallel: true }), queries, before);
    return read.tables;
  }

  async execute(step: Step, target: StepTarget, signal?: AbortSignal): Promise<StepResult> {
    const ctx: Ctx = { vm: target.address, op: step.op, signal };
    checkStepValues(this.host, target.address, step);
    if (step.op === 'create') {
      const uuid = await this.create(ctx, step.args.attributes, step.args.markers);
      return { uuid, observed: await this.readVm(uuid) };
    }
    const uuid = target.uuid;
    if (!uuid) throw new ProviderError(this.host, 'NO_TARGET', {}, `${step.op} of ${target.address} needs the VM's uuid, and it has none`);
    const notes: string[] = [];
    switch (step.op) {
      case 'set':
        await this.set(ctx, uuid, step.args.changes);
        break;
      case 'add_disk':
        await this.addDisk(ctx, uuid, step.args.disk, 0);
        break;
      case 'remove_disk':
        notes.push(...(await this.removeDisk(ctx, uuid, step.args.disk)));
        break;
      case 'change_disk':
        await changeDisk(this.diskOps(ctx), uuid, (await this.powerState(ctx, uuid)) === 'running', step.args.from, step.args.disk);
        break;
      case 'add_network':
        await this.addNetwork(ctx, uuid, step.args.network, null);
        break;
      case 'remove_network':
        await this.removeNetwork(ctx, uuid, step.args.network);
        break;
      case 'destroy':
        notes.push(...(await this.destroy(ctx, uuid)));
        return { uuid, observed: null, ...(notes.length ? { notes } : {}) };
      case 'start': {
        const once = step.args.boot_once;
        if (!once) return this.power(ctx, uuid, ['vm-start'], 'boot');
        // The booted-with marker is taken from the record read before the one-shot order is set.
        if (!this.lastRead.has(uuid)) await this.readRecord(uuid);
        return startOnce((order) => this.xe(ctx, ['vm-param-set', `uuid=${uuid}`, `HVM-boot-params:order=${order}`]), () => this.power(ctx, uuid, ['vm-start'], 'boot'), once);
      }
      case 'hard_shutdown':
        return this.power(ctx, uuid, ['vm-shutdown', '--force'], false);
      // The shutdown policy (timeout, fallback) is the engine's: it aborts `signal` at the timeout.
      case 'clean_shutdown':
        return this.power(ctx, uuid, ['vm-shutdown'], false);
      case 'clean_reboot':
        return this.power(ctx, uuid, ['vm-reboot'], 'boot');
      case 'hard_reboot':
        return this.power(ctx, uuid, ['vm-reboot', '--force'], 'boot');
      case 'pause':
        return this.power(ctx, uuid, ['vm-pause'], false);
      case 'unpause':
        return this.power(ctx, uuid, ['vm-unpause'], false);
      case 'suspend':
        return this.power(ctx, uuid, ['vm-suspend'], 'suspend');
      case 'resume':
        return this.power(ctx, uuid, ['vm-resume'], 'resume');
      case 'migrate':
        return this.migrate(ctx, uuid, step.args.member);
      default: {
        const never: never = step;
        throw new Error(`unknown step ${JSON.stringify(never)}`);
      }
    }
    return { uuid, observed: await this.readVm(uuid), ...(notes.length ? { notes } : {}) };
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  async setAddressMarker(uuid: string, address: string): Promise<void> {
    await this.xe({ vm: uuid, op: 'state mv' }, ['vm-param-set', `uuid=${uuid}`, `other-config:${MARKER_ADDRESS}=${address}`]);
  }

  async setMarkers(uuid: string, markers: { address: string; lineage: string } | null): Promise<void> {
    const ctx = { vm: uuid, op: markers ? 'import' : 'forget' };
    if (markers) await this.xe(ctx, ['vm-param-set', `uuid=${uuid}`, `other-config:${MARKER_ADDRESS}=${markers.address}`, `other-config:${MARKER_LINEAGE}=${markers.lineage}`]);
    else for (const key of [MARKER_ADDRESS, MARKER_LINEAGE]) await this.xe(ctx, ['vm-param-remove', `uuid=${uuid}`, 'param-name=other-config', `param-key=${key}`]);
  }

  // --- xe plumbing ---------------------------------------------------------

  private check(ctx: Ctx, argv: string[], r: ExecResult): ExecResult {
    if (r.code !== 0) throw xeError({ host: this.host, vm: ctx.vm, op: ctx.op, argv }, r);
    return r;
  }

  private async xe(ctx: Ctx, args: string[]): Promise<string> {
    if (ctx.signal?.aborted) throw this.aborted(ctx);
    const argv = ['xe', ...args];
    checkArgv(this.host, ctx.vm, argv);
    const r = await this.transport.exec(argv, ctx.signal ? { signal: ctx.signal } : undefined);
    return this.check(ctx, argv, r).stdout.replace(/\n$/, '');
  }

  private aborted(ctx: Ctx): ProviderError {
    return new ProviderError(this.host, 'ABORTED', {}, `${ctx.op} of ${ctx.vm} was not started: apply was interrupted`);
  }

  // A power operation changes the VM's power fields only: the rest of the record and its
  // devices are taken from the last read of the VM (the refresh's inventory, or the step
  // before). The operation, the read of its power fields and, when a domain was built, the
  // marker recording which boot it was built with and the domain's dom-id and start-time (see
  // MARKER_BOOTED_WITH) go in one round trip of at most three `xe` (stamped.ts): `boot` for a
  // start or reboot, `resume` for a resume (a new domain that keeps the boot the marker names).
  private async power(ctx: Ctx, uuid: string, command: string[], builds: false | 'boot' | 'resume' | 'suspend'): Promise<StepResult> {
    const act = ['xe', command[0], `uuid=${uuid}`, ...command.slice(1)];
    const before = this.lastRead.get(uuid) ?? (await this.readRecord(uuid));
    if (!before) {
      await this.xe(ctx, act.slice(1)); // the host says why it cannot
      return { uuid, observed: null };
    }
    const other = otherConfigOf(before.record);
    // A domain rebuilt outside xenform is suspended: the marker is made to name its boot, for
    // the resume to carry forward.
    const suspending = builds === 'suspend' ? observeVm(this.host, before.record, before.tables) : null;
    const boot = builds === 'boot' ? bootOf(before.record) : builds === 'resume' ? decodeBootedWith(other[MARKER_BOOTED_WITH])?.boot : undefined;
    const key = `other-config:${MARKER_BOOTED_WITH}=`;
    const mark = boot
      ? { prefix: stampPrefix(boot), fields: STAMP_FIELDS }
      : suspending?.rebuilt_outside && suspending.booted_with ? { prefix: encodeBootedWith({ boot: suspending.booted_with }), fields: [] } : null;
    const markArgv = mark ? ['xe', 'vm-param-set', `uuid=${uuid}`] : [];
    const read = ['xe', 'vm-list', `uuid=${uuid}`, `params=${POWER_FIELDS.join(',')}`];
    if (ctx.signal?.aborted) throw this.aborted(ctx);
    for (const argv of [act, read, ...(mark ? [[...markArgv, key + mark.prefix]] : [])]) checkArgv(this.host, ctx.vm, argv);
    const r = await this.transport.exec(
      stamped({ act, read, fields: mark?.fields ?? [], prefix: key + (mark?.prefix ?? ''), mark: markArgv }),
      ctx.signal ? { signal: ctx.signal } : undefined,
    );
    // The read's output is the record of xapi's own fields; anything else is act's failure.
    const fields = r.stdout === '' ? undefined : parseRecords(r.stdout, POWER_FIELDS, [uuid])?.[0];
    if (r.code !== 0 && !fields) throw xeError({ host: this.host, vm: ctx.vm, op: ctx.op, argv: act }, r);
    if (r.code !== 0) throw xeError({ host: this.host, vm: ctx.vm, op: ctx.op, argv: [...markArgv, key] }, { ...r, stdout: '' });
    if (r.stdout === '') {
      this.lastRead.delete(uuid);
      return { uuid, observed: null };
    }
    if (!fields) return { uuid, observed: await this.readVm(uuid) }; // never from xapi's own fields, but not to be guessed
    const record: XeRecord = { ...before.record, ...fields };
    if (mark) {
      const value = mark.prefix + mark.fields.map((f) => fields[f]).join(' ');
      record[CHECKED_OTHER_CONFIG] = JSON.stringify({ ...other, [MARKER_BOOTED_WITH]: value });
    }
    this.lastRead.set(uuid, { record, tables: before.tables });
    return { uuid, observed: observeVm(this.host, record, before.tables, boot) };
  }

  // VM.pool_migrate to a member, which then becomes the VM's affinity. The domain moves with
  // the boot it was built with: the booted-with marker is carried to the new dom-id as a
  // resume carries it. A refused or failed migration leaves the VM, and its affinity, as they were.
  private async migrate(ctx: Ctx, uuid: string, member: string): Promise<StepResult> {
    const host = await this.memberUuid(ctx, member);
    const moved = await this.power(ctx, uuid, ['vm-migrate', `host=${host}`, 'live=true'], 'resume');
    await this.xe(ctx, ['vm-param-set', `uuid=${uuid}`, `affinity=${host}`]);
    return { ...moved, observed: moved.observed && { ...moved.observed, resident_on: member, affinity: member } };
  }

  private async memberUuid(ctx: Ctx, name: string): Promise<string> {
    const found = parseMinimal(await this.xe(ctx, ['host-list', `name-label=${name}`, 'params=uuid', '--minimal']));
    if (found.length === 1) return found[0];
    throw new ProviderError(this.host, found.length > 1 ? 'AMBIGUOUS' : 'NOT_FOUND', { member: name },
      found.length > 1 ? `host "${this.host}" has ${found.length} pool members named "${name}"; rename one` : `host "${this.host}" has no pool member named "${name}" (needed by ${ctx.vm})`);
  }

  private async templateUuid(ctx: Ctx, name: string): Promise<string> {
    const found = parseMinimal(await this.xe(ctx, ['template-list', `name-label=${name}`, 'params=uuid', '--minimal']));
    if (found.length === 1) return found[0];
    if (found.length > 1) {
      throw new ProviderError(this.host, 'AMBIGUOUS', { template: name }, `host "${this.host}" has ${found.length} templates named "${name}" (${found.join(', ')}); rename one`);
    }
    throw new ProviderError(this.host, 'NOT_FOUND', { template: name }, `host "${this.host}" has no template named "${name}" (needed by ${ctx.vm})`);
  }

  private async lookup(ctx: Ctx, cls: 'sr' | 'network', name: string): Promise<string> {
    const byName = parseMinimal(await this.xe(ctx, [`${cls}-list`, `name-label=${name}`, 'params=uuid', '--minimal']));
    if (byName.length === 1) return byName[0];
    if (byName.length > 1) {
      throw new ProviderError(this.host, 'AMBIGUOUS', { [cls]: name }, `host "${this.host}" has ${byName.length} ${cls === 'sr' ? 'SRs' : 'networks'} named "${name}"; rename one`);
    }
    if (cls === 'network') {
      const byBridge = parseMinimal(await this.xe(ctx, ['network-list', `bridge=${name}`, 'params=uuid', '--minimal']));
      if (byBridge.length === 1) return byBridge[0];
    }
    throw new ProviderError(this.host, 'NOT_FOUND', { [cls]: name },
      `host "${this.host}" has no ${cls === 'sr' ? 'SR' : 'network'} named "${name}" (needed by ${ctx.vm})`);
  }

  // --- create and set --------------------------------------------------------

  private async create(ctx: Ctx, a: VmAttributes, markers: { address: string; lineage: string }): Promise<string> {
    checkAttributes(this.host, ctx.vm, a);
    // By uuid: `template=NAME` also matches snapshots of that name (cli_operations.ml `vm_install`
    // filters only is-a-template and is-control-domain), template-list leaves them out.
    const template = await this.templateUuid(ctx, a.template);
    const install = ['xe', 'vm-install', `template=${template}`, `new-name-label=${a.name}`];
    if (a.disks[0]?.sr) install.push(`sr-name-label=${a.disks[0].sr}`);
    const uuid = await this.installMarked(ctx, install, [
      'xe', 'vm-param-set',
      `other-config:${MARKER_ADDRESS}=${markers.address}`,
      `other-config:${MARKER_LINEAGE}=${markers.lineage}`,
      `other-config:${MARKER_TEMPLATE}=${a.template}`,
    ]);
    await this.xe(ctx, ['vm-param-set', `uuid=${uuid}`, `name-description=${a.description}`]);
    await this.setMemory(ctx, uuid, a.memory);
    await this.xe(ctx, ['vm-param-set', `uuid=${uuid}`, 'VCPUs-at-startup=1']);
    await this.xe(ctx, ['vm-param-set', `uuid=${uuid}`, `VCPUs-max=${a.vcpus_max}`]);
    await this.xe(ctx, ['vm-param-set', `uuid=${uuid}`, `VCPUs-at-startup=${a.vcpus}`]);
    await this.setBoot(ctx, uuid, a.boot);
    for (const [i, disk] of a.disks.entries()) await this.addDisk(ctx, uuid, disk, i);
    for (const [i, net] of a.networks.entries()) await this.addNetwork(ctx, uuid, net, i);
    if (a.cdrom) await setCdrom((args) => this.xe(ctx, args), uuid, a.cdrom);
    if (a.vtpm) await setVtpm((args) => this.xe(ctx, args), uuid, true);
    for (const tag of a.tags) await this.xe(ctx, ['vm-param-add', `uuid=${uuid}`, 'param-name=tags', `param-key=${tag}`]);
    const other = Object.entries(a.other_config).map(([k, v]) => `other-config:${k}=${v}`);
    if (other.length) await this.xe(ctx, ['vm-param-set', `uuid=${uuid}`, ...other]);
    return uuid;
  }

  // The install and the ownership markers in one round trip (chain.ts): a connection dropped
  // while the VM is installed still leaves it marked, so the next plan adopts it. A VM that
  // could not be marked is named in the error, for the user to import or destroy.
  private async installMarked(ctx: Ctx, install: string[], mark: string[]): Promise<string> {
    if (ctx.signal?.aborted) throw this.aborted(ctx);
    checkArgv(this.host, ctx.vm, install);
    checkArgv(this.host, ctx.vm, mark);
    const r = await this.transport.exec(chain(install, 'uuid=', mark), ctx.signal ? { signal: ctx.signal } : undefined);
    const uuid = /^(\S+)\n/.exec(r.stdout)?.[1];
    if (r.code === 0 && uuid) return uuid;
    if (!uuid) throw xeError({ host: this.host, vm: ctx.vm, op: ctx.op, argv: install }, r);
    const why = xeError({ host: this.host, vm: ctx.vm, op: ctx.op, argv: [...mark, `uuid=${uuid}`] }, { ...r, stdout: r.stdout.slice(uuid.length + 1) });
    throw new ProviderError(this.host, why.code, { ...why.params, uuid },
      `${ctx.vm}: VM ${uuid} was installed on host "${this.host}" but could not be marked as xenform's (${why.message}); ` +
        `it was left there: \`xenform import ${ctx.vm} ${uuid}\` to keep it, or destroy it with \`xe vm-uninstall uuid=${uuid}\``);
  }

  private setMemory(ctx: Ctx, uuid: string, m: MemoryAttributes): Promise<string> {
    return this.xe(ctx, [
      'vm-memory-limits-set', `uuid=${uuid}`,
      `static-min=${m.static_min}`, `static-max=${m.static_max}`,
      `dynamic-min=${m.dynamic_min}`, `dynamic-max=${m.dynamic_max}`,
    ]);
  }

  private async setBoot(ctx: Ctx, uuid: string, b: BootAttributes): Promise<void> {
    if (b.mode === 'pv') {
      await this.xe(ctx, [
        'vm-param-set', `uuid=${uuid}`, 'HVM-boot-policy=',
        `PV-bootloader=${b.bootloader}`, `PV-kernel=${b.kernel}`, `PV-ramdisk=${b.ramdisk}`,
        `PV-args=${b.args}`, `PV-bootloader-args=${b.bootloader_args}`,
      ]);
    } else {
      await this.xe(ctx, [
        'vm-param-set', `uuid=${uuid}`, 'HVM-boot-policy=BIOS order',
        `HVM-boot-params:order=${b.order || 'cd'}`, `HVM-boot-params:firmware=${b.firmware}`, secureBootParam(b),
        'PV-bootloader=', 'PV-kernel=', 'PV-ramdisk=', `PV-args=${b.args}`, 'PV-bootloader-args=',
      ]);
    }
  }

  private static readonly BOOT_FIELDS: Record<string, (v: string) => string> = {
    'boot.bootloader': (v) => `PV-bootloader=${v}`,
    'boot.kernel': (v) => `PV-kernel=${v}`,
    'boot.ramdisk': (v) => `PV-ramdisk=${v}`,
    'boot.args': (v) => `PV-args=${v}`,
    'boot.bootloader_args': (v) => `PV-bootloader-args=${v}`,
    'boot.order': (v) => `HVM-boot-params:order=${v}`,
    'boot.secure_boot': (v) => `platform:secureboot=${v === 'true' ? 'true' : 'false'}`,
    'boot.mode': (v) => `HVM-boot-policy=${v === 'hvm' ? 'BIOS order' : ''}`,
    'memory.static_min': (v) => `memory-static-min=${v}`,
    'memory.static_max': (v) => `memory-static-max=${v}`,
    'memory.dynamic_min': (v) => `memory-dynamic-min=${v}`,
    'memory.dynamic_max': (v) => `memory-dynamic-max=${v}`,
    vcpus: (v) => `VCPUs-at-startup=${v}`,
    vcpus_max: (v) => `VCPUs-max=${v}`,
    name: (v) => `name-label=${v}`,
    description: (v) => `name-description=${v}`,
  };

  // Each change in the order given: the planner orders memory and vCPU setters.
  private async set(ctx: Ctx, uuid: string, changes: SetChange[]): Promise<void> {
    checkChanges(this.host, ctx.vm, changes);
    for (const change of changes) {
      const { path, value } = change;
      const field = XapiProvider.BOOT_FIELDS[path];
      if (path === 'cdrom') {
        await setCdrom((args) => this.xe(ctx, args), uuid, value as CdromAttributes);
      } else if (path === 'boot.firmware') {
        await setFirmware((args) => this.xe(ctx, args), uuid, String(value));
      } else if (path === 'vtpm') {
        await setVtpm((args) => this.xe(ctx, args), uuid, value === true);
      } else if (path === 'vcpus' && change.live) {
        // VM.set_VCPUs_number_live also sets VCPUs_at_startup (xapi_xenops.ml set_vcpus).
        await this.xe(ctx, ['vm-vcpu-hotplug', `uuid=${uuid}`, `new-vcpus=${String(value)}`]);
      } else if (field) {
        await this.xe(ctx, ['vm-param-set', `uuid=${uuid}`, field(String(value))]);
      } else if (path === 'memory') {
        await this.setMemory(ctx, uuid, value as MemoryAttributes);
      } else if (path === 'boot') {
        await this.setBoot(ctx, uuid, value as BootAttributes);
      } else if (path === 'tags') {
        await this.xe(ctx, ['vm-param-clear', `uuid=${uuid}`, 'param-name=tags']);
        for (const tag of value as string[]) await this.xe(ctx, ['vm-param-add', `uuid=${uuid}`, 'param-name=tags', `param-key=${tag}`]);
      } else if (path === 'affinity') {
        await this.xe(ctx, ['vm-param-set', `uuid=${uuid}`, `affinity=${value ? await this.memberUuid(ctx, String(value)) : ''}`]);
      } else if (path === 'other_config') {
        await this.setOtherConfig(ctx, uuid, value as Record<string, string>);
      } else if (path.startsWith('other_config.')) {
        const key = path.slice('other_config.'.length);
        if (value === null || value === undefined) {
          await this.xe(ctx, ['vm-param-remove', `uuid=${uuid}`, 'param-name=other-config', `param-key=${key}`]).catch((e) => {
            if (!(e instanceof ProviderError && /not in map/.test(e.message))) throw e;
          });
        } else {
          await this.xe(ctx, ['vm-param-set', `uuid=${uuid}`, `other-config:${key}=${String(value)}`]);
        }
      } else {
        throw new ProviderError(this.host, 'UNSUPPORTED', { path }, `${ctx.vm}: xenform cannot set "${path}" on an XAPI host`);
      }
    }
  }

  private async setOtherConfig(ctx: Ctx, uuid: string, wanted: Record<string, string>): Promise<void> {
    const current = (await this.readVm(uuid))?.attributes.other_config ?? {};
    for (const key of Object.keys(current)) {
      if (!(key in wanted)) await this.xe(ctx, ['vm-param-remove', `uuid=${uuid}`, 'param-name=other-config', `param-key=${key}`]);
    }
    const sets = Object.entries(wanted).map(([k, v]) => `other-config:${k}=${v}`);
    if (sets.length) await this.xe(ctx, ['vm-param-set', `uuid=${uuid}`, ...sets]);
  }

  // --- devices ----------------------------------------------------------------

  private diskOps(ctx: Ctx): DiskOps {
    return { host: this.host, vm: ctx.vm, xe: (args) => this.xe(ctx, args), srUuid: (name) => this.lookup(ctx, 'sr', name) };
  }

  private async powerState(ctx: Ctx, uuid: string): Promise<string> {
    return this.xe(ctx, ['vm-param-get', `uuid=${uuid}`, 'param-name=power-state']);
  }

  private async addDisk(ctx: Ctx, uuid: string, disk: DiskAttributes, position: number): Promise<void> {
    const sr = await this.lookup(ctx, 'sr', disk.sr);
    const name = await this.xe(ctx, ['vm-param-get', `uuid=${uuid}`, 'param-name=name-label']);
    const vdi = await this.xe(ctx, ['vdi-create', `sr-uuid=${sr}`, `name-label=${name}-${disk.name}`, `virtual-size=${disk.size}`, 'type=user']);
    await this.xe(ctx, ['vdi-param-set', `uuid=${vdi}`, `other-config:${VDI_MARKER_DISK}=${disk.name}`, `other-config:${VDI_MARKER_VM}=${uuid}`, ...(disk.keep_on_destroy ? [`other-config:${VDI_MARKER_KEEP}=true`] : [])]);
    let device = disk.device;
    if (device === undefined) {
      const used = parseMinimal(await this.xe(ctx, ['vbd-list', `vm-uuid=${uuid}`, 'params=userdevice', '--minimal']));
      let n = position;
      while (used.includes(String(n))) n++;
      device = String(n);
    }
    const vbd = await this.xe(ctx, [
      'vbd-create', `vm-uuid=${uuid}`, `vdi-uuid=${vdi}`, `device=${device}`,
      `bootable=${disk.bootable}`, 'mode=RW', 'type=Disk',
    ]);
    if (ctx.op === 'add_disk' && (await this.powerState(ctx, uuid)) === 'running') await this.xe(ctx, ['vbd-plug', `uuid=${vbd}`]);
  }

  // A disk xenform created for this VM is destroyed unless marked keep_on_destroy; any other
  // VDI is only detached. Returns what the user should know: the uuid of a disk kept.
  private async removeDisk(ctx: Ctx, uuid: string, disk: DiskAttributes): Promise<string[]> {
    const [vbds] = await this.tables(ctx, [{ cls: 'vbd', fields: ['uuid', 'vdi-uuid', 'userdevice', 'currently-attached'], filters: [`vm-uuid=${uuid}`, 'type=Disk'] }]);
    for (const vbd of vbds) {
      const vdiConfig = await this.vdiMarkers(ctx, vbd['vdi-uuid']);
      const named = vdiConfig[VDI_MARKER_DISK] === disk.name;
      if (!named && !(disk.device !== undefined && vbd.userdevice === disk.device)) continue;
      if (vbd['currently-attached'] === 'true') await this.xe(ctx, ['vbd-unplug', `uuid=${vbd.uuid}`]);
      await this.xe(ctx, ['vbd-destroy', `uuid=${vbd.uuid}`]);
      if (vdiConfig[VDI_MARKER_VM] !== uuid) return [];
      if (vdiConfig[VDI_MARKER_KEEP] === 'true') return [keptNote(disk.name, vbd['vdi-uuid'])];
      await this.xe(ctx, ['vdi-destroy', `uuid=${vbd['vdi-uuid']}`]);
      return [];
    }
    throw new ProviderError(this.host, 'NOT_FOUND', { disk: disk.name }, `${ctx.vm} has no disk "${disk.name}" to remove`);
  }

  // xenform's keys on a VDI, each read on its own (no other value can pass for one).
  private async vdiMarkers(ctx: Ctx, vdi: string): Promise<Record<string, string>> {
    const keys = [VDI_MARKER_DISK, VDI_MARKER_VM, VDI_MARKER_KEEP];
    const results = await runBatch(this.transport, keys.map((k) => ['xe', 'vdi-param-get', `uuid=${vdi}`, 'param-name=other-config', `param-key=${k}`]), { parallel: true });
    const marks: Record<string, string> = {};
    keys.forEach((k, i) => {
      if (results[i].code === 0) marks[k] = results[i].stdout.replace(/\n$/, '');
    });
    return marks;
  }

  private async addNetwork(ctx: Ctx, uuid: string, net: NetworkAttributes, position: number | null): Promise<void> {
    const network = await this.lookup(ctx, 'network', net.network);
    const used = parseMinimal(await this.xe(ctx, ['vif-list', `vm-uuid=${uuid}`, 'params=device', '--minimal']));
    let n = position ?? 0;
    while (used.includes(String(n))) n++;
    const args = ['vif-create', `vm-uuid=${uuid}`, `network-uuid=${network}`, `device=${n}`];
    if (net.mac) args.push(`mac=${net.mac}`);
    const vif = await this.xe(ctx, args);
    await this.xe(ctx, ['vif-param-set', `uuid=${vif}`, `other-config:${VIF_MARKER_NETWORK}=${net.name}`]);
    if (ctx.op === 'add_network' && (await this.powerState(ctx, uuid)) === 'running') await this.xe(ctx, ['vif-plug', `uuid=${vif}`]);
  }

  private async removeNetwork(ctx: Ctx, uuid: string, net: NetworkAttributes): Promise<void> {
    const [vifs] = await this.tables(ctx, [{ cls: 'vif', fields: ['uuid', 'device', 'other-config', 'currently-attached'], filters: [`vm-uuid=${uuid}`] }]);
    const vif = vifs.find((v) => otherConfigOf(v)[VIF_MARKER_NETWORK] === net.name) ?? vifs.find((v) => `eth${v.device}` === net.name);
    if (!vif) throw new ProviderError(this.host, 'NOT_FOUND', { network: net.name }, `${ctx.vm} has no network "${net.name}" to remove`);
    if (vif['currently-attached'] === 'true') await this.xe(ctx, ['vif-unplug', `uuid=${vif.uuid}`]);
    await this.xe(ctx, ['vif-destroy', `uuid=${vif.uuid}`]);
  }

  // The VM, then the disks that are its own: attached through its own VBDs, not snapshots,
  // used by no other VM, and either made by xenform for it (VDI marker) or provisioned for it
  // by its template (VBD other-config `owner`, as vm-uninstall decides: cli_operations.ml
  // `vm_uninstall_common`). VDI snapshot, clone and copy carry other-config over
  // (xapi_vdi.ml `snapshot_and_clone`, `copy`), so the marker alone would also name the disks
  // of its snapshots and clones. A suspended VM is hard-shut down first: that destroys its
  // suspend image (xapi_vm.ml `hard_shutdown`), which `vm-destroy` would leave behind.
  // The VM and the disks xenform created for it, except those marked keep_on_destroy, which are
  // left detached and named (by uuid) in the returned notes.
  private async destroy(ctx: Ctx, uuid: string): Promise<string[]> {
    const [vbds] = await this.tables(ctx, [{ cls: 'vbd', fields: ['uuid', 'vdi-uuid', 'other-config'], filters: [`vm-uuid=${uuid}`, 'type=Disk'] }]);
    const candidates = vbds.filter((b) => UUID.test(b['vdi-uuid'] ?? ''));
    const per = 6;
    const answers = await runBatch(this.transport, [
      ['xe', 'vm-param-get', `uuid=${uuid}`, 'param-name=power-state'],
      ...candidates.flatMap((b) => [
        ['xe', 'vdi-param-get', `uuid=${b['vdi-uuid']}`, 'param-name=is-a-snapshot'],
        ['xe', 'vdi-param-get', `uuid=${b['vdi-uuid']}`, 'param-name=other-config', `param-key=${VDI_MARKER_VM}`],
        ['xe', 'vbd-list', `vdi-uuid=${b['vdi-uuid']}`, 'params=vm-uuid', '--minimal'],
        ['xe', 'vdi-param-get', `uuid=${b['vdi-uuid']}`, 'param-name=sharable'],
        ['xe', 'vdi-param-get', `uuid=${b['vdi-uuid']}`, 'param-name=other-config', `param-key=${VDI_MARKER_KEEP}`],
        ['xe', 'vdi-param-get', `uuid=${b['vdi-uuid']}`, 'param-name=other-config', `param-key=${VDI_MARKER_DISK}`],
      ]),
    ], { parallel: true });
    const value = (r: ExecResult | undefined) => (r && r.code === 0 ? r.stdout.replace(/\n$/, '') : null);
    const kept: string[] = [];
    const owned = candidates.filter((b, i) => {
      const [snapshot, marker, users, sharable, keep, label] = answers.slice(1 + i * per, 1 + (i + 1) * per);
      const mine = value(marker) === uuid || otherConfigOf(b).owner !== undefined;
      const othersUse = users.code !== 0 || parseMinimal(users.stdout).some((vm) => vm !== uuid);
      if (value(marker) === uuid && value(keep) === 'true') {
        kept.push(keptNote(value(label) ?? '?', b['vdi-uuid']));
        return false;
      }
      return mine && value(snapshot) === 'false' && value(sharable) === 'false' && !othersUse;
    }).map((b) => b['vdi-uuid']);
    if (value(answers[0]) === 'suspended') await this.xe(ctx, ['vm-shutdown', `uuid=${uuid}`, '--force']);
    await this.xe(ctx, ['vm-destroy', `uuid=${uuid}`]);
    for (const vdi of new Set(owned)) await this.xe(ctx, ['vdi-destroy', `uuid=${vdi}`]);
    return kept;
  }
}

const keptNote = (disk: string, vdi: string): string => `disk "${disk}" was detached and kept (keep_on_destroy): VDI ${vdi}`;

// What a power operation changes in a VM record, all of it xapi's own (no value a user set).
const POWER_FIELDS = ['uuid', 'power-state', 'dom-id', 'start-time', 'requires-reboot'];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
