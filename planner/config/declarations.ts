// The declarations of a configuration's files: every variable, locals, host, vm and
// output block, checked for valid and unique names, before anything is evaluated.
import type { Diagnostic } from '../../lang/diagnostics.js';
import type { Attribute, Block, Body, Range } from '../../lang/syntax/ast.js';
import { type BodySchema, checkBody, rangeText } from '../../lang/body.js';
import type { FnContext } from '../../lang/functions/spec.js';
import { checkVmBlock, type VmBlock } from './schema.js';
import { decodeBackend, XENFORM_BLOCK } from './backend.js';
import { declareVariable, type VariableDecl } from './variables.js';
import { CHECK_BLOCK } from './conditions.js';
import { REFACTOR_BLOCKS, type RefactorBlocks } from './refactor-blocks.js';

const TOP_SCHEMA: BodySchema = {
  attributes: [],
  blocks: {
    variable: { labels: ['name'], multiple: true },
    locals: { labels: [], multiple: true },
    output: { labels: ['name'], multiple: true },
    host: { labels: ['name'], multiple: true },
    vm: { labels: ['name'], multiple: true },
    module: { labels: ['name'], multiple: true },
    xenform: XENFORM_BLOCK,
    check: CHECK_BLOCK,
    ...REFACTOR_BLOCKS,
  },
};
const NAME = /^[\p{L}_][\p{L}\p{N}_-]*$/u;

export interface Declarations {
  variables: Map<string, VariableDecl>;
  locals: Map<string, Attribute>;
  outputs: Map<string, Block>;
  hosts: Map<string, Block>;
  vms: Map<string, VmBlock>;
  checks: Map<string, Block>;
  modules: Map<string, Block>;
  settings: Block[]; // xenform blocks: allowed in the root module only
  refactor: RefactorBlocks; // moved, import and removed blocks
}

export function declare(bodies: Body[], diags: Diagnostic[], fn: FnContext): Declarations {
  const d: Declarations = { variables: new Map(), locals: new Map(), outputs: new Map(), hosts: new Map(), vms: new Map(), checks: new Map(), modules: new Map(), settings: [], refactor: { moved: [], imports: [], removed: [] } };
  const firstSeen = new Map<string, Range>();
  const unique = (kind: string, b: Block): boolean => {
    const name = b.labels[0];
    if (!NAME.test(name)) {
      diags.push({
        severity: 'error',
        summary: `Invalid ${kind} name`,
        detail: 'A name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes.',
        subject: b.labelRanges[0],
      });
      return false;
    }
    const key = `${kind}.${name}`;
    const prev = firstSeen.get(key);
    if (prev) {
      diags.push({
        severity: 'error',
        summary: `Duplicate ${kind} declaration`,
        detail: `A ${kind} named "${name}" was already declared at ${rangeText(prev)}. Names must be unique per block type.`,
        subject: b.labelRanges[0],
      });
      return false;
    }
    firstSeen.set(key, b.labelRanges[0]);
    return true;
  };
  const settings = d.settings;
  for (const body of bodies) {
    const top = checkBody(body, TOP_SCHEMA, diags, 'at the top level of a configuration file');
    settings.push(...(top.blocks.get('xenform') ?? []));
    d.refactor.moved.push(...(top.blocks.get('moved') ?? []));
    d.refactor.imports.push(...(top.blocks.get('import') ?? []));
    d.refactor.removed.push(...(top.blocks.get('removed') ?? []));
    for (const b of top.blocks.get('variable') ?? []) if (unique('variable', b)) d.variables.set(b.labels[0], declareVariable(b, diags, fn));
    for (const b of top.blocks.get('host') ?? []) if (unique('host', b)) d.hosts.set(b.labels[0], b);
    for (const b of top.blocks.get('vm') ?? []) if (unique('vm', b)) d.vms.set(b.labels[0], checkVmBlock(b, diags));
    for (const b of top.blocks.get('output') ?? []) if (unique('output', b)) d.outputs.set(b.labels[0], b);
    for (const b of top.blocks.get('check') ?? []) if (unique('check', b)) d.checks.set(b.labels[0], b);
    for (const b of top.blocks.get('module') ?? []) if (unique('module', b)) d.modules.set(b.labels[0], b);
    for (const b of top.blocks.get('locals') ?? []) {
      for (const item of b.body.items) {
        if (item.kind === 'Block') {
          diags.push({ severity: 'error', summary: 'Unexpected block', detail: 'Blocks are not allowed in a locals block; use name = value.', subject: item.typeRange });
          continue;
        }
        const prev = d.locals.get(item.name);
        if (prev) {
          diags.push({
            severity: 'error',
            summary: 'Duplicate local value definition',
            detail: `A local value named "${item.name}" was already defined at ${rangeText(prev.nameRange)}. Local value names must be unique within a configuration.`,
            subject: item.nameRange,
          });
          continue;
        }
        d.locals.set(item.name, item);
      }
    }
  }
  decodeBackend(settings, diags, fn); // for its diagnostics: the state backend reads it itself
  d.settings = settings;
  return d;
}
