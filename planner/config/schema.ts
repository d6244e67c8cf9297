// The `host` and `vm` blocks of DESIGN.md, decoded into HostConfig and VmConfig with
// their defaults, enumerations, units and cross-field rules.
import type { Diagnostic } from '../../lang/diagnostics.js';
import type { Block, Expression, Range } from '../../lang/syntax/ast.js';
import { suggest } from '../../lang/didyoumean.js';
import type { BootAttributes, DiskAttributes, MemoryAttributes, NetworkAttributes } from '../model/vm.js';
import { BOOT_FIELDS, IGNORABLE, MEMORY_FIELDS } from '../model/attributes.js';
import { type BodyContent, type BodySchema, blockHeader, checkBody, rangeText } from '../../lang/body.js';
import { Decoder } from './decode.js';
import type { Evaluator } from '../../lang/eval/expressions.js';
import { jsonEncode } from '../../lang/functions/json.js';
import { type HostConfig, UNKNOWN, type VmConfig } from './types.js';
import { CONDITION_BLOCKS } from './conditions.js';
import { DYNAMIC, STRING, isWhollyKnown, type Value } from '../../lang/eval/value.js';
import { convert } from '../../lang/eval/convert.js';
import { checkHostWire, checkVmWire } from './wire-check.js';
import { checkDynamicBlock, checkMemoryForm, type DynamicBlock, expandVmBlock, type NestedBlock } from './dynamic-blocks.js';
import { CDROM_SCHEMA, decodeCdrom } from './cdrom.js';
import { PLACEMENT_SCHEMA, decodeSpread } from './placement.js';
import { decodeMigrationGroup } from './migration-group.js';
import { checkSecureBoot, decodeVtpm } from './firmware.js';

export const HOST_SCHEMA: BodySchema = {
  attributes: [
    'address',
    'user',
    'port',
    'identity_file',
    'known_hosts',
    'host_key',
    'toolstack',
    'max_parallel',
    'simulator',
    'simulator_hosts',
    'config_dir',
    'suspend_dir',
    'command_timeout',
    'migration_group',
  ],
};

export const VM_SCHEMA: BodySchema = {
  attributes: [
    'count',
    'for_each',
    'host',
    'name',
    'description',
    'template',
    'power_state',
    'memory',
    'vcpus',
    'vcpus_max',
    'tags',
    'other_config',
    'restart_trigger',
    'depends_on',
    'group',
    'affinity',
    'vtpm',
  ],
  blocks: {
    boot: { labels: [] },
    memory: { labels: [] },
    disk: { labels: ['name'], multiple: true },
    network: { labels: ['name'], multiple: true },
    cdrom: { labels: [] },
    placement: { labels: [] },
    shutdown: { labels: [] },
    lifecycle: { labels: [] },
    dynamic: { labels: ['type'], multiple: true },
  },
};

const { pv: PV_FIELDS, hvm: HVM_FIELDS } = BOOT_FIELDS;
export const BOOT_SCHEMA: BodySchema = { attributes: ['mode', ...PV_FIELDS, ...HVM_FIELDS, 'once'] };
export const MEMORY_SCHEMA: BodySchema = { attributes: [...MEMORY_FIELDS] };
export const DISK_SCHEMA: BodySchema = { attributes: ['size', 'sr', 'bootable', 'device', 'keep_on_destroy'] };
export const NETWORK_SCHEMA: BodySchema = { attributes: ['network', 'mac'] };
export const SHUTDOWN_SCHEMA: BodySchema = { attributes: ['mode', 'timeout', 'fallback'] };
export const LIFECYCLE_SCHEMA: BodySchema = { attributes: ['prevent_destroy', 'ignore_changes', 'max_disruption', 'apply_boot_changes', 'create_before_destroy', 'allow_vtpm_destroy'], blocks: CONDITION_BLOCKS };

export const POWER_STATES = ['running', 'halted', 'paused', 'suspended'] as const;
const TOOLSTACKS = ['xapi', 'xl'] as const;

const missing = (diags: Diagnostic[], name: string, subject: Range, why = ''): void => {
  diags.push({
    severity: 'error',
    summary: 'Missing required argument',
    detail: `The argument "${name}" is required${why}, but no definition was found.`,
    subject,
  });
};

