// Plain Xen through the xl toolstack (xapi-spec §5): a VM is a guest
// configuration file; a halted VM is a file without a domain; a suspended VM has
// a save file. xl exits 0 from pause/unpause even when they fail, so those are
// checked with `xl list` afterwards.
import { randomUUID } from 'node:crypto';
import { posix } from 'node:path';
import type { BootMode, CdromAttributes, DiskAttributes, GuestCapabilities, HostInventory, NetworkAttributes, ObservedVm, VmAttributes } from '../../planner/model/vm.js';
import type { SetChange, Step } from '../../planner/model/ops.js';
import type { ExecResult, Provider, StepResult, StepTarget, Transport } from '../provider.js';
import { checkStepValues } from '../step-values.js';
import { killedBy, ProviderError } from '../provider.js';
import { runBatch } from '../transport/batch.js';
import { fileOp, parseReadDir } from '../transport/file-ops.js';
import { CfgError, diskSpec, guestFromCfg, parseCfg, renderCfg, vdevName, vifSpec, type GuestFromCfg } from './cfg.js';
import { migrateGuest, type XlMigrationSide } from './migrate.js';
import { cdCommand } from './cdrom.js';
import { parseNetworkList, parseXlList, parseXlListLong, powerFromLetters, type XlDomainConfig, type XlDomainRow } from './list.js';

export interface XlOptions {
  configDir?: string; // default /etc/xen
  suspendDir?: string; // default /var/lib/xen/save
  imageDir?: string; // where xenform creates disk images, default /var/lib/xen/images
  peer?: (host: string) => Promise<Provider> | undefined; // another host's provider, for migrate
}

interface Snapshot {
  files: { path: string; guest: GuestFromCfg }[];
  rows: XlDomainRow[];
  configs: XlDomainConfig[];
  saves: Set<string>;
}

interface Ctx {
  vm: string;
  op: string;
  signal?: AbortSignal;
  paths: Map<string, string>; // disk name -> image path, of the VM being changed
  cdromVdev?: string; // the CD drive's vdev in the guest file, when it has one
}

// What may name a guest file or a disk image: no directory, no leading dot.
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

// What a running guest takes without a reboot on plain Xen. A PV guest's kernel has the
// frontends and watches the xenstore keys xl writes (xl vcpu-set, block-attach, network-attach);
// for an HVM guest xl cannot tell whether it runs PV drivers, so nothing is assumed.
function guestOnXl(mode: BootMode): GuestCapabilities {
  const pv = mode === 'pv';
  return { pv_drivers: pv, hotplug_disk: pv, hotplug_network: pv, hotplug_vcpus: pv };
}

// A domain that takes devices now (xl block-attach, network-attach): the planner chose the
// live route only for a running guest.
const liveDomain = (vm: ObservedVm): boolean => vm.dom_id >= 0 && vm.attributes.power_state === 'running';

