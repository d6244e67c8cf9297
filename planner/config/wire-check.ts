// Every string of a vm or host block that reaches the host, checked at validate against the
// wire rule of planner/model/wire.ts, with the place of the expression that produced it.
import type { Diagnostic } from '../../lang/diagnostics.js';
import type { Attribute, Expression, Range } from '../../lang/syntax/ast.js';
import { blockHeader } from '../../lang/body.js';
import type { Toolstack } from '../model/vm.js';
import { MAX_ARG_BYTES, MAX_CLI_BODY_BYTES, XAPI_OWNED_KEYS, argBytes, findUnsendable, mapKeyFault, mapValueFault, tagFault } from '../model/wire.js';
import type { VmBlock } from './schema.js';
import { type HostConfig, type VmConfig, isUnknown } from './types.js';

const CARRIER: Record<Toolstack, string> = {
  xapi: 'xe splits its arguments at line ends and prints records one field a line',
  xl: 'xenform keeps it in the guest\'s xl configuration file, one setting a line',
};

// The longest xe parameter name that carries one of a VM's plain strings ("new-name-label=",
// "PV-bootloader-args=", "HVM-boot-params:firmware=").
const PARAM_ALLOWANCE = 32;

// The value's static text when the expression is a plain string (no interpolation).
function staticText(e: Expression): string | undefined {
  if (e.kind === 'LiteralValue' && typeof e.value === 'string') return e.value;
  if (e.kind === 'TemplateExpr' && e.parts.every((p) => p.kind === 'TemplateLiteral')) return e.parts.map((p) => (p as { value: string }).value).join('');
  if (e.kind === 'ObjectConsKeyExpr' && !e.forceNonLiteral && e.wrapped.kind === 'ScopeTraversalExpr' && e.wrapped.traversal.length === 0) return e.wrapped.root;
  if (e.kind === 'ObjectConsKeyExpr') return staticText(e.wrapped);
  return undefined;
}

// A string no check can refuse: no unsendable character, and short enough for any argument
// even at three UTF-8 bytes a UTF-16 unit. Nearly every value is one, so the checks below,
// which build paths and count bytes, run only for the rest.
const plain = (prefix: string, value: unknown): boolean => typeof value === 'string' && value.length * 3 + prefix.length + 2 <= MAX_ARG_BYTES && findUnsendable(value) === null;
const PARAM_PREFIX = 'x'.repeat(PARAM_ALLOWANCE);

const isHeredoc = (e: Expression): boolean => e.kind === 'TemplateExpr' && e.heredoc !== undefined;

class WireCheck {
  constructor(
    readonly diags: Diagnostic[],
    readonly toolstack: Toolstack | undefined,
  ) {}

  private error(summary: string, detail: string, subject: Range): void {
    this.diags.push({ severity: 'error', summary, detail, subject });
  }

  // Control characters and line terminators, for every toolstack.
  sendable(path: string, value: unknown, subject: Range, expr?: Expression): boolean {
    if (typeof value !== 'string') return true;
    const bad = findUnsendable(value);
    if (!bad) return true;
    let fix = ' Remove it from the value.';
    if (expr && isHeredoc(expr) && bad.index === value.length - 1) {
      fix = ' A heredoc always ends in a newline: wrap it in chomp(), like chomp(<<EOT … EOT), or use a quoted string.';
    } else if (!findUnsendable(value.replace(/[\r\n]+$/, ''))) fix = ' Drop the line end with chomp(…).';
    else if (!findUnsendable(value.trim())) fix = ' Strip it with trimspace(…).';
    const why =
      bad.char === '\0' ? ', which no command-line argument can hold.'
      : this.toolstack ? `, which cannot reach the host intact: ${CARRIER[this.toolstack]}.`
      : ', which cannot reach the host intact.';
    this.error(`Unsendable character in "${path}"`, `"${path}" contains ${bad.what}${why}${fix}`, subject);
    return false;
  }

  // The argv limit of one `xe` argument, PREFIX=VALUE.
  fits(path: string, prefix: string, value: unknown, subject: Range): boolean {
    if (this.toolstack !== 'xapi' || typeof value !== 'string') return true;
    const bytes = argBytes(prefix, value);
    if (bytes <= MAX_ARG_BYTES) return true;
    this.error(
      `Value of "${path}" too long`,
      `"${path}" is ${Buffer.byteLength(value)} bytes long; xenform sends it to xe as one command-line argument, and an argument may hold at most ${MAX_ARG_BYTES} bytes with its name (Linux MAX_ARG_STRLEN).`,
      subject,
    );
    return false;
  }

  text(path: string, value: unknown, attr: Attribute | undefined, fallback: Range): void {
    if (typeof value !== 'string' || plain(PARAM_PREFIX, value)) return;
    const subject = attr?.expr.range ?? fallback;
    if (this.sendable(path, value, subject, attr?.expr)) this.fits(path, PARAM_PREFIX, value, subject);
  }

  // A disk's or network's label: xenform writes it into the VDI's or VIF's other-config.
  label(kind: string, name: string, subject: Range): void {
    const fault = this.toolstack === 'xapi' ? mapValueFault(name) : null;
    const prefix = 'other-config:xenform-' + kind;
    if (fault === null && plain(prefix, name)) return;
    const path = `${kind} ${JSON.stringify(name)} label`;
    if (!this.sendable(path, name, subject) || !this.fits(path, prefix, name, subject)) return;
    if (fault) this.error(`${kind[0].toUpperCase()}${kind.slice(1)} label cannot be read back`, `The ${path} is kept in the ${kind === 'disk' ? 'VDI' : 'VIF'}'s other-config and cannot round-trip: ${fault}.`, subject);
  }

