// format() and formatlist(): Go's fmt verbs as go-cty's stdlib implements them.
import { convert } from '../eval/convert.js';
import { type Value, NUMBER, STRING, BOOL, formatNumber, isUnknownValue, toJs } from '../eval/value.js';
import { FnError, MAX_STRING } from './spec.js';
import { jsonEncode } from './json.js';

interface Verb {
  flags: string;
  width: number | null;
  precision: number | null;
  verb: string;
  argIndex: number | null; // from %[n]
}

export function format(spec: string, args: Value[]): string {
  let out = '';
  let next = 0;
  let used = 0;
  for (let i = 0; i < spec.length; ) {
    const ch = spec[i];
    if (ch !== '%') {
      out += ch;
      i++;
      continue;
    }
    if (spec[i + 1] === '%') {
      out += '%';
      i += 2;
      continue;
    }
    const start = i;
    i++;
    const verb: Verb = { flags: '', width: null, precision: null, verb: '', argIndex: null };
    while (i < spec.length && '+- 0#'.includes(spec[i])) verb.flags += spec[i++];
    if (spec[i] === '[') {
      const close = spec.indexOf(']', i);
      const n = close > 0 ? Number(spec.slice(i + 1, close)) : NaN;
      if (!Number.isInteger(n) || n < 1) throw new FnError(`invalid argument index at offset ${i}`, 0);
      verb.argIndex = n - 1;
      i = close + 1;
    }
    let w = '';
    while (i < spec.length && spec[i] >= '0' && spec[i] <= '9') w += spec[i++];
    if (w) verb.width = Number(w);
    if (spec[i] === '.') {
      i++;
      let p = '';
      while (i < spec.length && spec[i] >= '0' && spec[i] <= '9') p += spec[i++];
      verb.precision = p ? Number(p) : 0;
    }
    if (i >= spec.length) throw new FnError(`unterminated format verb at offset ${start}`, 0);
    verb.verb = spec[i++];
    const idx = verb.argIndex ?? next;
    if (idx >= args.length) {
      throw new FnError(`not enough arguments for "${spec.slice(start, i)}" at offset ${start}`, 0);
    }
    next = idx + 1;
    used = Math.max(used, next);
    out += formatOne(verb, args[idx], idx + 1);
  }
  if (used < args.length) {
    throw new FnError(`too many arguments; only ${used} used by format string`, 0);
  }
  return out;
}

function want(v: Value, t: typeof NUMBER, argNo: number, what: string): Value {
  const r = convert(v, t);
  if (!r.ok || r.value.raw === null) {
    throw new FnError(`unsupported value for "%${what}" at ${argNo}: ${r.ok ? 'null value cannot be formatted' : r.error}`, argNo);
  }
  return r.value;
}

function pad(s: string, v: Verb, numeric: boolean): string {
  if (v.width !== null && v.width > MAX_STRING) throw new FnError(`the width ${v.width} is larger than the ${MAX_STRING}-character limit of a string`);
  if (v.width === null || s.length >= v.width) return s;
  if (v.flags.includes('-')) return s + ' '.repeat(v.width - s.length);
  if (v.flags.includes('0') && numeric) {
    const sign = s[0] === '-' || s[0] === '+' || s[0] === ' ' ? s[0] : '';
    return sign + '0'.repeat(v.width - s.length) + s.slice(sign.length);
  }
  return ' '.repeat(v.width - s.length) + s;
}

function signed(n: number, body: string, v: Verb): string {
  if (n < 0 || Object.is(n, -0)) return body.startsWith('-') ? body : '-' + body;
  if (v.flags.includes('+')) return '+' + body;
  if (v.flags.includes(' ')) return ' ' + body;
  return body;
}

function formatOne(v: Verb, arg: Value, argNo: number): string {
  if (isUnknownValue(arg)) throw new FnError('unknown value', argNo);
  switch (v.verb) {
    case 'v': {
      if (v.flags.includes('#')) return pad(jsonEncode(arg), v, false);
      if (arg.raw === null) return pad('null', v, false);
      if (arg.type.kind === 'string') return pad(arg.raw as string, v, false);
      if (arg.type.kind === 'number') return pad(formatNumber(arg.raw as number), v, true);
      if (arg.type.kind === 'bool') return pad(String(arg.raw), v, false);
      return pad(jsonEncode(arg), v, false);
    }
    case 't': {
      const b = want(arg, BOOL, argNo, 't');
      return pad(String(b.raw), v, false);
    }
    case 's': {
      const s = want(arg, STRING, argNo, 's');
      let text = s.raw as string;
      if (v.precision !== null) text = Array.from(text).slice(0, v.precision).join('');
      return pad(text, v, false);
    }
    case 'q': {
      const s = want(arg, STRING, argNo, 'q');
      return pad(JSON.stringify(s.raw), v, false);
    }
    case 'd':
    case 'b':
    case 'o':
    case 'x':
    case 'X': {
      const n = want(arg, NUMBER, argNo, v.verb).raw as number;
      if (!Number.isInteger(n)) {
        throw new FnError(`unsupported value for "%${v.verb}" at ${argNo}: an integer is required`, argNo);
      }
      const radix = { d: 10, b: 2, o: 8, x: 16, X: 16 }[v.verb];
      let body = BigInt(Math.abs(n)).toString(radix);
      if (v.verb === 'X') body = body.toUpperCase();
      return pad(signed(n, body, v), v, true);
    }
    case 'e':
    case 'E':
    case 'f':
    case 'g':
    case 'G': {
      const n = want(arg, NUMBER, argNo, v.verb).raw as number;
      const a = Math.abs(n);
      let body: string;
      if (v.verb === 'f') body = a.toFixed(v.precision ?? 6);
      else if (v.verb === 'e' || v.verb === 'E') body = goExp(a.toExponential(v.precision ?? 6));
      else body = v.precision === null ? goG(a) : goExp(a.toPrecision(v.precision));
      if (v.verb === 'E' || v.verb === 'G') body = body.toUpperCase();
      return pad(signed(n, body, v), v, true);
    }
    default:
      throw new FnError(`unsupported format verb "%${v.verb}"`, 0);
  }
}

// Go writes exponents with at least two digits: 1e+06.
function goExp(s: string): string {
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

function goG(a: number): string {
  const s = String(a);
  if (!s.includes('e')) {
    const exp = a === 0 ? 0 : Math.floor(Math.log10(a));
    return exp < -4 || exp >= 21 ? goExp(a.toExponential()) : s;
  }
  return goExp(s);
}

// formatlist: lists are iterated in step, other arguments repeat.
export function formatList(spec: string, args: Value[]): Value[] {
  let n: number | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const k = a.type.kind;
    if ((k === 'list' || k === 'tuple' || k === 'set') && a.raw !== null) {
      const len = (a.raw as Value[]).length;
      if (n !== null && n !== len) {
        throw new FnError(`argument ${i + 1} has length ${len}, which is inconsistent with argument 1 of length ${n}`, i + 1);
      }
      n = len;
    }
  }
  const count = n ?? 1;
  const out: Value[] = [];
  for (let j = 0; j < count; j++) {
    const row = args.map((a) => {
      const k = a.type.kind;
      return (k === 'list' || k === 'tuple' || k === 'set') && a.raw !== null ? (a.raw as Value[])[j] : a;
    });
    out.push({ type: STRING, raw: format(spec, row) });
  }
  return out;
}

export { toJs };
