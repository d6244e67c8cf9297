// Encoding functions: base64, URL query escaping, CSV, JSON and YAML.
import { STRING, type Value, asString, fromJs, list, object, str, DYNAMIC } from '../eval/value.js';
import { FnError, type FnTable } from './spec.js';
import { jsonEncode, yamlEncode } from './json.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

function base64Decode(s: string): string {
  const bad = /[^A-Za-z0-9+/=]/.exec(s);
  if (bad) throw new FnError(`the given value is has an invalid base64 symbol at offset ${bad.index}`, 0);
  if (s.length % 4 !== 0) throw new FnError('the given value has an invalid base64 length', 0);
  const text = decodeUtf8(Buffer.from(s, 'base64'));
  if (text === null) throw new FnError('the result of decoding the provided string is not valid UTF-8', 0);
  return text;
}

// Go's url.QueryEscape: unreserved characters stay, a space becomes "+".
function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

// RFC 4180 records; quoted fields may hold commas, quotes ("") and newlines.
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let line = 1;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        if (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          throw new FnError(`parse error on line ${line}, column ${i}: extraneous or missing " in quoted-field`, 0);
        }
        continue;
      }
      if (c === '\n') line++;
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\r' || c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
    } else if (c === '"') {
      throw new FnError(`parse error on line ${line}: bare " in non-quoted-field`, 0);
    } else {
      field += c;
      i++;
    }
  }
  if (quoted) throw new FnError(`parse error on line ${line}: extraneous or missing " in quoted-field`, 0);
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

export const encodingFunctions: FnTable = {
  base64encode: {
    params: [{ name: 'str', type: STRING }],
    returns: STRING,
    impl: ([s]) => str(Buffer.from(asString(s), 'utf8').toString('base64')),
  },
  base64decode: {
    params: [{ name: 'str', type: STRING }],
    returns: STRING,
    impl: ([s]) => str(base64Decode(asString(s))),
  },
  urlencode: {
    params: [{ name: 'str', type: STRING }],
    returns: STRING,
    impl: ([s]) => str(queryEscape(asString(s))),
  },
  csvdecode: {
    params: [{ name: 'str', type: STRING }],
    impl: ([s]) => {
      const rows = parseCsv(asString(s));
      if (rows.length === 0) throw new FnError('missing header line', 0);
      const [header, ...body] = rows;
      const out = body.map((r, i) => {
        if (r.length !== header.length) throw new FnError(`record on line ${i + 2}: wrong number of fields`, 0);
        return object(new Map(header.map((h, j) => [h, str(r[j])])));
      });
      return out.length ? list(out) : list([], DYNAMIC);
    },
  },
  jsonencode: {
    params: [{ name: 'val', type: DYNAMIC, allowNull: true }],
    returns: STRING,
    impl: ([v]) => str(jsonEncode(v)),
  },
  jsondecode: {
    params: [{ name: 'str', type: STRING }],
    impl: ([s]) => {
      try {
        return fromJs(JSON.parse(asString(s)));
      } catch (e) {
        throw new FnError(`invalid JSON: ${(e as Error).message}`, 0);
      }
    },
  },
  yamlencode: {
    params: [{ name: 'value', type: DYNAMIC, allowNull: true }],
    returns: STRING,
    impl: ([v]) => str(yamlEncode(v)),
  },
};

export type { Value };