export function decodeHost(block: Block, ev: Evaluator): HostConfig | null {
  const before = ev.diagnostics.length;
  const { attrs } = checkBody(block.body, HOST_SCHEMA, ev.diagnostics, 'in a host block');
  const d = new Decoder(ev, {});
  const toolstack = d.oneOf(attrs.get('toolstack'), 'toolstack', TOOLSTACKS);
  if (!attrs.has('toolstack')) missing(ev.diagnostics, 'toolstack', blockHeader(block), ' ("xapi" or "xl")');
  const simulator = d.bool(attrs.get('simulator'), 'simulator') ?? false;
  const host: HostConfig = {
    name: block.labels[0],
    simulator,
    toolstack: toolstack ?? 'xapi',
    user: d.knownText(attrs.get('user'), 'user'),
    port: d.number(attrs.get('port'), 'port', 1),
    max_parallel: d.number(attrs.get('max_parallel'), 'max_parallel', 1) ?? 4,
    range: block.range,
  };
  for (const k of ['address', 'identity_file', 'known_hosts', 'host_key', 'config_dir', 'suspend_dir'] as const) {
    const v = d.knownText(attrs.get(k), k);
    if (v !== undefined) host[k] = v;
  }
  const commandTimeout = d.duration(attrs.get('command_timeout'), 'command_timeout');
  if (commandTimeout === 0) d.error('Invalid value', '"command_timeout" must be longer than 0s.', attrs.get('command_timeout')!.expr.range);
  else if (commandTimeout !== undefined) host.command_timeout_ms = commandTimeout;
  if (host.port !== undefined && host.port > 65535) d.error('Invalid value', `"port" must be at most 65535; got ${host.port}.`, attrs.get('port')!.expr.range);
  if (host.host_key !== undefined && !host.host_key.startsWith('SHA256:')) {
    d.error('Invalid value', `"host_key" must be a pinned key fingerprint like "SHA256:…" (as ssh-keygen -lf prints it); got "${host.host_key}".`, attrs.get('host_key')!.expr.range);
  }
  const simHosts = d.stringList(attrs.get('simulator_hosts'), 'simulator_hosts');
  if (simHosts !== undefined) host.simulator_hosts = simHosts;
  if (simHosts !== undefined && !(simulator && toolstack === 'xapi')) {
    d.error('Unsupported argument', '"simulator_hosts" applies only to simulated hosts with toolstack = "xapi".', attrs.get('simulator_hosts')!.nameRange);
  }
  decodeMigrationGroup(host, attrs.get('migration_group'), d);
  checkHostWire(host, attrs, ev.diagnostics);
  if (!simulator && !attrs.has('address')) missing(ev.diagnostics, 'address', blockHeader(block), ' for a host that is not a simulator');
  if (toolstack === 'xapi') {
    for (const k of ['config_dir', 'suspend_dir'] as const) {
      const a = attrs.get(k);
      if (a) d.error('Unsupported argument', `"${k}" applies only to hosts with toolstack = "xl".`, a.nameRange);
    }
  }
  return ev.diagnostics.length > before ? null : host;
}

// The parts of a vm block, checked once per block (not per instance).
export interface VmBlock {
  block: Block;
  top: BodyContent;
  boot?: NestedBlock;
  memory?: NestedBlock;
  disks: NestedBlock[];
  networks: NestedBlock[];
  cdrom?: NestedBlock;
  placement?: NestedBlock;
  shutdown?: NestedBlock;
  lifecycle?: NestedBlock;
  dynamics: DynamicBlock[]; // expanded per instance by expandVmBlock
}

// The nested block types a `dynamic` block in a vm block may generate.
const DYNAMIC_TYPES = {
  boot: { labels: [], schema: BOOT_SCHEMA },
  memory: { labels: [], schema: MEMORY_SCHEMA },
  disk: { labels: ['name'], schema: DISK_SCHEMA },
  network: { labels: ['name'], schema: NETWORK_SCHEMA },
  shutdown: { labels: [], schema: SHUTDOWN_SCHEMA },
};

