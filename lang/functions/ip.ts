// IP network functions: cidrhost cidrnetmask cidrsubnet cidrsubnets (IPv4 and IPv6).
import { NUMBER, STRING, type Value, asNumber, asString, list, listOf, str } from '../eval/value.js';
import { FnError, type FnTable } from './spec.js';

interface Prefix {
  v6: boolean;
  bits: number; // 32 or 128
  addr: bigint; // network address (host bits cleared)
  len: number;
}

function parseV4(s: string): bigint | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    n = (n << 8n) | BigInt(Number(p));
  }
  return n;
}

function parseV6(s: string): bigint | null {
  let text = s;
  let tail: bigint[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.') && lastColon >= 0) {
    const v4 = parseV4(text.slice(lastColon + 1));
    if (v4 === null) return null;
    tail = [v4 >> 16n, v4 & 0xffffn];
    text = text.slice(0, lastColon + 1) + '0:0';
    tail = tail.length ? tail : [];
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const group = (h: string) => (h === '' ? [] : h.split(':'));
  const head = group(halves[0]);
  const rest = halves.length === 2 ? group(halves[1]) : [];
  const missing = 8 - head.length - rest.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  if (tail.length) n = (n & ~0xffffffffn) | (tail[0] << 16n) | tail[1];
  return n;
}

function parsePrefix(s: string, arg = 0): Prefix {
  const slash = s.indexOf('/');
  const fail = () => new FnError(`invalid CIDR expression: invalid CIDR address: ${s}`, arg);
  if (slash < 0) throw fail();
  const ip = s.slice(0, slash);
  const lenText = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText)) throw fail();
  const len = Number(lenText);
  const v6 = ip.includes(':');
  const addr = v6 ? parseV6(ip) : parseV4(ip);
  const bits = v6 ? 128 : 32;
  if (addr === null || len > bits) throw fail();
  const hostBits = BigInt(bits - len);
  return { v6, bits, len, addr: (addr >> hostBits) << hostBits };
}

function formatAddr(n: bigint, v6: boolean): string {
  if (!v6) return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 0xffn)).join('.');
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((n >> BigInt(i * 16)) & 0xffffn));
  // the longest run of at least two zero groups becomes "::"
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return hex.slice(0, best).join(':') + '::' + hex.slice(best + bestLen).join(':');
}

function host(p: Prefix, num: number): string {
  const size = 1n << BigInt(p.bits - p.len);
  let n = BigInt(Math.trunc(num));
  if (n < 0n) n = size + n;
  if (n < 0n || n >= size) throw new FnError(`prefix of ${p.len} does not accommodate a host numbered ${num}`, 1);
  return formatAddr(p.addr + n, p.v6);
}

function subnet(p: Prefix, newbits: number, netnum: number): Prefix {
  const len = p.len + newbits;
  if (newbits < 0 || !Number.isInteger(newbits)) throw new FnError('newbits must be a non-negative integer', 1);
  if (len > p.bits) throw new FnError(`insufficient address space to extend prefix of ${p.len} by ${newbits}`, 1);
  if (netnum < 0 || BigInt(Math.trunc(netnum)) >= 1n << BigInt(newbits)) {
    throw new FnError(`prefix extension of ${newbits} does not accommodate a subnet numbered ${netnum}`, 2);
  }
  return { ...p, len, addr: p.addr | (BigInt(Math.trunc(netnum)) << BigInt(p.bits - len)) };
}

const fmtPrefix = (p: Prefix) => `${formatAddr(p.addr, p.v6)}/${p.len}`;

export const ipFunctions: FnTable = {
  cidrhost: {
    params: [
      { name: 'prefix', type: STRING },
      { name: 'hostnum', type: NUMBER },
    ],
    returns: STRING,
    impl: ([p, n]) => str(host(parsePrefix(asString(p)), asNumber(n))),
  },
  cidrnetmask: {
    params: [{ name: 'prefix', type: STRING }],
    returns: STRING,
    impl: ([p]) => {
      const pre = parsePrefix(asString(p));
      if (pre.v6) throw new FnError('only IPv4 networks are supported', 0);
      const mask = pre.len === 0 ? 0n : ((1n << 32n) - 1n) ^ ((1n << BigInt(32 - pre.len)) - 1n);
      return str(formatAddr(mask, false));
    },
  },
  cidrsubnet: {
    params: [
      { name: 'prefix', type: STRING },
      { name: 'newbits', type: NUMBER },
      { name: 'netnum', type: NUMBER },
    ],
    returns: STRING,
    impl: ([p, b, n]) => str(fmtPrefix(subnet(parsePrefix(asString(p)), asNumber(b), asNumber(n)))),
  },
  cidrsubnets: {
    params: [{ name: 'prefix', type: STRING }],
    variadic: { name: 'newbits', type: NUMBER },
    returns: listOf(STRING),
    impl: ([p, ...bits]) => {
      const base = parsePrefix(asString(p));
      const out: Value[] = [];
      let next = base.addr; // first free address
      bits.forEach((b, i) => {
        const newbits = asNumber(b);
        const len = base.len + newbits;
        if (newbits < 1 || len > base.bits) {
          throw new FnError(`would extend prefix to ${len} bits, which is too long for an IPv${base.v6 ? 6 : 4} address`, i + 1);
        }
        const size = 1n << BigInt(base.bits - len);
        const start = ((next + size - 1n) / size) * size;
        if (start + size > base.addr + (1n << BigInt(base.bits - base.len))) {
          throw new FnError(`not enough remaining address space for a subnet with a prefix of ${len} bits after ${out.length ? asString(out[out.length - 1]) : fmtPrefix(base)}`, i + 1);
        }
        out.push(str(fmtPrefix({ ...base, len, addr: start })));
        next = start + size;
      });
      return list(out, STRING);
    },
  },
};
