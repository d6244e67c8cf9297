// String functions, with Terraform's grapheme-cluster semantics where it has them.
import { DYNAMIC, NUMBER, STRING, listOf, type Value, asNumber, asString, bool, list, map, str, tuple, BOOL } from '../eval/value.js';
import { FnError, MAX_STRING, TOO_LONG, type FnTable } from './spec.js';
import { format, formatList } from './format.js';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
// A line feed always ends a grapheme cluster, so a long text is segmented in pieces that end
// after one: the segmenter is much slower than linear over one long text.
const ASCII = /^[\x00-\x7f]*$/;

export function graphemes(s: string): string[] {
  const out: string[] = [];
  for (let start = 0; start < s.length; ) {
    const lf = s.indexOf('\n', Math.min(start + 4096, s.length));
    const end = lf < 0 ? s.length : lf + 1;
    const piece = s.slice(start, end);
    if (ASCII.test(piece)) {
      for (let k = 0; k < piece.length; k++) out.push(piece[k] === '\r' && piece[k + 1] === '\n' ? (k++, '\r\n') : piece[k]);
    } else {
      for (const x of segmenter.segment(piece)) out.push(x.segment);
    }
    start = end;
  }
  return out;
}

const s1 = (f: (s: string) => string) => ({
  params: [{ name: 'str', type: STRING }],
  returns: STRING,
  impl: ([s]: Value[]) => str(f(asString(s))),
});

const s2b = (a: string, b: string, f: (x: string, y: string) => boolean) => ({
  params: [
    { name: a, type: STRING },
    { name: b, type: STRING },
  ],
  returns: BOOL,
  impl: ([x, y]: Value[]) => bool(f(asString(x), asString(y))),
});