export function checkVmBlock(block: Block, diags: Diagnostic[]): VmBlock {
  const top = checkBody(block.body, VM_SCHEMA, diags, 'in a vm block');
  const one = (type: string, schema: BodySchema) => {
    const b = top.blocks.get(type)?.[0];
    return b ? { block: b, content: checkBody(b.body, schema, diags, `in a ${type} block`) } : undefined;
  };
  const many = (type: string, schema: BodySchema) => {
    const seen = new Map<string, Block>();
    const out: { block: Block; content: BodyContent }[] = [];
    for (const b of top.blocks.get(type) ?? []) {
      const prev = seen.get(b.labels[0]);
      if (prev) {
        diags.push({
          severity: 'error',
          summary: `Duplicate ${type} block`,
          detail: `A ${type} named "${b.labels[0]}" was already defined at ${rangeText(prev.typeRange)}.`,
          subject: b.labelRanges[0],
        });
        continue;
      }
      seen.set(b.labels[0], b);
      out.push({ block: b, content: checkBody(b.body, schema, diags, `in a ${type} block`) });
    }
    return out;
  };
  const vm: VmBlock = {
    block,
    top,
    boot: one('boot', BOOT_SCHEMA),
    memory: one('memory', MEMORY_SCHEMA),
    disks: many('disk', DISK_SCHEMA),
    networks: many('network', NETWORK_SCHEMA),
    cdrom: one('cdrom', CDROM_SCHEMA),
    placement: one('placement', PLACEMENT_SCHEMA),
    shutdown: one('shutdown', SHUTDOWN_SCHEMA),
    lifecycle: one('lifecycle', LIFECYCLE_SCHEMA),
    dynamics: (top.blocks.get('dynamic') ?? []).flatMap((b) => checkDynamicBlock(b, DYNAMIC_TYPES, diags) ?? []),
  };
  checkMemoryForm(top, vm.memory, diags);
  return vm;
}

// The host a vm's `host` argument names: a reference `host.lab` or the string "lab".
export function hostNameOf(v: Value): string | undefined {
  if (v.type.kind === 'object' && v.raw instanceof Map) {
    const n = v.raw.get('name');
    return n && n.type.kind === 'string' ? (n.raw as string) : undefined;
  }
  const s = convert(v, STRING);
  return s.ok && typeof s.value.raw === 'string' ? s.value.raw : undefined;
}

// The attribute path an ignore_changes entry names: `tags`, `boot.args`, "other_config.k".
function ignorePath(e: Expression): string | null {
  if (e.kind === 'ScopeTraversalExpr') {
    const parts = [e.root];
    for (const t of e.traversal) {
      if (t.kind === 'GetAttr') parts.push(t.name);
      else if (t.kind === 'Index' && t.key.kind === 'LiteralValue') parts.push(String(t.key.value));
      else return null;
    }
    return parts.join('.');
  }
  if (e.kind === 'TemplateExpr' && e.parts.every((p) => p.kind === 'TemplateLiteral')) {
    return e.parts.map((p) => (p as { value: string }).value).join('');
  }
  if (e.kind === 'LiteralValue' && typeof e.value === 'string') return e.value;
  return null;
}

export function decodeIgnoreChanges(expr: Expression, diags: Diagnostic[]): string[] {
  if (expr.kind === 'ScopeTraversalExpr' && expr.root === 'all' && expr.traversal.length === 0) return ['all'];
  if (expr.kind !== 'TupleConsExpr') {
    diags.push({
      severity: 'error',
      summary: 'Invalid ignore_changes',
      detail: 'ignore_changes must be a list of attribute paths, like [tags, boot.args], or the keyword all.',
      subject: expr.range,
    });
    return [];
  }
  const out: string[] = [];
  for (const e of expr.exprs) {
    const p = ignorePath(e);
    const [head, sub, ...more] = p ? p.split('.') : [];
    const allowed = head !== undefined ? IGNORABLE.get(head) : undefined;
    let ok = p !== null && allowed !== undefined && more.length === 0;
    if (ok && sub !== undefined) ok = allowed === 'any' || (Array.isArray(allowed) && allowed.includes(sub));
    if (!ok) {
      const candidates = [...IGNORABLE].flatMap(([k, v]) => [k, ...(Array.isArray(v) ? v.map((s) => `${k}.${s}`) : [])]);
      const s = p ? suggest(p, candidates) : undefined;
      diags.push({
        severity: 'error',
        summary: 'Invalid ignore_changes path',
        detail: `${p === null ? 'This entry' : `"${p}"`} is not an attribute of a vm.${s ? ` Did you mean "${s}"?` : ''} Use paths like tags, boot.args, memory.static_max or other_config.KEY.`,
        subject: e.range,
      });
      continue;
    }
    out.push(p!);
  }
  return out;
}

