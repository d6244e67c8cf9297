// String functions, with Terraform's grapheme-cluster semantics where it has them.
import { DYNAMIC, NUMBER, STRING, listOf, type Value, asNumber, asString, bool, list, map, str, tuple, BOOL } from '../eval/value.js';
import { RE2JS } from 're2js';
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

// Terraform's regular expressions are Go's regexp (RE2 syntax, leftmost-first, linear time):
// re2js is a port of that engine, so a pattern like (a+)+$ cannot backtrack for ever.
// `arg` is the pattern's argument position, for the error.
function compileRegex(pattern: string, arg: number): RE2JS {
  try {
    return RE2JS.compile(pattern);
  } catch (e) {
    throw new FnError(`invalid regular expression pattern: ${(e as Error).message}`, arg);
  }
}

// regex() and regexall() give a map for named groups, a list for numbered ones: not both.
function compileMatcher(pattern: string): RE2JS {
  const re = compileRegex(pattern, 0);
  const named = Object.keys(re.namedGroups()).length;
  if (named > 0 && named < re.groupCount()) throw new FnError('invalid regular expression pattern: cannot mix both named and unnamed capture groups', 0);
  return re;
}

type Match = (string | undefined)[] & { groups?: Record<string, string | undefined> };

// No groups: the match; named groups: a map; numbered groups: a list (an unmatched group is "").
function matchValue(m: Match, re: RE2JS): Value {
  if (m.groups && Object.keys(m.groups).length) {
    const o = new Map<string, Value>();
    for (const [k, v] of Object.entries(m.groups)) o.set(k, str(v ?? ''));
    return map(o, STRING);
  }
  if (re.groupCount() > 0) return list(m.slice(1).map((g) => str(g ?? '')), STRING);
  return str(m[0] ?? '');
}

// Go's Regexp.Expand, as Terraform's replace() uses it: $1, ${1}, $name, ${name} (a name is the
// longest run of letters, digits and "_"), $$ for "$"; a group that does not exist or did not
// match gives ""; a "$" that starts no name stays as it is.
const GO_NAME = /\{([\p{L}\p{N}_]+)\}|([\p{L}\p{N}_]+)/uy;

function expandGo(template: string, groups: (string | undefined)[], named: Record<string, number>): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const at = template.indexOf('$', i);
    if (at < 0) break;
    out += template.slice(i, at);
    i = at + 1;
    if (template[i] === '$') {
      out += '$';
      i++;
      continue;
    }
    GO_NAME.lastIndex = i;
    const m = GO_NAME.exec(template);
    if (!m) {
      out += '$';
      continue;
    }
    i += m[0].length;
    const name = m[1] ?? m[2];
    const num = /^\d+$/.test(name) ? Number(name) : named[name];
    if (num !== undefined && num < groups.length) out += groups[num] ?? '';
  }
  return out + template.slice(i);
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
      const re = compileMatcher(asString(p));
      const m = re.exec(asString(s)) as Match | null;
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
      const re = compileMatcher(asString(p));
      const out: Value[] = [];
      for (const m of re.matchAll(asString(s))) out.push(matchValue(m as Match, re));
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
        const re = compileRegex(pat.slice(1, -1), 1);
        const template = asString(rep);
        const named = re.namedGroups() as Record<string, number>;
        let out = '';
        let last = 0;
        for (const m of re.matchAll(x)) {
          const at = m.index ?? last;
          out += x.slice(last, at) + expandGo(template, [...m], named);
          last = at + m[0].length;
          if (out.length > MAX_STRING) throw new FnError(TOO_LONG);
        }
        return str(out + x.slice(last));
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