// RE2 syntax to JavaScript: named groups and leading inline flags.
export function compileRegex(pattern: string, global = false): RegExp {
  let src = pattern;
  let flags = 'u' + (global ? 'g' : '');
  const inline = /^\(\?([imsU]+)\)/.exec(src);
  if (inline) {
    src = src.slice(inline[0].length);
    for (const f of inline[1]) if (f !== 'U' && !flags.includes(f)) flags += f;
  }
  src = src.replace(/\(\?P</g, '(?<');
  try {
    return new RegExp(src, flags);
  } catch (e) {
    throw new FnError(`invalid regular expression pattern: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`, 0);
  }
}

function matchValue(m: RegExpExecArray, re: RegExp): Value {
  if (m.groups && Object.keys(m.groups).length) {
    const o = new Map<string, Value>();
    for (const [k, v] of Object.entries(m.groups)) o.set(k, str(v ?? ''));
    return map(o, STRING);
  }
  if (m.length > 1) return list(m.slice(1).map((g) => str(g ?? '')), STRING);
  void re;
  return str(m[0]);
}

function titleCase(s: string): string {
  let out = '';
  let prevLetter = false;
  for (const ch of s) {
    const isLetter = /[\p{L}\p{N}_'\u2019]/u.test(ch);
    out += isLetter && !prevLetter ? ch.toUpperCase() : ch;
    prevLetter = isLetter;
  }
  return out;
}

function trimSet(s: string, cutset: string): string {
  const cut = new Set(Array.from(cutset));
  const chars = Array.from(s);
  let a = 0;
  let b = chars.length;
  while (a < b && cut.has(chars[a])) a++;
  while (b > a && cut.has(chars[b - 1])) b--;
  return chars.slice(a, b).join('');
}

function goReplacement(r: string): string {
  // Go's $1, ${1}, ${name} -> JavaScript's $1, $<name>; a literal "$" stays "$$"
  return r.replace(/\$(\{([A-Za-z_][A-Za-z0-9_]*|\d+)\}|(\d+)|\$)?/g, (_m, _all, braced?: string, digits?: string) => {
    if (braced !== undefined) return /^\d+$/.test(braced) ? `$${braced}` : `$<${braced}>`;
    if (digits !== undefined) return `$${digits}`;
    if (_m === '$$') return '$$';
    return '$$';
  });
}

export const stringFunctions: FnTable = {
  chomp: s1((s) => s.replace(/(?:\r\n|\r|\n)+$/, '')),
  lower: s1((s) => s.toLowerCase()),
  upper: s1((s) => s.toUpperCase()),
  title: s1(titleCase),
  strrev: s1((s) => graphemes(s).reverse().join('')),
  trimspace: s1((s) => s.replace(/^[\s\u0085]+|[\s\u0085]+$/gu, '')),
  endswith: s2b('str', 'suffix', (a, b) => a.endsWith(b)),
  startswith: s2b('str', 'prefix', (a, b) => a.startsWith(b)),
  strcontains: s2b('str', 'substr', (a, b) => a.includes(b)),
  trim: {
    params: [
      { name: 'str', type: STRING },
      { name: 'cutset', type: STRING },
    ],
    returns: STRING,
    impl: ([s, c]) => str(trimSet(asString(s), asString(c))),
  },
  trimprefix: {
    params: [
      { name: 'str', type: STRING },
      { name: 'prefix', type: STRING },
    ],
    returns: STRING,
    impl: ([s, p]) => str(asString(s).startsWith(asString(p)) ? asString(s).slice(asString(p).length) : asString(s)),
  },
  trimsuffix: {
    params: [
      { name: 'str', type: STRING },
      { name: 'suffix', type: STRING },
    ],
    returns: STRING,
    impl: ([s, p]) => {
      const x = asString(s);
      const suf = asString(p);
      return str(suf && x.endsWith(suf) ? x.slice(0, x.length - suf.length) : x);
    },
  },
  format: {
    params: [{ name: 'format', type: STRING }],
    variadic: { name: 'args', type: DYNAMIC, allowNull: true },
    returns: STRING,
    impl: ([f, ...args]) => str(format(asString(f), args)),
  },
  formatlist: {
    params: [{ name: 'format', type: STRING }],
    variadic: { name: 'args', type: DYNAMIC, allowNull: true },
    returns: listOf(STRING),
    impl: ([f, ...args]) => list(formatList(asString(f), args), STRING),
  },
  indent: {
    params: [
      { name: 'spaces', type: NUMBER },
      { name: 'str', type: STRING },
    ],
    returns: STRING,
    impl: ([n, s]) => {
      const spaces = Math.max(0, asNumber(n));
      const text = asString(s);
      const lines = text.split('\n').length;
      if (spaces > MAX_STRING || text.length + spaces * (lines - 1) > MAX_STRING) throw new FnError(`${spaces} spaces on each line: ${TOO_LONG}`, 0);
      const pad = ' '.repeat(spaces);
      return str(text.replace(/\n/g, '\n' + pad));
    },
  },
  join: {
    params: [{ name: 'separator', type: STRING }],
    variadic: { name: 'lists', type: listOf(STRING) },
    returns: STRING,
    impl: ([sep, ...lists]) => {
      if (lists.length === 0) throw new FnError('at least one list is required');
      const parts: string[] = [];
      lists.forEach((l, i) => {
        for (const e of l.raw as Value[]) {
          if (e.raw === null) throw new FnError(`element ${parts.length} of list ${i} is null; cannot concatenate null values`, i + 1);
          parts.push(asString(e));
        }
      });
      return str(parts.join(asString(sep)));
    },
  },
  split: {
    params: [
      { name: 'separator', type: STRING },
      { name: 'str', type: STRING },
    ],
    returns: listOf(STRING),
    impl: ([sep, s]) => {
      const x = asString(s);
      const parts = asString(sep) === '' ? Array.from(x) : x.split(asString(sep));
      return list(parts.map(str), STRING);
    },
  },
  regex: {
    params: [
      { name: 'pattern', type: STRING },
      { name: 'string', type: STRING },
    ],
    impl: ([p, s]) => {
      const re = compileRegex(asString(p));
      const m = re.exec(asString(s));
      if (!m) throw new FnError('pattern did not match any part of the given string');
      return matchValue(m, re);
    },
  },
  regexall: {
    params: [
      { name: 'pattern', type: STRING },
      { name: 'string', type: STRING },
    ],
    impl: ([p, s]) => {
      const re = compileRegex(asString(p), true);
      const out: Value[] = [];
      for (const m of asString(s).matchAll(re)) out.push(matchValue(m as RegExpExecArray, re));
      return out.length ? list(out) : list([], DYNAMIC);
    },
  },
  replace: {
    params: [
      { name: 'str', type: STRING },
      { name: 'substr', type: STRING },
      { name: 'replace', type: STRING },
    ],
    returns: STRING,
    impl: ([s, sub, rep]) => {
      const x = asString(s);
      const pat = asString(sub);
      if (pat.length > 1 && pat.startsWith('/') && pat.endsWith('/')) {
        const re = compileRegex(pat.slice(1, -1), true);
        return str(x.replace(re, goReplacement(asString(rep))));
      }
      return str(x.split(pat).join(asString(rep)));
    },
  },
  substr: {
    params: [
      { name: 'str', type: STRING },
      { name: 'offset', type: NUMBER },
      { name: 'length', type: NUMBER },
    ],
    returns: STRING,
    impl: ([s, o, l]) => {
      const g = graphemes(asString(s));
      let off = Math.trunc(asNumber(o));
      let len = Math.trunc(asNumber(l));
      if (off < 0) off = g.length + off;
      if (off < 0 || off > g.length) {
        if (g.length === 0) return str('');
        throw new FnError('offset is out of range', 1);
      }
      if (len < 0 || off + len > g.length) len = g.length - off;
      return str(g.slice(off, off + len).join(''));
    },
  },
};

export { tuple };