  tags(tags: string[], attr: Attribute | undefined, fallback: Range): void {
    const exprs = attr?.expr.kind === 'TupleConsExpr' && attr.expr.exprs.length === tags.length ? attr.expr.exprs : undefined;
    tags.forEach((tag, i) => {
      if (isUnknown(tag)) return;
      const fault = this.toolstack === 'xapi' ? tagFault(tag) : null;
      if (fault === null && plain('param-key', tag)) return;
      const subject = exprs?.[i].range ?? attr?.expr.range ?? fallback;
      const path = `tags[${i}]`;
      if (!this.sendable(path, tag, subject, exprs?.[i]) || !this.fits(path, 'param-key', tag, subject)) return;
      if (fault) this.error(`Tag cannot be read back`, `The tag ${JSON.stringify(tag)} cannot round-trip: ${fault}.`, subject);
    });
  }

  otherConfig(map: Record<string, string>, attr: Attribute | undefined, fallback: Range): void {
    const whole = attr?.expr.range ?? fallback;
    const items = new Map<string, { key: Range; value: Expression }>();
    if (attr?.expr.kind === 'ObjectConsExpr') {
      for (const it of attr.expr.items) {
        const k = staticText(it.key);
        if (k !== undefined) items.set(k, { key: it.key.range, value: it.value });
      }
    }
    let body = 0;
    for (const [k, v] of Object.entries(map)) {
      const item = items.get(k);
      const keyAt = item?.key ?? whole;
      const valueAt = item?.value.range ?? whole;
      const path = `other_config[${JSON.stringify(k)}]`;
      if (!this.sendable(`${path} key`, k, keyAt)) continue;
      if (this.toolstack === 'xapi') {
        const owned = XAPI_OWNED_KEYS.get(k);
        if (owned) {
          this.error('Key owned by xapi', `The other_config key "${k}" belongs to xapi: ${owned}. A value set here would not stay as configured; choose another key.`, keyAt);
          continue;
        }
        const kf = mapKeyFault(k);
        if (kf) {
          this.error('other_config key cannot be read back', `The other_config key ${JSON.stringify(k)} cannot round-trip: ${kf}.`, keyAt);
          continue;
        }
      }
      if (isUnknown(v) || !this.sendable(path, v, valueAt, item?.value) || !this.fits(path, `other-config:${k}`, v, valueAt)) continue;
      const vf = this.toolstack === 'xapi' ? mapValueFault(v) : null;
      if (vf) this.error('other_config value cannot be read back', `The value of ${path} cannot round-trip: ${vf}.`, valueAt);
      body += argBytes(`other-config:${k}`, v);
    }
    if (this.toolstack === 'xapi' && body > MAX_CLI_BODY_BYTES - 1024) {
      this.error(
        'other_config too large',
        `other_config holds ${body} bytes of keys and values; xenform sets them in one xe command, and xapi reads at most ${MAX_CLI_BODY_BYTES} bytes of one command (constants.ml http_limit_max_cli_size).`,
        whole,
      );
    }
  }
}

// A decoded VM instance's strings; `toolstack` is its host's, when known.
export function checkVmWire(vm: VmBlock, a: VmConfig['attributes'], toolstack: Toolstack | undefined, diags: Diagnostic[]): void {
  const w = new WireCheck(diags, toolstack);
  const top = vm.top.attrs;
  const header = blockHeader(vm.block);
  w.text('name', a.name, top.get('name'), header);
  w.text('description', a.description, top.get('description'), header);
  w.text('template', a.template, top.get('template'), header);
  const boot = vm.boot?.content.attrs;
  for (const [f, v] of Object.entries(a.boot)) if (boot?.has(f)) w.text(`boot.${f}`, v, boot.get(f), header);
  vm.disks.forEach(({ block, content }, i) => {
    const disk = a.disks[i];
    if (!disk) return;
    w.label('disk', disk.name, block.labelRanges[0]);
    w.text(`disk.${disk.name}.sr`, disk.sr, content.attrs.get('sr'), blockHeader(block));
    w.text(`disk.${disk.name}.device`, disk.device, content.attrs.get('device'), blockHeader(block));
  });
  vm.networks.forEach(({ block, content }, i) => {
    const nic = a.networks[i];
    if (!nic) return;
    w.label('network', nic.name, block.labelRanges[0]);
    w.text(`network.${nic.name}.network`, nic.network, content.attrs.get('network'), blockHeader(block));
  });
  w.tags(a.tags, top.get('tags'), header);
  w.otherConfig(a.other_config, top.get('other_config'), header);
}

const HOST_STRINGS = ['address', 'user', 'identity_file', 'known_hosts', 'host_key', 'config_dir', 'suspend_dir'] as const;

// A host block's strings: they reach ssh, and on xl hosts the toolstack's paths.
export function checkHostWire(host: HostConfig, attrs: ReadonlyMap<string, Attribute>, diags: Diagnostic[]): void {
  const w = new WireCheck(diags, undefined);
  for (const k of HOST_STRINGS) {
    const attr = attrs.get(k);
    if (attr) w.sendable(k, host[k], attr.expr.range, attr.expr);
  }
}
