// xe's command-line rules (spec §2.1): `k=v` split at the first `=`, `--foo` is
// `foo=true`, a bare word is a key with an empty value; booleans and sizes as
// Record_util parses them.
import { CliError, UsageError } from './errors.js';

export interface Args {
  command: string;
  params: [string, string][]; // command-line order, needed by vm-param-set
}

const SWITCHES_WITH_VALUE = new Set(['-s', '-p', '-u', '-pw', '-h']);

export function parseArgs(argv: string[]): Args {
  const params: [string, string][] = [];
  let command = '';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const body = a.slice(2);
      const eq = body.indexOf('=');
      if (eq >= 0) params.push([body.slice(0, eq), body.slice(eq + 1)]);
      else params.push([body, 'true']);
    } else if (a.startsWith('-') && a.length > 1 && !a.includes('=')) {
      if (!SWITCHES_WITH_VALUE.has(a)) throw new UsageError(`Unknown switch: ${a}`);
      i += 1; // connection switches mean nothing on dom0's local socket
    } else if (command === '') {
      command = a;
    } else {
      const eq = a.indexOf('=');
      if (eq >= 0) params.push([a.slice(0, eq), a.slice(eq + 1)]);
      else params.push([a, '']);
    }
  }
  return { command, params };
}

// Never treated as filters [SRC stdparams].
export const STD_PARAMS = new Set(['server', 'password', 'port', 'username', 'minimal', 'force', 'multiple', 'all', 'message-priority', 'trace', 'progress']);

const TRUE = ['true', 't', 'yes', 'y', '1'];
const FALSE = ['false', 'f', 'no', 'n', '0'];

export function parseBool(name: string, v: string): boolean {
  const l = v.toLowerCase();
  if (TRUE.includes(l)) return true;
  if (FALSE.includes(l)) return false;
  throw new CliError(`Failed to parse parameter '${name}': Expected 'true','t','yes','y','1','false','f','no','n','0' got ${v}`);
}

const UNITS: Record<string, number> = {
  '': 1, b: 1, bytes: 1,
  k: 2 ** 10, kb: 2 ** 10, kib: 2 ** 10,
  m: 2 ** 20, mb: 2 ** 20, mib: 2 ** 20,
  g: 2 ** 30, gb: 2 ** 30, gib: 2 ** 30,
  t: 2 ** 40, tb: 2 ** 40, tib: 2 ** 40,
};

export function parseSize(field: string, v: string): number {
  const m = /^(-?[0-9]+)\s*([a-zA-Z]*)$/.exec(v.trim());
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new CliError(`Failed to parse field '${field}': expecting an integer (possibly with suffix KiB, MiB, GiB, TiB), got '${v}'`);
  }
  return Number(m[1]) * unit;
}

export function parseInteger(name: string, v: string): number {
  if (!/^-?[0-9]+$/.test(v.trim())) throw new CliError(`Failed to parse parameter '${name}': expecting an integer`);
  return Number(v.trim());
}
