// Which values derive from sensitive input variables. Terraform tracks this with marks on
// values; xenform follows references instead, which flags the same expressions
// (`length(var.password)` is sensitive too) and costs nothing at evaluation time.
import type { Attribute, Block, Expression } from '../../lang/syntax/ast.js';
import { findReferences } from '../../lang/eval/references.js';
import type { VmBlock } from './schema.js';

export class Sensitivity {
  private readonly locals = new Set<string>();
  private readonly vms = new Set<string>();

  constructor(private readonly vars: ReadonlySet<string>) {}

  get active(): boolean {
    return this.vars.size > 0;
  }

  derives(e: Expression): boolean {
    if (this.vars.size === 0) return false;
    return findReferences(e).some(
      (r) =>
        (r.root === 'var' && this.vars.has(r.name)) ||
        (r.root === 'local' && this.locals.has(r.name)) ||
        (r.root === 'vm' && this.vms.has(r.name)),
    );
  }

  markLocal(name: string): void {
    this.locals.add(name);
  }

  markVm(name: string): void {
    this.vms.add(name);
  }
}

const TOP_PATHS: Record<string, string> = {
  name: 'name',
  description: 'description',
  template: 'template',
  power_state: 'power_state',
  memory: 'memory',
  vcpus: 'vcpus',
  vcpus_max: 'vcpus_max',
  tags: 'tags',
  other_config: 'other_config',
  restart_trigger: 'restart_trigger',
  group: 'group',
  host: 'host',
};

// The VmAttributes paths of a vm block whose values derive from sensitive values.
export function sensitivePaths(vm: VmBlock, s: Sensitivity): string[] {
  if (!s.active) return [];
  const out = new Set<string>();
  for (const item of vm.block.body.items) {
    if (item.kind === 'Attribute') {
      if (Object.hasOwn(TOP_PATHS, item.name) && s.derives(item.expr)) out.add(TOP_PATHS[item.name]);
      continue;
    }
    const type = item.type === 'dynamic' ? item.labels[0] : item.type;
    const args = item.type === 'dynamic' ? generatedArguments(item, s) : item.body.items.flatMap((i) => (i.kind === 'Attribute' ? [[i, s.derives(i.expr)] as [Attribute, boolean]] : []));
    for (const [inner, derived] of args) {
      if (!derived) continue;
      if (type === 'disk') out.add('disks');
      else if (type === 'network') out.add('networks');
      else if (type === 'boot' || type === 'memory' || type === 'shutdown') out.add(`${type}.${inner.name}`);
    }
  }
  return [...out];
}

// The arguments of the blocks a dynamic block generates, with whether each derives from
// sensitive values (all do when the dynamic block's for_each or labels do).
function generatedArguments(dynamic: Block, s: Sensitivity): [Attribute, boolean][] {
  const driven = dynamic.body.items.some((i) => i.kind === 'Attribute' && i.name !== 'iterator' && s.derives(i.expr));
  const content = dynamic.body.items.flatMap((i) => (i.kind === 'Block' && i.type === 'content' ? i.body.items : []));
  return content.flatMap((i) => (i.kind === 'Attribute' ? [[i, driven || s.derives(i.expr)] as [Attribute, boolean]] : []));
}
