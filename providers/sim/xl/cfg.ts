// xl.cfg(5) syntax: `key = "string"` or 'string', numbers, `[ "a", "b" ]` lists (which
// may span lines and end with a comma), `#` comments, statements ended by a newline or `;`.
import type { XlValue } from '../state.js';

export class CfgError extends Error {}

export function parseCfg(text: string, file: string): Record<string, XlValue> {
  const out: Record<string, XlValue> = {};
  let i = 0;
  let line = 1;
  const n = text.length;
  const fail = (what: string): never => {
    throw new CfgError(`${file}:${line}: config parsing error near \`${what}': syntax error`);
  };
  const skip = (newlines: boolean) => {
    while (i < n) {
      const ch = text[i];
      if (ch === '#') {
        while (i < n && text[i] !== '\n') i++;
      } else if (ch === ' ' || ch === '\t' || ch === '\r') i++;
      else if (ch === '\n' && newlines) {
        line++;
        i++;
      } else break;
    }
  };
  const word = (): string => {
    const start = i;
    while (i < n && /[A-Za-z0-9_.+-]/.test(text[i])) i++;
    return text.slice(start, i);
  };
  const value = (inList: boolean): XlValue => {
    skip(inList);
    const ch = text[i];
    if (ch === '"' || ch === "'") {
      i++;
      let s = '';
      while (i < n && text[i] !== ch) {
        if (text[i] === '\\' && i + 1 < n) {
          const e = text[i + 1];
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          i += 2;
        } else {
          if (text[i] === '\n') line++;
          s += text[i++];
        }
      }
      if (i >= n) fail(s);
      i++;
      return s;
    }
    if (ch === '[') {
      i++;
      const items: XlValue[] = [];
      for (;;) {
        skip(true);
        if (text[i] === ']') {
          i++;
          return items;
        }
        items.push(value(true));
        skip(true);
        if (text[i] === ',') i++;
        else if (text[i] !== ']') fail(text[i] ?? 'end of file');
      }
    }
    const w = word();
    if (w === '') fail(ch ?? 'end of file');
    if (/^-?(0x[0-9a-fA-F]+|[0-9]+)$/.test(w)) return Number(w);
    return fail(w);
  };
  for (;;) {
    skip(true);
    if (i >= n) break;
    if (text[i] === ';') {
      i++;
      continue;
    }
    const key = word();
    if (key === '' || !/^[A-Za-z_]/.test(key)) fail(text[i]);
    skip(false);
    if (text[i] !== '=') fail(text[i] ?? key);
    i++;
    out[key] = value(false);
    skip(false);
    if (i < n && text[i] !== '\n' && text[i] !== ';') fail(text[i]);
  }
  return out;
}

export function cfgString(cfg: Record<string, XlValue>, key: string): string | undefined {
  const v = cfg[key];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

export function cfgNumber(cfg: Record<string, XlValue>, key: string): number | undefined {
  const v = cfg[key];
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^[0-9]+$/.test(v)) return Number(v);
  return undefined;
}
