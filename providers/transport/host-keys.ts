// Host key verification against known_hosts (plain, hashed, [host]:port) or a
// pinned SHA256 fingerprint. Never accepts an unknown or changed key.
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';

export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

// The key type is the first SSH string of the public key blob.
export function keyType(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const n = keyBlob.readUInt32BE(0);
  return keyBlob.subarray(4, 4 + n).toString('latin1');
}

export interface KnownHostEntry {
  file: string;
  line: number;
  hosts: string; // the host pattern field as written
  marker: '' | '@revoked' | '@cert-authority';
  type: string;
  key: Buffer;
}

export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'] = '';
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') marker = fields.shift() as KnownHostEntry['marker'];
    const [hosts, type, b64] = fields;
    if (!hosts || !type || !b64) return;
    entries.push({ file, line: i + 1, hosts, marker, type, key: Buffer.from(b64, 'base64') });
  });
  return entries;
}

export function readKnownHosts(files: string[]): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    entries.push(...parseKnownHosts(text, file));
  }
  return entries;
}

// The name known_hosts uses for a host: "host" on port 22, "[host]:port" otherwise.
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

function hashedMatches(pattern: string, name: string): boolean {
  const [, magic, salt, hash] = pattern.split('|');
  if (magic !== '1' || !salt || !hash) return false;
  const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
  return digest === hash;
}

export function hostMatches(hosts: string, host: string, port: number): boolean {
  const name = knownHostsName(host, port);
  if (hosts.startsWith('|')) return hashedMatches(hosts, name);
  let matched = false;
  for (const raw of hosts.split(',')) {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    if (globToRegExp(pattern).test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

export type HostKeyVerdict = { ok: true } | { ok: false; kind: 'unknown' | 'changed' | 'revoked'; message: string };

export interface HostKeyCheck {
  hostLabel: string; // the host block name, for messages
  host: string; // the address actually connected to
  port: number;
  key: Buffer; // the key blob the server presented
  knownHostsFiles: string[];
  pinned?: string; // "SHA256:…"
}

function trustAdvice(check: HostKeyCheck, fp: string): string {
  const file = check.knownHostsFiles[0] ?? '~/.ssh/known_hosts';
  const scan = `ssh-keyscan ${check.port === 22 ? '' : `-p ${check.port} `}${check.host} >> ${file}`;
  return (
    `If this is the right host, trust it by adding its key to known_hosts:\n` +
    `  ${scan}\n` +
    `  (or this line: ${knownHostsName(check.host, check.port)} ${keyType(check.key)} ${check.key.toString('base64')})\n` +
    `or pin it in the host block:\n` +
    `  host_key = "${fp}"`
  );
}

export function verifyHostKey(check: HostKeyCheck): HostKeyVerdict {
  const fp = fingerprint(check.key);
  const type = keyType(check.key);
  const where = `host "${check.hostLabel}" (${check.host}:${check.port})`;
  if (check.pinned) {
    if (check.pinned.replace(/=+$/, '') === fp) return { ok: true };
    return {
      ok: false,
      kind: 'changed',
      message:
        `the host key of ${where} does not match the pinned host_key.\n` +
        `  pinned:    ${check.pinned}\n  presented: ${fp} (${type})\n` +
        `Someone may be intercepting the connection (a man-in-the-middle attack), or the host was reinstalled. Nothing was sent to it.\n` +
        `${verifyAdvice(type)} Only if they match, update host_key in the host block.`,
    };
  }
  const entries = readKnownHosts(check.knownHostsFiles).filter(
    (e) => e.marker !== '@cert-authority' && hostMatches(e.hosts, check.host, check.port),
  );
  const revoked = entries.find((e) => e.marker === '@revoked' && e.key.equals(check.key));
  if (revoked) {
    return { ok: false, kind: 'revoked', message: `the host key ${fp} of ${where} is marked @revoked in ${revoked.file}:${revoked.line}.` };
  }
  const known = entries.filter((e) => e.marker === '');
  if (known.some((e) => e.key.equals(check.key))) return { ok: true };
  if (known.length === 0) {
    const files = check.knownHostsFiles.join(', ') || '(no known_hosts file)';
    return {
      ok: false,
      kind: 'unknown',
      message: `${where} presented an unknown ${type} host key ${fp} (not in ${files}).\n${trustAdvice(check, fp)}`,
    };
  }
  const old = known.find((e) => e.type === type) ?? known[0];
  // As OpenSSH does, the presented key is never offered as a line to paste: it is the one to
  // distrust until it has been checked on the host itself.
  return {
    ok: false,
    kind: 'changed',
    message:
      `the host key of ${where} has CHANGED.\n` +
      `  known:     ${fingerprint(old.key)} (${old.type}) at ${old.file}:${old.line}\n` +
      `  presented: ${fp} (${type})\n` +
      `Someone may be intercepting the connection (a man-in-the-middle attack), or the host was reinstalled. ` +
      `Nothing was sent to it.\n` +
      `${verifyAdvice(type)}\n` +
      `Only if they match, remove the old entry:\n` +
      `  ssh-keygen -R '${knownHostsName(check.host, check.port)}' -f ${old.file}\n` +
      `and connect again: xenform then reports the key as unknown and says how to trust it.`,
  };
}

function verifyAdvice(type: string): string {
  const file = `/etc/ssh/ssh_host_${type.replace(/^ssh-/, '').replace(/^ecdsa-sha2-nistp\d+$/, 'ecdsa')}_key.pub`;
  return `Check the fingerprint on the host itself (its console, not over this network): \`ssh-keygen -lf ${file}\`, and compare it with the presented one.`;
}

// The key types known_hosts has for a host, to ask the server for one of those first.
export function knownKeyTypes(files: string[], host: string, port: number): string[] {
  const types = readKnownHosts(files)
    .filter((e) => e.marker === '' && hostMatches(e.hosts, host, port))
    .map((e) => e.type);
  return [...new Set(types)];
}