export interface InstanceContext {
  address: string;
  defaultName: string;
  hosts: ReadonlyMap<string, HostConfig>;
  declaredHosts: ReadonlySet<string>;
}

// Decodes one instance of a vm block; depends_on is filled in by the caller.
export function decodeVm(block: VmBlock, ev: Evaluator, ctx: InstanceContext): VmConfig | null {
  const before = ev.diagnostics.length;
  const vm = expandVmBlock(block, ev);
  const diags = ev.diagnostics;
  const ranges: Record<string, Range> = {};
  const d = new Decoder(ev, ranges);
  const a = vm.top.attrs;
  const header = () => blockHeader(vm.block);

  let host: HostConfig | undefined;
  const hostAttr = a.get('host');
  if (!hostAttr) missing(diags, 'host', header(), ' (a host reference like host.lab)');
  else {
    ranges.host = hostAttr.expr.range;
    const b = diags.length;
    const v = ev.eval(hostAttr.expr);
    if (diags.length === b) {
      const name = isWhollyKnown(v) && v.raw !== null ? hostNameOf(v) : undefined;
      if (name === undefined) {
        d.error('Invalid host', 'The "host" argument must be a host reference like host.lab, or the name of a host block as a string.', hostAttr.expr.range);
      } else if (!ctx.declaredHosts.has(name)) {
        const s = suggest(name, ctx.declaredHosts);
        d.error('Reference to undeclared host', `No host named "${name}" is declared.${s ? ` Did you mean "${s}"?` : ''}`, hostAttr.expr.range);
      } else host = ctx.hosts.get(name); // absent when the host block itself has errors
    }
  }

  const name = d.text(a.get('name'), 'name') ?? ctx.defaultName;
  const description = d.text(a.get('description'), 'description') ?? '';
  const template = d.text(a.get('template'), 'template');
  if (template === undefined && !a.has('template') && host?.toolstack === 'xapi') {
    missing(diags, 'template', header(), ` for VMs on host "${host.name}" (toolstack = "xapi")`);
  }
  const power_state = d.oneOf(a.get('power_state'), 'power_state', POWER_STATES) ?? 'running';

  const memory = decodeMemory(vm, d, diags, header);
  const vcpus = d.number(a.get('vcpus'), 'vcpus', 1) ?? 1;
  const vcpus_max = d.number(a.get('vcpus_max'), 'vcpus_max', 1) ?? vcpus;
  if (vcpus > vcpus_max && a.has('vcpus_max')) {
    d.error('Invalid vcpus', `"vcpus" (${vcpus}) must not exceed "vcpus_max" (${vcpus_max}).`, (a.get('vcpus') ?? a.get('vcpus_max'))!.expr.range);
  }

  const boot = decodeBoot(vm, d);
  checkSecureBoot(boot, vm.boot?.content.attrs.get('secure_boot'), d, host?.toolstack);
  const vtpm = decodeVtpm(a.get('vtpm'), d, host?.toolstack);
  const bootFromTemplate = !bootNamed(vm);
  const bootOnce = decodeBootOnce(vm, d, boot, bootFromTemplate, host?.toolstack);

  const disks: DiskAttributes[] = [];
  for (const { block, content } of vm.disks) {
    const label = block.labels[0];
    const p = `disk.${label}`;
    // On xl a disk's label names its image file (<vm>-<label>.img in the image directory).
    if (host?.toolstack === 'xl' && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(label)) {
      d.error('Invalid disk label', `On an xl host the disk label names the disk's image file: "${label}" must be letters, digits, ".", "_" and "-", starting with a letter or digit.`, block.labelRanges[0]);
    }
    const c = content.attrs;
    const size = d.size(c.get('size'), `${p}.size`);
    if (!c.has('size')) missing(diags, 'size', blockHeader(block), ` in disk "${label}" (like "20GiB")`);
    const disk: DiskAttributes = {
      name: label,
      size: size ?? 0,
      sr: d.knownText(c.get('sr'), `${p}.sr`) ?? 'Local storage',
      bootable: d.bool(c.get('bootable'), `${p}.bootable`) ?? false,
    };
    const device = d.knownText(c.get('device'), `${p}.device`);
    if (device !== undefined) disk.device = device;
    if (d.bool(c.get('keep_on_destroy'), `${p}.keep_on_destroy`)) {
      // xl: a disk is an image file the xl provider owns; the promise is kept by XAPI's VDI marker only.
      if (host?.toolstack === 'xl') d.error('Unsupported argument', '"keep_on_destroy" applies only to hosts with toolstack = "xapi".', c.get('keep_on_destroy')!.nameRange);
      else disk.keep_on_destroy = true;
    }
    ranges[p] = block.range;
    disks.push(disk);
  }

  const networks: NetworkAttributes[] = [];
  for (const { block, content } of vm.networks) {
    const label = block.labels[0];
    const p = `network.${label}`;
    const c = content.attrs;
    const network = d.knownText(c.get('network'), `${p}.network`);
    if (!c.has('network')) missing(diags, 'network', blockHeader(block), ` in network "${label}" (a network name-label or bridge, like "xenbr0")`);
    const nic: NetworkAttributes = { name: label, network: network ?? '' };
    const mac = d.knownText(c.get('mac'), `${p}.mac`);
    if (mac !== undefined) {
      if (!/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(mac)) {
        d.error('Invalid value', `"${p}.mac" must be a MAC address like "00:16:3e:12:34:56"; got "${mac}".`, c.get('mac')!.expr.range);
      } else nic.mac = mac.toLowerCase();
    }
    ranges[p] = block.range;
    networks.push(nic);
  }

  const cdrom = decodeCdrom(vm.cdrom, d, diags, host?.toolstack, boot.mode);
  const tags = d.stringList(a.get('tags'), 'tags') ?? [];
  const other_config = d.stringMap(a.get('other_config'), 'other_config') ?? {};
  for (const k of Object.keys(other_config)) {
    if (k.startsWith('xenform-')) {
      d.error('Reserved other_config key', `The other_config key "${k}" is reserved: keys starting with "xenform-" hold xenform's ownership markers.`, a.get('other_config')!.expr.range);
    }
  }

  const sd = vm.shutdown?.content.attrs ?? new Map();
  const shutdown = {
    mode: d.oneOf(sd.get('mode'), 'shutdown.mode', ['clean', 'hard'] as const) ?? 'clean',
    timeout_ms: d.duration(sd.get('timeout'), 'shutdown.timeout') ?? 120_000,
    fallback: d.oneOf(sd.get('fallback'), 'shutdown.fallback', ['hard', 'fail'] as const) ?? 'fail',
  };

  const lc = vm.lifecycle?.content.attrs ?? new Map();
  const ignoreAttr = lc.get('ignore_changes');
  if (ignoreAttr) ranges['lifecycle.ignore_changes'] = ignoreAttr.expr.range;
  const cbdAttr = lc.get('create_before_destroy');
  if (cbdAttr) ranges['lifecycle.create_before_destroy'] = cbdAttr.expr.range;
  const lifecycle = {
    prevent_destroy: d.bool(lc.get('prevent_destroy'), 'lifecycle.prevent_destroy') ?? false,
    ignore_changes: ignoreAttr ? decodeIgnoreChanges(ignoreAttr.expr, diags) : [],
    max_disruption: d.oneOf(lc.get('max_disruption'), 'lifecycle.max_disruption', ['none', 'reboot', 'halt', 'replace'] as const) ?? 'replace',
    apply_boot_changes: d.oneOf(lc.get('apply_boot_changes'), 'lifecycle.apply_boot_changes', ['reboot', 'next_boot'] as const) ?? 'reboot',
    create_before_destroy: d.bool(cbdAttr, 'lifecycle.create_before_destroy') ?? false,
    ...(d.bool(lc.get('allow_vtpm_destroy'), 'lifecycle.allow_vtpm_destroy') ? { allow_vtpm_destroy: true as const } : {}),
  };

  let restart_trigger: string | null = null;
  const rt = a.get('restart_trigger');
  if (rt) {
    const v = d.value(rt, DYNAMIC, 'restart_trigger', true);
    if (v) restart_trigger = isWhollyKnown(v) ? jsonEncode(v) : (UNKNOWN as unknown as string);
  }
  const group = d.knownText(a.get('group'), 'group');
  const affinity = d.knownText(a.get('affinity'), 'affinity');
  if (affinity !== undefined && host?.toolstack !== 'xapi') d.error('Unsupported argument', '"affinity" applies only to VMs on hosts with toolstack = "xapi" (a pool member).', a.get('affinity')!.nameRange);
  const spread = decodeSpread(vm.placement, d, host?.toolstack);

  const attributes: VmConfig['attributes'] = {
    name: name as string,
    description: description as string,
    template: (template ?? '') as string,
    power_state,
    memory,
    vcpus,
    vcpus_max,
    boot,
    disks,
    networks,
    ...(cdrom ? { cdrom } : {}),
    ...(vtpm !== undefined ? { vtpm } : {}),
    tags,
    other_config,
  };
  checkVmWire(vm, attributes, host?.toolstack, diags);

  if (diags.length > before || !host) return null;
  const config: VmConfig = {
    address: ctx.address,
    host: host.name,
    attributes,
    shutdown,
    restart_trigger,
    depends_on: [],
    lifecycle,
    range: vm.block.range,
    attributeRanges: ranges,
  };
  if (group !== undefined) config.group = group;
  if (affinity !== undefined) config.affinity = affinity;
  if (spread !== undefined) config.spread = spread;
  if (bootFromTemplate) config.boot_from_template = true;
  if (bootOnce) config.boot_once = bootOnce;
  return config;
}

