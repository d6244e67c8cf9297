// Where and as whom to connect: the host block, completed by ~/.ssh/config
// (HostName, User, Port, IdentityFile, ProxyJump, UserKnownHostsFile).
import { existsSync, readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import SSHConfig from 'ssh-config';

export interface SshTarget {
  label: string; // the host block name, for messages
  address: string; // hostname, IP, or a Host alias of ~/.ssh/config
  user?: string;
  // The user when neither the host block nor ~/.ssh/config names one (default: the local user).
  defaultUser?: string;
  port?: number;
  identityFile?: string;
  knownHosts?: string;
  hostKey?: string; // pinned "SHA256:…"
}

export interface ResolvedSsh {
  label: string;
  host: string;
  port: number;
  user: string;
  identityFiles: string[]; // in the order to try
  identityExplicit: boolean; // from the host block or ssh config rather than the defaults
  knownHostsFiles: string[];
  pinned?: string;
  proxyJump?: string; // "[user@]host[:port]", first hop
}

export interface SshEnvironment {
  home?: string;
  sshConfigText?: string | null; // null: no ~/.ssh/config
  defaultUser?: string;
}

export function expandHome(path: string, home: string): string {
  return path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function readSshConfig(home: string): string | null {
  try {
    return readFileSync(join(home, '.ssh', 'config'), 'utf8');
  } catch {
    return null;
  }
}

export function resolveSsh(target: SshTarget, env: SshEnvironment = {}): ResolvedSsh {
  const home = env.home ?? homedir();
  const text = env.sshConfigText === undefined ? readSshConfig(home) : env.sshConfigText;
  const computed: Record<string, string | string[]> = text
    ? SSHConfig.parse(text).compute(target.address, { ignoreCase: true, matchExec: false })
    : {};
  const host = first(computed.hostname)?.replace(/%h/g, target.address) ?? target.address;
  const portText = first(computed.port);
  const port = target.port ?? (portText ? Number(portText) : 22);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`host "${target.label}": port ${portText} from ~/.ssh/config is not a TCP port`);
  }
  const user = target.user ?? first(computed.user) ?? target.defaultUser ?? env.defaultUser ?? userInfo().username;
  const configured = ([] as string[]).concat(computed.identityfile ?? []);
  const explicit = target.identityFile ? [target.identityFile] : configured;
  const identityFiles = (explicit.length ? explicit : ['~/.ssh/id_ed25519', '~/.ssh/id_ecdsa', '~/.ssh/id_rsa'])
    .map((p) => expandHome(p, home))
    .filter((p) => explicit.length > 0 || existsSync(p));
  const userKnown = first(computed.userknownhostsfile);
  const knownHostsFiles = (target.knownHosts ? [target.knownHosts] : userKnown ? userKnown.split(/\s+/) : ['~/.ssh/known_hosts'])
    .map((p) => expandHome(p, home));
  const jump = first(computed.proxyjump);
  return {
    label: target.label,
    host,
    port,
    user,
    identityFiles,
    identityExplicit: explicit.length > 0,
    knownHostsFiles,
    pinned: target.hostKey,
    proxyJump: jump && jump.toLowerCase() !== 'none' ? jump.split(',')[0].trim() : undefined,
  };
}

// "[user@]host[:port]" of ProxyJump.
export function parseJump(spec: string): { user?: string; address: string; port?: number } {
  const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(spec);
  if (!m) throw new Error(`ProxyJump "${spec}" is not [user@]host[:port]`);
  return { user: m[1], address: m[2].replace(/^\[|\]$/g, ''), port: m[3] ? Number(m[3]) : undefined };
}
