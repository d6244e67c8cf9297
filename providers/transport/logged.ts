// XENFORM_LOG=debug: every command sent to a host, with its timing and exit status, written to
// stderr or to the file XENFORM_LOG_PATH names. Sensitive values never reach the log: each
// secret the caller names is replaced in the command's words before they are quoted.
import { appendFileSync } from 'node:fs';
import type { BatchOptions, ExecOptions, ExecResult, Transport } from '../provider.js';
import { commandLine } from './quote.js';
import { asChain } from './chain.js';
import { asStamped } from './stamped.js';

export const MASKED = '(sensitive value)';

export interface CommandLogOptions {
  env: Record<string, string | undefined>;
  secrets?: () => readonly string[]; // the values to mask, asked for at each command
}

// Whether XENFORM_LOG asks for the command log (`debug`, or `trace`, which logs the same).
export function commandLogWanted(env: Record<string, string | undefined>): boolean {
  const level = env.XENFORM_LOG?.trim().toLowerCase();
  return level === 'debug' || level === 'trace';
}

export function loggedTransport(inner: Transport, host: string, opts: CommandLogOptions): Transport {
  const path = opts.env.XENFORM_LOG_PATH;
  const secrets = (): string[] => (opts.secrets?.() ?? []).filter((x) => x.length > 0).sort((a, b) => b.length - a.length);
  const mask = (text: string): string => secrets().reduce((acc, x) => acc.split(x).join(MASKED), text);
  const write = (line: string): void => {
    const text = `${new Date().toISOString()} [DEBUG] host "${host}" (${inner.description}): ${mask(line)}\n`;
    if (path) appendFileSync(path, text, { mode: 0o600 });
    else process.stderr.write(text);
  };
  const shown = (argv: readonly string[]): string => {
    const words = argv.map(mask);
    try {
      return commandLine(words);
    } catch {
      return JSON.stringify(words);
    }
  };
  // A chain (an install and its markers in one round trip) reads as its two commands, a
  // stamped command (stamped.ts) as its three.
  const command = (argv: readonly string[]): string => {
    const c = asChain([...argv]);
    if (c) return `${shown(c.first)} && ${shown(c.then)} ${c.prefix}<its output>`;
    const s = asStamped([...argv]);
    if (!s) return shown(argv);
    const mark = s.mark.length ? ` && ${shown(s.mark)} ${s.prefix}<its ${s.fields.join(' ')}>` : '';
    return `${shown(s.act)} && ${shown(s.read)}${mark}`;
  };
  const outcome = (r: ExecResult, ms?: number): string => `exit ${r.code}${ms === undefined ? '' : ` in ${ms} ms`}${r.code !== 0 && r.stderr ? `: ${firstLine(r.stderr)}` : ''}`;
  const timed = async <T>(what: string, run: () => Promise<T>, done: (r: T, ms: number) => string): Promise<T> => {
    const t0 = Date.now();
    try {
      const r = await run();
      write(`${what} -> ${done(r, Date.now() - t0)}`);
      return r;
    } catch (err) {
      write(`${what} -> failed after ${Date.now() - t0} ms: ${firstLine(err instanceof Error ? err.message : String(err))}`);
      throw err;
    }
  };
  const logged: Transport = {
    get description() {
      return inner.description;
    },
    exec: (argv: string[], options?: ExecOptions) =>
      timed(`${command(argv)}${options?.stdin !== undefined ? ` (stdin: ${Buffer.byteLength(options.stdin)} bytes)` : ''}`, () => inner.exec(argv, options), outcome),
    roundTrips: () => inner.roundTrips(),
    close: () => inner.close(),
  };
  if (inner.batch) {
    const batch = inner.batch.bind(inner);
    logged.batch = async (commands: string[][], options?: BatchOptions) => {
      const results = await timed(`batch of ${commands.length} command(s) in one round trip`, () => batch(commands, options), (rs, ms) => `${rs.length} answered in ${ms} ms`);
      commands.forEach((argv, i) => write(`  ${command(argv)} -> ${results[i] ? outcome(results[i]) : 'no answer'}`));
      return results;
    };
  }
  if (inner.writeFile) {
    const writeFile = inner.writeFile.bind(inner);
    logged.writeFile = (path: string, content: string, mode?: number) =>
      timed(`write file ${path} (${Buffer.byteLength(content)} bytes)`, () => writeFile(path, content, mode), (_r, ms) => `done in ${ms} ms`);
  }
  if (inner.readFile) {
    const readFile = inner.readFile.bind(inner);
    logged.readFile = (path: string) => timed(`read file ${path}`, () => readFile(path), (r, ms) => `${r === null ? 'absent' : `${Buffer.byteLength(r)} bytes`} in ${ms} ms`);
  }
  return logged;
}

function firstLine(s: string): string {
  const line = s.trim().split('\n', 1)[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
