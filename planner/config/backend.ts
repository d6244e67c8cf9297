// The `xenform { backend "pg" { ... } }` block: where the state lives. No backend block means
// the local file. Its values are constants (no variables), as in Terraform, because the state
// must be found before anything else is evaluated.
import path from 'node:path';
import type { Diagnostic } from '../../lang/diagnostics.js';
import type { Block, Body, Range } from '../../lang/syntax/ast.js';
import { type BodySchema, checkBody, rangeText } from '../../lang/body.js';
import { parse } from '../../lang/syntax/parser.js';
import { decodeText, type SourceReader } from '../../lang/source.js';
import type { FnContext } from '../../lang/functions/spec.js';
import { constantEvaluator } from './variables.js';

export const BACKEND_TYPES = ['pg'] as const;

export interface PgBackendConfig {
  type: 'pg';
  conn_str?: string;
  schema_name: string; // default "xenform"
  range: Range; // the backend block
}
export type BackendConfig = PgBackendConfig;

export const XENFORM_BLOCK = { labels: [], multiple: true };
const XENFORM_SCHEMA: BodySchema = { attributes: ['required_version'], blocks: { backend: { labels: ['type'], multiple: true } } };
const PG_SCHEMA: BodySchema = { attributes: ['conn_str', 'schema_name'] };
// A PostgreSQL identifier that needs no quoting: what `schema_name` may be.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

// The backend of every `xenform` block of a configuration (at most one may name one).
export function decodeBackend(blocks: Block[], diags: Diagnostic[], fn: FnContext): BackendConfig | null {
  let found: { config: BackendConfig | null; range: Range } | null = null;
  for (const xb of blocks) {
    const { blocks: inner } = checkBody(xb.body, XENFORM_SCHEMA, diags, 'in the xenform block');
    for (const b of inner.get('backend') ?? []) {
      if (found) {
        diags.push({
          severity: 'error',
          summary: 'Duplicate backend configuration',
          detail: `A backend was already configured at ${rangeText(found.range)}. A configuration has one backend.`,
          subject: b.labelRanges[0],
        });
        continue;
      }
      found = { config: decodeOne(b, diags, fn), range: b.labelRanges[0] };
    }
  }
  return found?.config ?? null;
}

function decodeOne(b: Block, diags: Diagnostic[], fn: FnContext): BackendConfig | null {
  const type = b.labels[0];
  if (type !== 'pg') {
    diags.push({
      severity: 'error',
      summary: 'Unsupported backend type',
      detail: `There is no backend of type "${type}". The backends are: ${BACKEND_TYPES.map((t) => `"${t}"`).join(', ')} (and, without a backend block, the local file).`,
      subject: b.labelRanges[0],
    });
    return null;
  }
  const before = diags.length;
  const { attrs } = checkBody(b.body, PG_SCHEMA, diags, 'in a pg backend block');
  const ev = constantEvaluator(fn, false);
  const text = (name: string): string | undefined => {
    const a = attrs.get(name);
    if (!a) return undefined;
    const v = ev.eval(a.expr);
    diags.push(...ev.diagnostics.splice(0));
    if (typeof v.raw !== 'string') {
      diags.push({ severity: 'error', summary: 'Incorrect attribute value type', detail: `Inappropriate value for attribute "${name}": a string is required.`, subject: a.expr.range });
      return undefined;
    }
    return v.raw;
  };
  const config: PgBackendConfig = { type: 'pg', conn_str: text('conn_str'), schema_name: text('schema_name') ?? 'xenform', range: b.range };
  const schemaAttr = attrs.get('schema_name');
  if (schemaAttr && !SCHEMA_NAME.test(config.schema_name)) {
    diags.push({
      severity: 'error',
      summary: 'Invalid schema name',
      detail: `schema_name "${config.schema_name}" must be lower-case letters, digits and underscores, starting with a letter or underscore, at most 63 characters.`,
      subject: schemaAttr.expr.range,
    });
  }
  return diags.length > before ? null : config;
}

// The backend of the configuration in `dir`, read before (and without) evaluating the rest.
// Files that do not parse are left to the configuration's loading, which reports them.
export function readBackend(dir: string, source: SourceReader): { backend: BackendConfig | null; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const listing = source.readDir(dir);
  if (!('names' in listing)) return { backend: null, diagnostics };
  const blocks: Block[] = [];
  for (const name of listing.names.filter((f) => f.endsWith('.xf.hcl')).sort()) {
    const read = source.readFile(path.join(dir, name));
    if (!('bytes' in read)) continue;
    const r = parse(decodeText(read.bytes), name);
    if (!r.diagnostics.some((d) => d.severity === 'error')) blocks.push(...xenformBlocks(r.file.body));
  }
  const fn: FnContext = { dir, source, renderTemplate: () => { throw new Error('templates are not allowed in a backend block'); } };
  const backend = decodeBackend(blocks, diagnostics, fn);
  return { backend, diagnostics };
}

function xenformBlocks(body: Body): Block[] {
  return body.items.filter((i): i is Block => i.kind === 'Block' && i.type === 'xenform');
}
