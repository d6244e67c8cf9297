// Where the simulator daemon of a host state file listens (daemon.ts). The `xe`/`xl` client
// (bin/xe, Perl) computes the same address, so every rule here is written out there too.
//
// A unix socket address holds about 107 bytes and a state file lives at any depth (tap's
// fixture directories run past 200 bytes), so the socket is not beside the state file but
// `<dir>/<hash>.sock`, always short:
// - <dir> is this user's alone: `$XDG_RUNTIME_DIR/xensim`, else `$TMPDIR/xensim-<euid>` (TMP,
//   TEMP, then /tmp, as os.tmpdir()); made with mode 0700, and refused when it is not a
//   directory, another user owns it or its group or others may write it;
// - <hash> is FNV-1a 64 of the state path, absolute and normalized as path.resolve spells it
//   (every spelling of one file gives one name). Perl-base, all the client may rely on, has
//   no Digest module: both sides write the hash out.
// One daemon per state path: the daemon refuses a request for any other path (a hash
// collision, or a client that spelled a path differently), so it serves its own file alone.
import { lstatSync, mkdirSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const U64 = (1n << 64n) - 1n;

export function fnv1a64(text: string): string {
  let h = FNV_OFFSET;
  for (const byte of Buffer.from(text)) h = ((h ^ BigInt(byte)) * FNV_PRIME) & U64;
  return h.toString(16).padStart(16, '0');
}

const euid = (): number => process.geteuid?.() ?? 0;

export function socketDir(env: Record<string, string | undefined> = process.env): string {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime && isAbsolute(runtime)) return resolve(runtime, 'xensim');
  const tmp = env.TMPDIR || env.TMP || env.TEMP || '/tmp';
  return resolve(isAbsolute(tmp) ? tmp : '/tmp', `xensim-${euid()}`);
}

export function socketPath(statePath: string, env: Record<string, string | undefined> = process.env): string {
  return `${socketDir(env)}/${fnv1a64(resolve(statePath))}.sock`;
}

// Why `dir` cannot hold this user's daemon sockets (undefined when it can); made if missing.
export function socketDirProblem(dir: string): string | undefined {
  const what = `the simulator's socket directory ${dir}`;
  let made = '';
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    made = (e as Error).message;
  }
  let st;
  try {
    st = lstatSync(dir);
  } catch {
    return `${what} cannot be created (${made})`;
  }
  if (!st.isDirectory()) return `${what} is not a directory`;
  if (st.uid !== euid()) return `${what} is owned by uid ${st.uid}, not by this user (uid ${euid()})`;
  if (st.mode & 0o022) return `${what} is writable by its group or others (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')})`;
  return undefined;
}