const gib = (n: number): string => {
  for (const [u, f] of [
    ['TiB', 1024 ** 4],
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (n >= f && n % (f / 1024) === 0) return `${n / f}${u}`;
  }
  return `${n} bytes`;
};

// Below this no guest boots; a smaller value is a unit mistake ("16" meant as MiB).
const MIN_MEMORY = 16 * 1024 ** 2;

function decodeMemory(vm: VmBlock, d: Decoder, diags: Diagnostic[], header: () => Range): MemoryAttributes {
  const attr = vm.top.attrs.get('memory');
  if (attr) {
    const n = d.size(attr, 'memory', MIN_MEMORY) ?? 0;
    return { static_min: n, dynamic_min: n, dynamic_max: n, static_max: n };
  }
  if (!vm.memory) {
    missing(diags, 'memory', header(), ' (a size like memory = "2GiB", or a memory block)');
    return { static_min: 0, dynamic_min: 0, dynamic_max: 0, static_max: 0 };
  }
  const c = vm.memory.content.attrs;
  const got: Partial<MemoryAttributes> = {};
  for (const f of MEMORY_FIELDS) {
    const v = d.size(c.get(f), `memory.${f}`, MIN_MEMORY);
    if (v !== undefined) got[f] = v;
  }
  const static_max = got.static_max ?? got.dynamic_max;
  if (static_max === undefined) {
    if (!c.has('static_max') && !c.has('dynamic_max')) missing(diags, 'static_max', blockHeader(vm.memory.block), ' in the memory block');
    return { static_min: 0, dynamic_min: 0, dynamic_max: 0, static_max: 0 };
  }
  const dynamic_max = got.dynamic_max ?? static_max;
  const dynamic_min = got.dynamic_min ?? static_max;
  const static_min = got.static_min ?? dynamic_min;
  const m: MemoryAttributes = { static_min, dynamic_min, dynamic_max, static_max };
  const order = MEMORY_FIELDS;
  for (let i = 0; i + 1 < order.length; i++) {
    const lo = order[i];
    const hi = order[i + 1];
    if (m[lo] > m[hi]) {
      const at = c.get(hi) ?? c.get(lo);
      d.error(
        'Invalid memory settings',
        `Memory must satisfy static_min <= dynamic_min <= dynamic_max <= static_max, but ${lo} (${gib(m[lo])}) is greater than ${hi} (${gib(m[hi])}).`,
        at ? at.expr.range : blockHeader(vm.memory.block),
      );
      break;
    }
  }
  return m;
}

// A boot block that sets a mode, or a field of one mode, names the mode; otherwise the VM boots
// as its template does (XCP-ng's stock Linux templates are HVM, a few legacy ones PV).
function bootNamed(vm: VmBlock): boolean {
  const c = vm.boot?.content.attrs;
  return c !== undefined && [...c.keys()].some((k) => k === 'mode' || (PV_FIELDS as readonly string[]).includes(k) || (HVM_FIELDS as readonly string[]).includes(k));
}

// boot { once }: HVM only (a PV guest has no boot order); refused on xl, where a guest file's
// boot= holds for every create and xenform does not rewrite the file for one start.
function decodeBootOnce(vm: VmBlock, d: Decoder, boot: BootAttributes, fromTemplate: boolean, toolstack: string | undefined): 'c' | 'd' | 'n' | undefined {
  const attr = vm.boot?.content.attrs.get('once');
  if (!attr) return undefined;
  const once = d.oneOf(attr, 'boot.once', ['d', 'n', 'c'] as const);
  if (toolstack === 'xl') {
    d.error('Unsupported argument', '"once" applies only to hosts with toolstack = "xapi": xl has no one-shot boot order (the boot= of a guest file holds for every create), so set boot.order and change it back instead.', attr.nameRange);
    return undefined;
  }
  if (!fromTemplate && boot.mode !== 'hvm') {
    d.error('Unsupported argument', '"once" applies only to HVM boot (mode = "hvm"): a PV guest has no boot order.', attr.nameRange);
    return undefined;
  }
  return once;
}

function decodeBoot(vm: VmBlock, d: Decoder): BootAttributes {
  const c = vm.boot?.content.attrs ?? new Map();
  const given = d.oneOf(c.get('mode'), 'boot.mode', ['pv', 'hvm'] as const);
  // no mode: the mode whose fields the block sets (PV when it sets none: the fallback when
  // the template's boot is not known, as on xl)
  const hvmOnly = !c.has('mode') && (HVM_FIELDS as readonly string[]).some((f) => c.has(f)) && !(PV_FIELDS as readonly string[]).some((f) => c.has(f));
  const mode = given ?? (hvmOnly ? 'hvm' : 'pv');
  // a mode with an error of its own says nothing about which fields belong
  const modeKnown = !c.has('mode') || given !== undefined;
  const boot: BootAttributes = {
    mode,
    bootloader: '',
    kernel: '',
    ramdisk: '',
    args: '',
    bootloader_args: '',
    order: mode === 'hvm' ? 'cd' : '', // a PV guest has no boot order: providers report ''
    firmware: 'bios',
  };
  for (const f of PV_FIELDS) {
    const attr = c.get(f);
    if (!attr) continue;
    if (mode === 'hvm') {
      if (modeKnown) d.error('Unsupported argument', `"${f}" applies only to PV boot (mode = "pv"); this boot block has mode = "hvm".`, attr.nameRange);
      continue;
    }
    const v = d.text(attr, `boot.${f}`);
    if (v !== undefined) boot[f] = v as string;
  }
  for (const f of HVM_FIELDS) {
    const attr = c.get(f);
    if (!attr) continue;
    if (mode === 'pv') {
      if (modeKnown) d.error('Unsupported argument', `"${f}" applies only to HVM boot (mode = "hvm"); this boot block has mode = "pv".`, attr.nameRange);
      continue;
    }
    if (f === 'firmware') {
      boot.firmware = d.oneOf(attr, 'boot.firmware', ['bios', 'uefi'] as const) ?? 'bios';
      continue;
    }
    if (f === 'secure_boot') {
      if (d.bool(attr, 'boot.secure_boot')) boot.secure_boot = true;
      continue;
    }
    const order = d.knownText(attr, 'boot.order');
    if (order === undefined) continue;
    if (!/^[cdn]+$/.test(order)) {
      d.error('Invalid value', `"boot.order" must be made of the letters c (disk), d (CD-ROM) and n (network), like "dc"; got "${order}".`, attr.expr.range);
    } else boot.order = order;
  }
  if (vm.boot) d.ranges.boot = vm.boot.block.range;
  return boot;
}

