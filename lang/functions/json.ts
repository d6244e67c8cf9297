// JSON and YAML encodings of values, as Terraform's jsonencode and yamlencode write them.
import { type Value, formatNumber, isUnknownValue } from '../eval/value.js';
import { FnError } from './spec.js';

// Go's encoding/json escapes <, > and & (and the two line separators) for HTML safety.
function quote(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

export function jsonEncode(v: Value): string {
  if (isUnknownValue(v)) throw new FnError('value is not known');
  if (v.raw === null) return 'null';
  switch (v.type.kind) {
    case 'string':
      return quote(v.raw as string);
    case 'number':
      return formatNumber(v.raw as number);
    case 'bool':
      return String(v.raw);
    case 'list':
    case 'set':
    case 'tuple':
      return '[' + (v.raw as Value[]).map(jsonEncode).join(',') + ']';
    case 'map':
    case 'object':
      return '{' + [...(v.raw as Map<string, Value>)].map(([k, e]) => quote(k) + ':' + jsonEncode(e)).join(',') + '}';
    default:
      return 'null';
  }
}

function yamlScalar(v: Value): string | null {
  if (v.raw === null) return 'null';
  switch (v.type.kind) {
    case 'string':
      return JSON.stringify(v.raw);
    case 'number':
      return formatNumber(v.raw as number);
    case 'bool':
      return String(v.raw);
    default: {
      const empty = (v.raw as Value[] | Map<string, Value>) instanceof Map ? (v.raw as Map<string, Value>).size === 0 : (v.raw as Value[]).length === 0;
      if (empty) return v.type.kind === 'map' || v.type.kind === 'object' ? '{}' : '[]';
      return null;
    }
  }
}

function yamlLines(v: Value, indent: string, out: string[], firstPrefix: string): void {
  if (isUnknownValue(v)) throw new FnError('value is not known');
  const scalar = yamlScalar(v);
  if (scalar !== null) {
    out.push(firstPrefix + scalar);
    return;
  }
  let first = true;
  const lead = () => {
    const p = first ? firstPrefix : indent;
    first = false;
    return p;
  };
  if (v.raw instanceof Map) {
    for (const [k, e] of v.raw) {
      const ks = JSON.stringify(k) + ':';
      const sc = isUnknownValue(e) ? null : yamlScalar(e);
      if (sc !== null) out.push(lead() + ks + ' ' + sc);
      else if (e.raw instanceof Map) {
        out.push(lead() + ks);
        yamlLines(e, indent + '  ', out, indent + '  ');
      } else {
        out.push(lead() + ks);
        yamlLines(e, indent, out, indent);
      }
    }
    return;
  }
  for (const e of v.raw as Value[]) {
    yamlLines(e, indent + '  ', out, lead() + '- ');
  }
}

export function yamlEncode(v: Value): string {
  const out: string[] = [];
  yamlLines(v, '', out, '');
  return out.join('\n') + '\n';
}
