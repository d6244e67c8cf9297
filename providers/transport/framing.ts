// Framing for many commands through one remote `sh`: each command is wrapped so
// that, after it ends, the shell prints a per-command random boundary with the
// exit code on stdout and the boundary alone on stderr. The reader splits both
// streams at those boundaries, so output without a trailing newline, or output
// that imitates a marker, can never leak into the next command's result.
import { randomBytes } from 'node:crypto';
import type { ExecResult } from '../provider.js';
import { commandLine, quote } from './quote.js';

export function newBoundary(): string {
  return `__XF_${randomBytes(16).toString('hex')}`;
}

// Shell text for one command. The command never reads the shell's own stdin
// (that is where the next commands come from): it gets /dev/null or its input.
export function frameCommand(argv: readonly string[], boundary: string, stdin?: string): string {
  const input = stdin === undefined ? '</dev/null' : '';
  const feed = stdin === undefined ? '' : `printf '%s' ${quote(stdin)} | `;
  return (
    `${feed}{ ${commandLine(argv)} ; } ${input}; ` +
    `printf '\\n%s %d\\n' ${boundary} $?; printf '\\n%s\\n' ${boundary} >&2\n`
  );
}

// Shell text running several read-only commands at once: each writes to files in
// a temporary directory, and after all have ended their outputs are printed framed,
// in order, exactly as frameCommand would have.
export function frameParallel(items: { argv: readonly string[]; boundary: string }[]): string {
  const runs = items.map((item, i) => `{ ${commandLine(item.argv)} ; echo $? >"$__xf/${i}.c"; } </dev/null >"$__xf/${i}.o" 2>"$__xf/${i}.e" &`);
  const prints = items.map(
    (item, i) =>
      `cat "$__xf/${i}.o"; printf '\n%s %d\n' ${item.boundary} "$(cat "$__xf/${i}.c")"; ` +
      `cat "$__xf/${i}.e" >&2; printf '\n%s\n' ${item.boundary} >&2`,
  );
  return `__xf=$(mktemp -d) && { ${runs.join(' ')} wait; ${prints.join('; ')}; rm -rf "$__xf"; }
`;
}

const NL = Buffer.from('\n');
const SP = Buffer.from(' ');

interface Pending {
  stdoutMarker: Buffer; // "\n<boundary> ", then the exit code and a newline
  stderrMarker: Buffer; // "\n<boundary>\n"
  stdout: Buffer | null;
  code: number;
  stderr: Buffer | null;
  resolve: (r: ExecResult) => void;
  reject: (e: Error) => void;
}

// One stream's bytes not yet handed to a command. Appending copies each byte a bounded number
// of times (the buffer doubles when full), and a search resumes where the last one for the same
// marker stopped, so a command printing megabytes in small chunks costs linear time (joining
// and searching everything received at every chunk was quadratic: a refresh of 5,000 VMs on a
// host spent most of its time there). Bytes once written are never overwritten, so what `take`
// returns stays valid while later chunks arrive.
class Unread {
  private buf = Buffer.alloc(0);
  private start = 0;
  private end = 0;
  private scanned = 0; // bytes from `start` already searched for the current marker

  push(chunk: Buffer): void {
    if (this.end + chunk.length > this.buf.length) {
      const size = this.end - this.start;
      const grown = Buffer.allocUnsafe(Math.max(2 * size, size + chunk.length));
      this.buf.copy(grown, 0, this.start, this.end);
      this.buf = grown;
      this.start = 0;
      this.end = size;
    }
    chunk.copy(this.buf, this.end);
    this.end += chunk.length;
  }

  // Where `marker` starts, relative to the unread bytes, or -1.
  find(marker: Buffer): number {
    const from = this.start + Math.max(0, this.scanned - marker.length + 1);
    const at = this.buf.subarray(0, this.end).indexOf(marker, from);
    this.scanned = at < 0 ? this.end - this.start : at - this.start;
    return at < 0 ? -1 : at - this.start;
  }

  // Where `byte` first occurs from `from` on, relative to the unread bytes, or -1.
  indexOf(byte: number, from: number): number {
    const at = this.buf.subarray(0, this.end).indexOf(byte, this.start + from);
    return at < 0 ? -1 : at - this.start;
  }

  slice(from: number, to: number): Buffer {
    return this.buf.subarray(this.start + from, this.start + to);
  }

  // The first `n` bytes, no longer unread; the next search starts afresh after them.
  take(n: number): Buffer {
    const taken = this.buf.subarray(this.start, this.start + n);
    this.start += n;
    this.scanned = 0;
    if (this.start === this.end) {
      this.buf = Buffer.alloc(0);
      this.start = this.end = 0;
    }
    return taken;
  }
}

// Reads the stdout and stderr of a framed shell and hands each command its result, in order.
export class FrameReader {
  private readonly out = new Unread();
  private readonly err = new Unread();
  private queue: Pending[] = [];

  expect(boundary: string): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      const b = Buffer.from(boundary);
      this.queue.push({ stdoutMarker: Buffer.concat([NL, b, SP]), stderrMarker: Buffer.concat([NL, b, NL]), stdout: null, code: -1, stderr: null, resolve, reject });
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  // The shell is gone: every command still waiting fails with the error made for it.
  failAll(error: (index: number) => Error): void {
    const queue = this.queue;
    this.queue = [];
    queue.forEach((p, i) => p.reject(error(i)));
  }

  onStdout(chunk: Buffer): void {
    this.out.push(chunk);
    this.drain();
  }

  onStderr(chunk: Buffer): void {
    this.err.push(chunk);
    this.drain();
  }

  private drain(): void {
    for (;;) {
      const head = this.queue[0];
      if (!head) return;
      if (head.stdout === null) {
        const at = this.out.find(head.stdoutMarker);
        if (at >= 0) {
          const eol = this.out.indexOf(0x0a, at + head.stdoutMarker.length);
          if (eol >= 0) {
            head.code = Number(this.out.slice(at + head.stdoutMarker.length, eol).toString('latin1'));
            head.stdout = this.out.take(eol + 1).subarray(0, at);
          }
        }
      }
      if (head.stderr === null) {
        const at = this.err.find(head.stderrMarker);
        if (at >= 0) head.stderr = this.err.take(at + head.stderrMarker.length).subarray(0, at);
      }
      if (head.stdout === null || head.stderr === null) return;
      this.queue.shift();
      head.resolve({ stdout: head.stdout.toString('utf8'), stderr: head.stderr.toString('utf8'), code: head.code });
    }
  }
}
