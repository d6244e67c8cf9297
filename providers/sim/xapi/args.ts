// xe's command-line rules (spec §2.1): `k=v` split at the first `=`, `--foo` is
// `foo=true`, a bare word is a key with an empty value; booleans and sizes as
// Record_util parses them.
import { CliError, UsageError } from './errors.js';

export interface Args {
  command: string;
  params: [string, string][]; // command-line order, needed by vm-param-set
}

// Switches the `xe` client itself consumes with their value (newcli.ml `parse_args`).
const CLIENT_SWITCHES = new Set(['-s', '-p', '-u', '-pw', '-pwf', '-h']);

// The wire between the `xe` client and xapi: newcli.ml `main` sends its arguments joined
// with "\n", and xapi_cli.ml `parse_session_and_args` splits the body again at every "\n"
// (`get_line`), dropping one trailing "\r" from each line (`zap_cr`). So an argument holding
// a newline arrives as several arguments (xen-api v1.249.42 newcli.ml L807, xapi_cli.ml
// L41/L247/L273; unchanged on master).
export function acrossTheWire(argv: string[]): string[] {
  return argv
    .join('\n')
    .split('\n')
    .map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

// cli_frontend.ml `parse_params_2`: `--x` is (x, "true") whatever follows (so `--x=y` is the
// key "x=y"); any other argument starting with "-" is a switch that takes the next argument,
// and one that is not known fails the whole command line with `Syntax error: ` (the
// `ParseError ""` re-raise in `parse_commandline`, xen-api v1.249.42 L3516).
export function parseArgs(argv: string[]): Args {
  const params: [string, string][] = [];
  let command = '';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      params.push([a.slice(2), 'true']);
    } else if (a.startsWith('-')) {
      // connection switches mean nothing on dom0's local socket
      if (!CLIENT_SWITCHES.has(a)) throw new SyntaxError_();
      i += 1;
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

class SyntaxError_ extends UsageError {
  constructor() {
    super('Syntax error: ');
  }
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