function sameBoot(a: object, b: object): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class XlProvider implements Provider {
  readonly toolstack = 'xl' as const;
  private readonly configDir: string;
  private readonly suspendDir: string;
  private readonly imageDir: string;
  private readonly peer: XlOptions['peer'];

  constructor(readonly host: string, private readonly transport: Transport, opts: XlOptions = {}) {
    this.configDir = opts.configDir ?? '/etc/xen';
    this.suspendDir = opts.suspendDir ?? '/var/lib/xen/save';
    this.imageDir = opts.imageDir ?? '/var/lib/xen/images';
    this.peer = opts.peer;
  }

  // --- reading ---------------------------------------------------------------

  private async snapshot(): Promise<Snapshot> {
    const cmds = [['xl', 'list'], ['xl', 'list', '-l'], fileOp('read-dir', this.configDir, '.cfg'), fileOp('list-dir', this.suspendDir)];
    const [list, long, dir, saves] = await runBatch(this.transport, cmds, { parallel: true });
    this.check({ vm: `host "${this.host}"`, op: 'inventory', paths: new Map() }, cmds[0], list);
    this.check({ vm: `host "${this.host}"`, op: 'inventory', paths: new Map() }, cmds[1], long);
    if (dir.code !== 0) throw new ProviderError(this.host, 'FILE', {}, `cannot read ${this.configDir} on host "${this.host}": ${dir.stderr.trim()}`);
    const files = parseReadDir(dir.stdout).map(({ name, content }) => {
      const path = posix.join(this.configDir, name);
      try {
        return { path, guest: guestFromCfg(parseCfg(content, path)) };
      } catch (e) {
        if (e instanceof CfgError) throw new ProviderError(this.host, 'BAD_CONFIG', { path }, `host "${this.host}": ${e.message}`);
        throw e;
      }
    });
    let configs: XlDomainConfig[];
    try {
      configs = parseXlListLong(long.stdout);
    } catch (e) {
      throw new ProviderError(this.host, 'XL_OUTPUT', {}, `host "${this.host}": cannot read the output of xl list -l: ${(e as Error).message}`);
    }
    return { files, rows: parseXlList(list.stdout), configs, saves: new Set(saves.stdout.split('\n').filter(Boolean)) };
  }

  private savePath(name: string): string {
    return posix.join(this.suspendDir, `${name}.save`);
  }

  private cfgPath(name: string): string {
    return posix.join(this.configDir, `${name}.cfg`);
  }

  private observe(snap: Snapshot, file: { path: string; guest: GuestFromCfg }): ObservedVm {
    const g = file.guest;
    const row = snap.rows.find((r) => r.name === g.attributes.name);
    const config = row ? snap.configs.find((c) => c.domid === row.domid) : undefined;
    const power = row ? powerFromLetters(row.state) : snap.saves.has(`${g.attributes.name}.save`) ? 'suspended' : 'halted';
    const live = power === 'running' || power === 'paused';
    const booted = live && config ? config.booted : null;
    return {
      uuid: g.uuid || config?.uuid || `cfg:${file.path}`,
      host: this.host,
      attributes: { ...g.attributes, power_state: power },
      markers: g.markers,
      dom_id: row && power !== 'halted' ? row.domid : -1,
      booted_with: booted,
      requires_reboot: booted !== null && !sameBoot(booted, g.attributes.boot),
      ...(booted ? { guest: guestOnXl(booted.mode) } : {}),
    };
  }

  async inventory(): Promise<HostInventory> {
    const snap = await this.snapshot();
    return {
      host: this.host,
      toolstack: 'xl',
      vms: snap.files.map((f) => this.observe(snap, f)),
      templates: [],
      srs: [],
      networks: [],
    };
  }

  async readVm(uuid: string): Promise<ObservedVm | null> {
    return (await this.locate(uuid))?.vm ?? null;
  }

  private async locate(uuid: string): Promise<{ vm: ObservedVm; paths: Map<string, string>; cdromVdev?: string } | null> {
    const snap = await this.snapshot();
    const file = snap.files.find((f) => f.guest.uuid === uuid || `cfg:${f.path}` === uuid);
    if (!file) return null;
    const paths = new Map(file.guest.attributes.disks.map((d, i) => [d.name, file.guest.diskPaths[i]]));
    return { vm: this.observe(snap, file), paths, cdromVdev: file.guest.cdromVdev };
  }

  async setAddressMarker(uuid: string, address: string): Promise<void> {
    const found = await this.locate(uuid);
    if (!found) throw new ProviderError(this.host, 'UNKNOWN_VM', {}, `host "${this.host}" has no guest with uuid ${uuid}`);
    const { vm, paths } = found;
    const ctx: Ctx = { vm: vm.attributes.name, op: 'state mv', paths, cdromVdev: found.cdromVdev };
    await this.write(ctx, vm.uuid, vm.attributes, { ...vm.markers, address }, vm.attributes.disks.map((d) => paths.get(d.name)!));
  }

  async setMarkers(uuid: string, markers: { address: string; lineage: string } | null): Promise<void> {
    const found = await this.locate(uuid);
    if (!found) throw new ProviderError(this.host, 'UNKNOWN_VM', {}, `host "${this.host}" has no guest with uuid ${uuid}`);
    const { vm, paths } = found;
    const ctx: Ctx = { vm: vm.attributes.name, op: markers ? 'import' : 'forget', paths, cdromVdev: found.cdromVdev };
    await this.write(ctx, vm.uuid, vm.attributes, markers ?? {}, vm.attributes.disks.map((d) => paths.get(d.name)!));
  }

  // --- steps -------------------------------------------------------------------

  async execute(step: Step, target: StepTarget, signal?: AbortSignal): Promise<StepResult> {
    const ctx: Ctx = { vm: target.address, op: step.op, signal, paths: new Map() };
    checkStepValues(this.host, target.address, step);
    if (step.op === 'create') {
      const uuid = await this.create(ctx, step.args.attributes, step.args.markers);
      return { uuid, observed: await this.readVm(uuid) };
    }
    if (!target.uuid) throw new ProviderError(this.host, 'NO_TARGET', {}, `${step.op} of ${target.address} needs the VM's uuid, and it has none`);
    const found = await this.locate(target.uuid);
    if (!found) throw new ProviderError(this.host, 'VM_NOT_FOUND', { uuid: target.uuid }, `${target.address} no longer exists on host "${this.host}" (its configuration file is gone)`);
    const { vm } = found;
    ctx.paths = found.paths;
    ctx.cdromVdev = found.cdromVdev;
    const name = vm.attributes.name;
    const cfg = this.cfgPath(name);
    switch (step.op) {
      case 'set':
        await this.set(ctx, vm, step.args.changes);
        break;
      case 'add_disk':
        await this.addDisk(ctx, vm, step.args.disk);
        break;
      case 'remove_disk':
        await this.removeDisk(ctx, vm, step.args.disk);
        break;
      case 'add_network':
        if (liveDomain(vm)) await this.xl(ctx, ['network-attach', vm.attributes.name, vifSpec(step.args.network)]);
        await this.rewrite(ctx, vm, { networks: [...vm.attributes.networks, step.args.network] });
        break;
      case 'remove_network':
        await this.removeNetwork(ctx, vm, step.args.network);
        break;
      case 'destroy':
        await this.destroy(ctx, vm);
        return { uuid: vm.uuid, observed: null };
      case 'start':
        await this.xl(ctx, ['create', cfg]);
        break;
      case 'hard_shutdown':
        if (vm.attributes.power_state === 'suspended') await this.exec(ctx, fileOp('remove', this.savePath(name)));
        else await this.xl(ctx, ['destroy', name]);
        break;
      case 'clean_shutdown':
        await this.shutdown(ctx, name);
        break;
      case 'clean_reboot':
        // A new domain from the file, so that boot changes take effect.
        await this.shutdown(ctx, name);
        await this.xl(ctx, ['create', cfg]);
        break;
      case 'hard_reboot':
        await this.xl(ctx, ['destroy', name]);
        await this.xl(ctx, ['create', cfg]);
        break;
      case 'pause':
        await this.xl(ctx, ['pause', name]);
        await this.expectState(ctx, name, 'paused');
        break;
      case 'unpause':
        await this.xl(ctx, ['unpause', name]);
        await this.expectState(ctx, name, 'running');
        break;
      case 'suspend':
        await this.exec(ctx, fileOp('mkdir', this.suspendDir));
        await this.xl(ctx, ['save', name, this.savePath(name)]);
        break;
      case 'resume':
        await this.xl(ctx, ['restore', this.savePath(name)]);
        await this.exec(ctx, fileOp('remove', this.savePath(name)));
        break;
      case 'change_disk': // the planner gives xl hosts no in-place disk route (planner/diff/disk-routes.ts)
        throw new ProviderError(this.host, 'UNSUPPORTED', {}, `${target.address}: xl hosts cannot grow or move a disk in place`);
      case 'migrate': {
        const peer = await this.peer?.(step.args.member);
        const to = peer instanceof XlProvider ? peer.migrationSide(ctx) : null;
        return migrateGuest(this.migrationSide(ctx), to, vm, vm.attributes.disks.map((d) => found.paths.get(d.name)!), target.address, step.args.member);
      }
      default: {
        const never: never = step;
        throw new Error(`unknown step ${JSON.stringify(never)}`);
      }
    }
    return { uuid: vm.uuid, observed: await this.readVm(vm.uuid) };
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  // This host's side of an xl migration (migrate.ts).
  migrationSide(ctx: Ctx): XlMigrationSide {
    const on = { ...ctx, paths: new Map<string, string>() };
    return {
      host: this.host,
      xl: (args) => this.xl(on, args),
      hasGuestFile: async (name) => (await this.snapshot()).files.some((f) => f.path === this.cfgPath(name)),
      writeGuest: (vm, paths) => this.write(on, vm.uuid, vm.attributes, vm.markers, paths),
      removeGuestFile: async (name) => void (await this.exec(on, fileOp('remove', this.cfgPath(name)))),
      readVm: (uuid) => this.readVm(uuid),
    };
  }

  // --- plumbing ------------------------------------------------------------------

  private check(ctx: Ctx, argv: string[], r: ExecResult): ExecResult {
    if (r.code === 0) return r;
    const killed = killedBy(this.host, argv.join(' '), r);
    if (killed) throw killed;
    const text = (r.stderr || r.stdout).trim().split('\n').filter((l) => !l.startsWith('Parsing config from')).join(' ') || `exit ${r.code}`;
    throw new ProviderError(this.host, 'XL_FAILED', { command: argv.join(' '), exit: String(r.code) },
      `${ctx.op} of ${ctx.vm} failed on host "${this.host}": \`${argv.join(' ')}\`: ${text}`);
  }

  private async exec(ctx: Ctx, argv: string[]): Promise<string> {
    if (ctx.signal?.aborted) throw new ProviderError(this.host, 'ABORTED', {}, `${ctx.op} of ${ctx.vm} was not started: apply was interrupted`);
    const r = await this.transport.exec(argv, ctx.signal ? { signal: ctx.signal } : undefined);
    return this.check(ctx, argv, r).stdout;
  }

  private xl(ctx: Ctx, args: string[]): Promise<string> {
    return this.exec(ctx, ['xl', ...args]);
  }

  private async expectState(ctx: Ctx, name: string, want: 'paused' | 'running'): Promise<void> {
    const rows = parseXlList(await this.xl(ctx, ['list']));
    const row = rows.find((r) => r.name === name);
    const got = row ? powerFromLetters(row.state) : 'halted';
    if (got !== want) {
      throw new ProviderError(this.host, 'XL_FAILED', { expected: want, actual: got },
        `${ctx.op} of ${ctx.vm} did not take effect on host "${this.host}": xl reported success but the domain is ${got}, not ${want}`);
    }
  }

  // `xl shutdown -w` waits for the domain to go; the shutdown policy (timeout, then
  // `xl destroy` or a failure) is the engine's, which aborts ctx.signal at the timeout.
  private async shutdown(ctx: Ctx, name: string): Promise<void> {
    await this.xl(ctx, ['shutdown', '-w', name]);
  }

  // The image of a disk: the path its guest file names, else a new one in the image directory,
  // named after the VM and the disk (both checked to be plain file names).
  private diskPath(ctx: Ctx, vmName: string, disk: DiskAttributes): string {
    const known = ctx.paths.get(disk.name);
    if (known !== undefined) return known;
    this.checkName(ctx, vmName);
    if (!FILE_NAME.test(disk.name)) {
      throw new ProviderError(this.host, 'INVALID_VALUE', { disk: disk.name },
        `${ctx.vm}: the disk label "${disk.name}" cannot name an image file; use letters, digits, ".", "_" and "-"`);
    }
    return posix.join(this.imageDir, `${vmName}-${disk.name}.img`);
  }

  // Whether xenform may create or delete the file: only images in its own image directory.
  private ownImage(path: string): boolean {
    const normal = posix.normalize(path);
    return normal === path && posix.dirname(normal) === posix.normalize(this.imageDir);
  }

  private async write(ctx: Ctx, uuid: string, attributes: Omit<VmAttributes, 'power_state'>, markers: { address?: string; lineage?: string }, diskPaths: string[]): Promise<void> {
    let text: string;
    try {
      text = renderCfg({ uuid, attributes: { ...attributes, power_state: 'halted' }, markers, diskPaths, cdromVdev: ctx.cdromVdev });
    } catch (e) {
      if (e instanceof CfgError) throw new ProviderError(this.host, 'INVALID_VALUE', {}, `${ctx.vm}: ${e.message}`);
      throw e;
    }
    if (!this.transport.writeFile) throw new ProviderError(this.host, 'UNSUPPORTED', {}, `the transport to host "${this.host}" cannot write files`);
    await this.exec(ctx, fileOp('mkdir', this.configDir));
    await this.transport.writeFile(this.cfgPath(attributes.name), text, 0o644);
  }

  private checkName(ctx: Ctx, name: string): void {
    if (!FILE_NAME.test(name)) {
      throw new ProviderError(this.host, 'INVALID_VALUE', { name },
        `${ctx.vm}: the name "${name}" cannot name an xl guest file; use letters, digits, ".", "_" and "-"`);
    }
  }

  private async create(ctx: Ctx, a: VmAttributes, markers: { address: string; lineage: string }): Promise<string> {
    this.checkName(ctx, a.name);
    const uuid = randomUUID();
    const paths = a.disks.map((d) => this.diskPath(ctx, a.name, d));
    // The file first: it carries the ownership markers, so an interrupted create is adopted.
    await this.write(ctx, uuid, a, markers, paths);
    if (a.disks.length) await this.exec(ctx, fileOp('mkdir', this.imageDir));
    for (const [i, d] of a.disks.entries()) await this.createImage(ctx, paths[i], d.size);
    return uuid;
  }

  // A disk image that is not there yet; a path outside the image directory (a disk the guest
  // file names, made outside xenform) is never created.
  private async createImage(ctx: Ctx, path: string, size: number): Promise<void> {
    if (this.ownImage(path)) await this.exec(ctx, fileOp('create-image', path, String(size)));
  }

  private async rewrite(ctx: Ctx, vm: ObservedVm, patch: Partial<VmAttributes>): Promise<void> {
    const attributes = { ...vm.attributes, ...patch };
    const paths = attributes.disks.map((d) => this.diskPath(ctx, attributes.name, d));
    if (patch.disks) {
      await this.exec(ctx, fileOp('mkdir', this.imageDir));
      for (const [i, d] of attributes.disks.entries()) await this.createImage(ctx, paths[i], d.size);
    }
    await this.write(ctx, vm.uuid, attributes, vm.markers, paths);
  }

  private async set(ctx: Ctx, vm: ObservedVm, changes: SetChange[]): Promise<void> {
    const a: VmAttributes = structuredClone(vm.attributes);
    // What is live first: the guest file then records what the domain has.
    for (const c of changes) {
      if (c.live && c.path === 'vcpus') await this.xl(ctx, ['vcpu-set', vm.attributes.name, String(c.value)]);
      if (c.path === 'cdrom' && liveDomain(vm)) await this.xl(ctx, this.liveCd(ctx, vm, c.value as CdromAttributes));
    }
    for (const { path, value } of changes) {
      const [head, key] = path.split(/\.(.*)/s);
      if (path === 'other_config' || path === 'tags' || path === 'name' || path === 'description' || path === 'vcpus' || path === 'vcpus_max' || path === 'memory' || path === 'boot' || path === 'cdrom') {
        (a as unknown as Record<string, unknown>)[path] = value;
      } else if (head === 'memory' || head === 'boot') {
        (a[head] as unknown as Record<string, unknown>)[key] = value;
      } else if (head === 'other_config') {
        if (value === null || value === undefined) delete a.other_config[key];
        else a.other_config[key] = String(value);
      } else {
        throw new ProviderError(this.host, 'UNSUPPORTED', { path }, `${ctx.vm}: xenform cannot set "${path}" on an xl host`);
      }
    }
    if (a.name !== vm.attributes.name) {
      this.checkName(ctx, a.name);
      if (vm.dom_id >= 0) await this.xl(ctx, ['rename', vm.attributes.name, a.name]);
      await this.write(ctx, vm.uuid, a, vm.markers, a.disks.map((d) => this.diskPath(ctx, vm.attributes.name, d)));
      await this.exec(ctx, fileOp('remove', this.cfgPath(vm.attributes.name)));
      return;
    }
    await this.write(ctx, vm.uuid, a, vm.markers, a.disks.map((d) => this.diskPath(ctx, a.name, d)));
  }

  // The running domain's drive takes the media (planner/diff/cdrom-route-xl.ts plans a drive the
  // guest file lacks while the VM is halted: xl hot-plugs no emulated drive).
  private liveCd(ctx: Ctx, vm: ObservedVm, cd: CdromAttributes): string[] {
    if (ctx.cdromVdev === undefined) {
      throw new ProviderError(this.host, 'UNSUPPORTED', { path: 'cdrom' }, `${ctx.vm}: the running domain has no CD drive, and xl cannot add one to a running guest; halt it first`);
    }
    return cdCommand(vm.attributes.name, ctx.cdromVdev, cd);
  }

  // On a running domain the disk is attached first (xl block-attach), then the guest file
  // names it: the file never claims a device the domain does not have.
  private async addDisk(ctx: Ctx, vm: ObservedVm, disk: DiskAttributes): Promise<void> {
    const disks = [...vm.attributes.disks, disk];
    if (liveDomain(vm)) {
      const path = this.diskPath(ctx, vm.attributes.name, disk);
      await this.exec(ctx, fileOp('mkdir', this.imageDir));
      await this.createImage(ctx, path, disk.size);
      await this.xl(ctx, ['block-attach', vm.attributes.name, diskSpec(path, vdevName(disk.device, disks.length - 1))]);
    }
    await this.rewrite(ctx, vm, { disks });
  }

  private async removeDisk(ctx: Ctx, vm: ObservedVm, disk: DiskAttributes): Promise<void> {
    const at = vm.attributes.disks.findIndex((d) => d.name === disk.name);
    if (at < 0) throw new ProviderError(this.host, 'NOT_FOUND', { disk: disk.name }, `${ctx.vm} has no disk "${disk.name}" to remove`);
    const keep = vm.attributes.disks.filter((_, i) => i !== at);
    if (liveDomain(vm)) await this.xl(ctx, ['block-detach', vm.attributes.name, vdevName(vm.attributes.disks[at].device, at)]);
    await this.rewrite(ctx, vm, { disks: keep });
    const path = this.diskPath(ctx, vm.attributes.name, disk);
    if (this.ownImage(path)) await this.exec(ctx, fileOp('remove', path));
  }

  private async removeNetwork(ctx: Ctx, vm: ObservedVm, net: NetworkAttributes): Promise<void> {
    const at = vm.attributes.networks.findIndex((n) => n.name === net.name);
    if (at < 0) throw new ProviderError(this.host, 'NOT_FOUND', { network: net.name }, `${ctx.vm} has no network "${net.name}" to remove`);
    const keep = vm.attributes.networks.filter((_, i) => i !== at);
    if (liveDomain(vm)) {
      // The guest file and the domain list the interfaces in the same order (each attach
      // appends to both); xl network-list gives the devid of the one at that position.
      const devids = parseNetworkList(await this.xl(ctx, ['network-list', vm.attributes.name]));
      if (devids[at] === undefined) {
        throw new ProviderError(this.host, 'NOT_FOUND', { network: net.name }, `${ctx.vm}: the running domain has no interface for "${net.name}" (xl network-list lists ${devids.length})`);
      }
      await this.xl(ctx, ['network-detach', vm.attributes.name, String(devids[at])]);
    }
    await this.rewrite(ctx, vm, { networks: keep });
  }

  private async destroy(ctx: Ctx, vm: ObservedVm): Promise<void> {
    const name = vm.attributes.name;
    if (vm.dom_id >= 0) await this.xl(ctx, ['destroy', name]);
    await this.exec(ctx, fileOp('remove', this.savePath(name)));
    for (const d of vm.attributes.disks) {
      const path = this.diskPath(ctx, name, d);
      if (vm.markers.address !== undefined && this.ownImage(path)) await this.exec(ctx, fileOp('remove', path));
    }
    await this.exec(ctx, fileOp('remove', this.cfgPath(name)));
  }
}
