// A command, a read of what it changed, and optionally a mark that records some of the read's
// values, in one round trip (a VM's start, its new domain, and the boot marker naming that
// domain). Like chain.ts: one script for hosts with a shell and a native twin for transports
// that run commands themselves. The remote shell ignores hangups and broken pipes, so a
// connection dropped meanwhile does not stop the mark.
import type { ExecResult } from '../provider.js';
import { commandLine } from './quote.js';

export interface Stamped {
  act: string[];
  read: string[]; // prints `key ( RO): value` lines (an xe *-list with params=)
  fields: string[]; // the read's fields whose values the mark gets, in this order
  prefix: string; // the mark's last argument: `<prefix><value> <value>…`
  mark: string[]; // empty: no mark
}

// $1, $2: how many words act and read have, $3: the prefix, $4: the fields, then the words.
// Commands are rebuilt from positional parameters by index: nothing is evaluated but "${N}"
// references, and the field names are checked to be plain words (stamped() below). When act
// fails, its output and exit code are the script's; else stdout is the read's output, byte
// for byte, and act's and the mark's output go to stderr.
export const STAMPED_SCRIPT = [
  "trap '' HUP PIPE",
  'a=$1; r=$2; p=$3; f=$4; shift 4',
  'c=; i=1; while [ "$i" -le "$a" ]; do c="$c \\"\\${$i}\\""; i=$((i+1)); done',
  'o=$(eval "$c" && echo x) || { s=$?; printf \'%s\' "$o"; exit "$s"; }',
  "printf '%s' \"${o%x}\" >&2",
  'shift "$a"',
  'c=; i=1; while [ "$i" -le "$r" ]; do c="$c \\"\\${$i}\\""; i=$((i+1)); done',
  'out=$(eval "$c" && echo x) || exit $?',
  'out=${out%x}',
  "printf '%s' \"$out\"",
  'shift "$r"',
  '[ $# -gt 0 ] && [ -n "$out" ] || exit 0',
  'v=',
  'for k in $f; do v="$v $(printf \'%s\' "$out" | sed -n "s/^ *$k ( RO) *: //p")"; done',
  '"$@" "$p${v# }" >&2',
].join('\n');

const NAME = 'xenform-stamped';
const FIELD = /^[a-z][a-z-]*$/;

export function stamped(s: Stamped): string[] {
  if (!s.fields.every((f) => FIELD.test(f))) throw new Error(`stamped: field names must be plain words, not ${JSON.stringify(s.fields)}`);
  return ['sh', '-c', STAMPED_SCRIPT, NAME, String(s.act.length), String(s.read.length), s.prefix, s.fields.join(' '), ...s.act, ...s.read, ...s.mark];
}

// The commands of an argv built by stamped, for transports that run commands themselves.
export function asStamped(argv: string[]): Stamped | null {
  if (argv[0] !== 'sh' || argv[1] !== '-c' || argv[2] !== STAMPED_SCRIPT || argv[3] !== NAME) return null;
  const a = Number(argv[4]);
  const r = Number(argv[5]);
  const words = argv.slice(8);
  return { act: words.slice(0, a), read: words.slice(a, a + r), prefix: argv[6], fields: argv[7] === '' ? [] : argv[7].split(' '), mark: words.slice(a + r) };
}

// The values of `field` in `key ( RO): value` lines, as the script's sed picks them.
export function readValue(out: string, field: string): string {
  const picked: string[] = [];
  const re = new RegExp(`^ *${field} \\( RO\\) *: `);
  for (const l of out.split('\n')) {
    const m = re.exec(l);
    if (m) picked.push(l.slice(m[0].length));
  }
  return picked.join('\n');
}

// The script's result: act's failure, or the read's output with the mark's exit code.
export async function runStamped(s: Stamped, run: (argv: string[]) => Promise<ExecResult>): Promise<ExecResult> {
  const act = await run(s.act);
  if (act.code !== 0) return act;
  const read = await run(s.read);
  if (read.code !== 0) return { stdout: '', stderr: act.stdout + act.stderr + read.stderr, code: read.code };
  if (s.mark.length === 0 || read.stdout === '') return { stdout: read.stdout, stderr: act.stdout + act.stderr + read.stderr, code: 0 };
  const values = s.fields.map((f) => readValue(read.stdout, f)).join(' ');
  const mark = await run([...s.mark, `${s.prefix}${values}`]);
  return { stdout: read.stdout, stderr: act.stdout + act.stderr + read.stderr + mark.stdout + mark.stderr, code: mark.code };
}

// How a transport names a command in its messages (a timeout, an abandoned command): a
// stamped command by its act, which is what can take long, anything else as it is sent.
export function shownLine(argv: string[]): string {
  const s = asStamped(argv);
  return commandLine(s ? s.act : argv);
}
