// Hash functions and name-based UUIDs.
import { createHash } from 'node:crypto';
import { STRING, asString, str } from '../eval/value.js';
import { FnError, type FnSpec, type FnTable } from './spec.js';

const hex = (algo: string): FnSpec => ({
  params: [{ name: 'str', type: STRING }],
  returns: STRING,
  impl: ([s]) => str(createHash(algo).update(asString(s), 'utf8').digest('hex')),
});

const b64 = (algo: string): FnSpec => ({
  params: [{ name: 'str', type: STRING }],
  returns: STRING,
  impl: ([s]) => str(createHash(algo).update(asString(s), 'utf8').digest('base64')),
});

// RFC 4122 namespaces, by the names Terraform accepts.
const NAMESPACES: Record<string, string> = {
  dns: '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
  url: '6ba7b811-9dad-11d1-80b4-00c04fd430c8',
  oid: '6ba7b812-9dad-11d1-80b4-00c04fd430c8',
  x500: '6ba7b814-9dad-11d1-80b4-00c04fd430c8',
};

export function uuidv5(namespace: string, name: string): string {
  const ns = Object.hasOwn(NAMESPACES, namespace) ? NAMESPACES[namespace] : namespace;
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ns)) {
    throw new FnError(`uuidv5() doesn't support namespace ${JSON.stringify(namespace)}`, 0);
  }
  const bytes = createHash('sha1')
    .update(Buffer.from(ns.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest()
    .subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const cryptoFunctions: FnTable = {
  md5: hex('md5'),
  sha1: hex('sha1'),
  sha256: hex('sha256'),
  sha512: hex('sha512'),
  base64sha256: b64('sha256'),
  base64sha512: b64('sha512'),
  uuidv5: {
    params: [
      { name: 'namespace', type: STRING },
      { name: 'name', type: STRING },
    ],
    returns: STRING,
    impl: ([ns, name]) => str(uuidv5(asString(ns), asString(name))),
  },
};
