// Numeric functions: abs ceil floor log max min parseint pow signum.
import { NUMBER, STRING, type Value, asNumber, asString, num } from '../eval/value.js';
import { FnError, type FnTable } from './spec.js';

const n1 = (f: (x: number) => number) => ({
  params: [{ name: 'num', type: NUMBER }],
  returns: NUMBER,
  impl: ([x]: Value[]) => num(f(asNumber(x))),
});

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

function parseInt_(s: string, base: number): number {
  if (!Number.isInteger(base) || base < 2 || base > 62) {
    throw new FnError('base must be a whole number between 2 and 62 inclusive', 1);
  }
  let i = 0;
  let neg = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    neg = s[0] === '-';
    i = 1;
  }
  if (i >= s.length) throw new FnError(`cannot parse ${JSON.stringify(s)} as a base ${base} integer`, 0);
  let acc = 0n;
  const b = BigInt(base);
  for (; i < s.length; i++) {
    // bases up to 36 are case-insensitive, as in Go's big.Int SetString
    const ch = base <= 36 ? s[i].toLowerCase() : s[i];
    const d = DIGITS.indexOf(ch);
    if (d < 0 || d >= base) throw new FnError(`cannot parse ${JSON.stringify(s)} as a base ${base} integer`, 0);
    acc = acc * b + BigInt(d);
  }
  return Number(neg ? -acc : acc);
}

function extreme(args: Value[], pick: (a: number, b: number) => number): Value {
  if (args.length === 0) throw new FnError('must pass at least one number');
  return num(args.map(asNumber).reduce((a, b) => pick(a, b)));
}

export const numericFunctions: FnTable = {
  abs: n1(Math.abs),
  ceil: n1(Math.ceil),
  floor: n1(Math.floor),
  signum: n1((x) => (x > 0 ? 1 : x < 0 ? -1 : 0)),
  log: {
    params: [
      { name: 'num', type: NUMBER },
      { name: 'base', type: NUMBER },
    ],
    returns: NUMBER,
    impl: ([x, b]) => num(Math.log(asNumber(x)) / Math.log(asNumber(b))),
  },
  pow: {
    params: [
      { name: 'num', type: NUMBER },
      { name: 'power', type: NUMBER },
    ],
    returns: NUMBER,
    impl: ([x, p]) => num(Math.pow(asNumber(x), asNumber(p))),
  },
  max: { params: [], variadic: { name: 'numbers', type: NUMBER }, returns: NUMBER, impl: (a) => extreme(a, Math.max) },
  min: { params: [], variadic: { name: 'numbers', type: NUMBER }, returns: NUMBER, impl: (a) => extreme(a, Math.min) },
  parseint: {
    params: [
      { name: 'number', type: STRING },
      { name: 'base', type: NUMBER },
    ],
    returns: NUMBER,
    impl: ([s, b]) => num(parseInt_(asString(s), asNumber(b))),
  },
};
