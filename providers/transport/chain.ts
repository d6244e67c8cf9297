// Two commands in one round trip, the second given the first's output: it runs with
// `<prefix><output of the first>` appended to its arguments (a VM's install, then its
// ownership markers on the new uuid). The remote shell ignores hangups and broken pipes, so
// a connection dropped while the first runs does not stop the second. Like file-ops.ts, one
// script for hosts with a shell and a native twin for the in-process simulator.
import type { ExecResult } from '../provider.js';

// $1: how many words the first command has, $2: the prefix, then both commands' words.
// The first command is rebuilt from positional parameters by index: nothing is evaluated but
// "${N}" references, so no value is ever read as shell text.
export const CHAIN_SCRIPT = [
  "trap '' HUP PIPE",
  'n=$1; p=$2; shift 2',
  'c=; i=1; while [ "$i" -le "$n" ]; do c="$c \\"\\${$i}\\""; i=$((i+1)); done',
  'out=$(eval "$c") || exit $?',
  "printf '%s\\n' \"$out\"",
  'shift "$n"',
  '"$@" "$p$out"',
].join('\n');

const NAME = 'xenform-chain';

export function chain(first: string[], prefix: string, then: string[]): string[] {
  return ['sh', '-c', CHAIN_SCRIPT, NAME, String(first.length), prefix, ...first, ...then];
}

// The two commands of an argv built by chain, for transports that run commands themselves.
export function asChain(argv: string[]): { first: string[]; prefix: string; then: string[] } | null {
  if (argv[0] !== 'sh' || argv[1] !== '-c' || argv[2] !== CHAIN_SCRIPT || argv[3] !== NAME) return null;
  const n = Number(argv[4]);
  return { first: argv.slice(6, 6 + n), prefix: argv[5], then: argv.slice(6 + n) };
}

// The chain's result as the script gives it: the first's failure, or the first's output on a
// line of its own followed by the second's output and exit code.
export async function runChain(c: { first: string[]; prefix: string; then: string[] }, run: (argv: string[]) => Promise<ExecResult>): Promise<ExecResult> {
  const first = await run(c.first);
  if (first.code !== 0) return { stdout: first.stdout, stderr: first.stderr, code: first.code };
  const out = first.stdout.replace(/\n+$/, '');
  const then = await run([...c.then, `${c.prefix}${out}`]);
  return { stdout: `${out}\n${then.stdout}`, stderr: first.stderr + then.stderr, code: then.code };
}
