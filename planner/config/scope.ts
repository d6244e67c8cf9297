// The evaluation scope of a configuration: what var., local., vm., host., count., each.
// and path. refer to, filled in as the locals, hosts and VMs are evaluated in order.
import { suggest } from '../../lang/didyoumean.js';
import type { RootResolver } from '../../lang/eval/expressions.js';
import { DYNAMIC, STRING, type Value, bool, list, map, num, object, str, tuple, unknownOf } from '../../lang/eval/value.js';
import type { InstanceKey } from '../model/address.js';
import type { Declarations } from './declarations.js';
import { type HostConfig, type LoadOptions, type VmConfig, isUnknown } from './types.js';

// One evaluated vm block: its instances by key, for references and depends_on.
export interface VmResult {
  mode: 'single' | 'count' | 'each';
  keys: InstanceKey[];
  instances: (VmConfig | null)[];
  value?: Value;
}

// What count. and each. stand for in one instance of a vm block.
export interface InstanceScope {
  count?: number;
  each?: { key: Value; value: Value };
}

// Where a module's configuration stands: path.module, and the values of its module calls
// (`module.web`), filled in as they are evaluated.
export interface ModuleScope {
  pathModule: string; // relative to the root module's directory; "." in the root
  calls: Map<string, Value>;
}

export interface Scope {
  locals: Map<string, Value>;
  hosts: Map<string, HostConfig>;
  vms: Map<string, VmResult>;
  hostNames: Set<string>;
  resolver: (instance?: InstanceScope) => RootResolver;
}

export function newScope(decls: Declarations, varValues: Map<string, Value>, opts: LoadOptions, mod: ModuleScope = { pathModule: '.', calls: new Map() }): Scope {
  const locals = new Map<string, Value>();
  const hosts = new Map<string, HostConfig>();
  const vms = new Map<string, VmResult>();
  const hostNames = new Set(decls.hosts.keys());
  const hostValues = new Map<string, Value>();

  const vmValue = (name: string): Value => {
    const r = vms.get(name);
    if (!r) return unknownOf(DYNAMIC);
    if (r.value) return r.value;
    if (r.instances.some((i) => i === null)) return (r.value = unknownOf(DYNAMIC));
    const objs = r.instances.map((i) => instanceValue(i!, opts));
    if (r.mode === 'single') r.value = objs[0];
    else if (r.mode === 'count') r.value = tuple(objs);
    else r.value = object(new Map(r.keys.map((k, i) => [k as string, objs[i]])));
    return r.value;
  };

  const makeResolver = (instance?: InstanceScope): RootResolver => {
    return (e, d) => {
      const first = e.traversal[0];
      const attr =
        first?.kind === 'GetAttr' ? first.name : first?.kind === 'Index' && first.key.kind === 'LiteralValue' && typeof first.key.value === 'string' ? first.key.value : undefined;
      const fail = (summary: string, detail: string): null => {
        d.push({ severity: 'error', summary, detail, subject: e.range });
        return null;
      };
      const need = (what: string) => fail('Invalid reference', `The "${e.root}" object cannot be accessed directly. Instead, access one of its attributes, like ${e.root}.${what}.`);
      switch (e.root) {
        case 'var':
          if (attr === undefined) return need('NAME');
          if (!decls.variables.has(attr)) {
            const s = suggest(attr, decls.variables.keys());
            return fail(
              'Reference to undeclared input variable',
              `An input variable with the name "${attr}" has not been declared.${s ? ` Did you mean "${s}"?` : ` This variable can be declared with a variable "${attr}" {} block.`}`,
            );
          }
          return { value: varValues.get(attr) ?? unknownOf(DYNAMIC), consumed: 1 };
        case 'local':
          if (attr === undefined) return need('NAME');
          if (!decls.locals.has(attr)) {
            const s = suggest(attr, decls.locals.keys());
            return fail('Reference to undeclared local value', `A local value with the name "${attr}" has not been declared.${s ? ` Did you mean "${s}"?` : ''}`);
          }
          return { value: locals.get(attr) ?? unknownOf(DYNAMIC), consumed: 1 };
        case 'vm':
          if (attr === undefined) return need('NAME');
          if (!decls.vms.has(attr)) {
            const s = suggest(attr, decls.vms.keys());
            return fail('Reference to undeclared resource', `A vm named "${attr}" has not been declared.${s ? ` Did you mean "${s}"?` : ''}`);
          }
          return { value: vmValue(attr), consumed: 1 };
        case 'host': {
          if (attr === undefined) return need('NAME');
          if (!hostNames.has(attr)) {
            const s = suggest(attr, hostNames);
            return fail('Reference to undeclared host', `A host named "${attr}" has not been declared.${s ? ` Did you mean "${s}"?` : ''}`);
          }
          const h = hosts.get(attr);
          if (!h) return { value: unknownOf(DYNAMIC), consumed: 1 };
          let hv = hostValues.get(attr);
          if (!hv) hostValues.set(attr, (hv = hostValue(h)));
          return { value: hv, consumed: 1 };
        }
        case 'count':
          if (instance?.count === undefined) {
            return fail(
              'Reference to "count" in non-counted context',
              'The "count" object can only be used in a vm block, and only when the "count" argument is set.',
            );
          }
          if (attr !== 'index') return fail('Invalid "count" attribute', `The "count" object does not have an attribute named "${attr ?? ''}". The only supported attribute is count.index, which is the index of each instance of a vm block that has the "count" argument set.`);
          return { value: num(instance.count), consumed: 1 };
        case 'each':
          if (!instance?.each) {
            return fail('Reference to "each" in context without for_each', 'The "each" object can be used only in a vm block, and only when the "for_each" argument is set.');
          }
          if (attr === 'key') return { value: instance.each.key, consumed: 1 };
          if (attr === 'value') return { value: instance.each.value, consumed: 1 };
          return fail('Invalid "each" attribute', `The "each" object does not have an attribute named "${attr ?? ''}". The supported attributes are each.key and each.value, the current key and value pair of the "for_each" attribute set.`);
        case 'path':
          if (attr === 'module') return { value: str(mod.pathModule), consumed: 1 };
          if (attr === 'root') return { value: str('.'), consumed: 1 };
          if (attr === 'cwd') return { value: str(opts.dir), consumed: 1 };
          return fail('Invalid "path" attribute', `The "path" object does not have an attribute named "${attr ?? ''}". The supported attributes are path.module, path.root and path.cwd.`);
        case 'module':
          if (attr === undefined) return need('NAME');
          if (!decls.modules.has(attr)) {
            const s = suggest(attr, decls.modules.keys());
            return fail('Reference to undeclared module', `No module call named "${attr}" is declared.${s ? ` Did you mean "${s}"?` : ''}`);
          }
          return { value: mod.calls.get(attr) ?? unknownOf(DYNAMIC), consumed: 1 };
        default: {
          const s = suggest(e.root, ['var', 'local', 'vm', 'host', 'count', 'each', 'path', 'module']);
          return fail(
            'Unknown reference',
            `There is nothing named "${e.root}" to refer to.${s ? ` Did you mean "${s}"?` : ''} References start with var., local., vm., host., module., count., each. or path.`,
          );
        }
      }
    };
  };
  return { locals, hosts, vms, hostNames, resolver: makeResolver };
}

