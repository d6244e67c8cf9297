// Checks a block body against what it may contain (arguments and nested blocks) and hands
// out its parts; unknown names get a "did you mean" suggestion.
import type { Diagnostic } from './diagnostics.js';
import type { Attribute, Block, Body, Range } from './syntax/ast.js';
import { suggest } from './didyoumean.js';

export interface BodySchema {
  attributes: string[];
  blocks?: Record<string, { labels: string[]; multiple?: boolean }>;
}

const attributeSets = new WeakMap<BodySchema, Set<string>>();
function attributeSet(schema: BodySchema): Set<string> {
  let s = attributeSets.get(schema);
  if (!s) attributeSets.set(schema, (s = new Set(schema.attributes)));
  return s;
}

export interface BodyContent {
  attrs: Map<string, Attribute>;
  blocks: Map<string, Block[]>;
}

// From the start of the block to its opening brace: `vm "web" {`.
export function blockHeader(b: Block): Range {
  return { filename: b.range.filename, start: b.range.start, end: b.openBraceRange.end };
}

export const rangeText = (r: Range): string => `${r.filename}:${r.start.line},${r.start.column}`;

export function checkBody(body: Body, schema: BodySchema, diags: Diagnostic[], where: string): BodyContent {
  const attrs = new Map<string, Attribute>();
  const blocks = new Map<string, Block[]>();
  const blockTypes = schema.blocks ?? {};
  const known = attributeSet(schema);
  for (const item of body.items) {
    if (item.kind === 'Attribute') {
      if (!known.has(item.name)) {
        let hint = '';
        if (item.name in blockTypes) hint = ` Did you mean to define a block of type "${item.name}"?`;
        else {
          const s = suggest(item.name, schema.attributes);
          if (s) hint = ` Did you mean "${s}"?`;
        }
        diags.push({
          severity: 'error',
          summary: 'Unsupported argument',
          detail: `An argument named "${item.name}" is not expected ${where}.${hint}`,
          subject: item.nameRange,
        });
        continue;
      }
      const prev = attrs.get(item.name);
      if (prev) {
        diags.push({
          severity: 'error',
          summary: 'Attribute redefined',
          detail: `The argument "${item.name}" was already set at ${rangeText(prev.nameRange)}. Each argument may be set only once.`,
          subject: item.nameRange,
        });
        continue;
      }
      attrs.set(item.name, item);
      continue;
    }
    const spec = Object.hasOwn(blockTypes, item.type) ? blockTypes[item.type] : undefined;
    if (!spec) {
      let hint = '';
      if (schema.attributes.includes(item.type)) hint = ` Did you mean to define argument "${item.type}"? If so, use the equals sign to assign it a value.`;
      else {
        const s = suggest(item.type, Object.keys(blockTypes));
        if (s) hint = ` Did you mean "${s}"?`;
      }
      diags.push({
        severity: 'error',
        summary: 'Unsupported block type',
        detail: `Blocks of type "${item.type}" are not expected ${where}.${hint}`,
        subject: item.typeRange,
      });
      continue;
    }
    if (item.labels.length !== spec.labels.length) {
      const extra = item.labels.length > spec.labels.length;
      diags.push({
        severity: 'error',
        summary: extra ? `Extraneous label for ${item.type}` : `Missing name for ${item.type}`,
        detail:
          spec.labels.length === 0
            ? `No labels are expected for ${item.type} blocks.`
            : `All ${item.type} blocks must have ${spec.labels.length} label(s) (${spec.labels.join(', ')}).`,
        subject: extra ? item.labelRanges[spec.labels.length] : item.typeRange,
      });
      continue;
    }
    const list = blocks.get(item.type) ?? [];
    if (list.length > 0 && !spec.multiple) {
      diags.push({
        severity: 'error',
        summary: `Duplicate ${item.type} block`,
        detail: `Only one ${item.type} block is allowed. Another was defined at ${rangeText(list[0].typeRange)}.`,
        subject: item.typeRange,
      });
      continue;
    }
    list.push(item);
    blocks.set(item.type, list);
  }
  return { attrs, blocks };
}