const jsString = (s: unknown): Value => (isUnknown(s) ? unknownOf(STRING) : str(s as string));

// What `vm.NAME` gives an expression: the VM's attributes, its uuid when known.
function instanceValue(vm: VmConfig, opts: LoadOptions): Value {
  const a = vm.attributes;
  const uuid = opts.known?.[vm.address]?.uuid;
  return object({
    address: str(vm.address),
    uuid: uuid ? str(uuid) : unknownOf(STRING),
    host: str(vm.host),
    name: jsString(a.name),
    description: jsString(a.description),
    template: jsString(a.template),
    power_state: str(a.power_state),
    vcpus: num(a.vcpus),
    vcpus_max: num(a.vcpus_max),
    memory: object({
      static_min: num(a.memory.static_min),
      dynamic_min: num(a.memory.dynamic_min),
      dynamic_max: num(a.memory.dynamic_max),
      static_max: num(a.memory.static_max),
    }),
    tags: list(a.tags.map(jsString), STRING),
    other_config: map(new Map(Object.entries(a.other_config).map(([k, v]) => [k, jsString(v)])), STRING),
    group: vm.group === undefined ? { type: STRING, raw: null } : str(vm.group),
  });
}

function hostValue(h: HostConfig): Value {
  return object({
    name: str(h.name),
    toolstack: str(h.toolstack),
    simulator: bool(h.simulator),
    address: h.address === undefined ? { type: STRING, raw: null } : str(h.address),
    user: str(h.user ?? 'root'),
    port: num(h.port ?? 22),
  });
}
