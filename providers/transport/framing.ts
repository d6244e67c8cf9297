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

interface Pending {
  boundary: Buffer;
  stdout: Buffer | null;
  code: number;
  stderr: Buffer | null;
  resolve: (r: ExecResult) => void;
  reject: (e: Error) => void;
}

// Reads the stdout and stderr of a framed shell and hands each command its result, in order.
export class FrameReader {
  private out: Buffer = Buffer.alloc(0);
  private err: Buffer = Buffer.alloc(0);
  private queue: Pending[] = [];

  expect(boundary: string): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ boundary: Buffer.from(boundary), stdout: null, code: -1, stderr: null, resolve, reject });
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
    this.out = this.out.length ? Buffer.concat([this.out, chunk]) : chunk;
    this.drain();
  }

  onStderr(chunk: Buffer): void {
    this.err = this.err.length ? Buffer.concat([this.err, chunk]) : chunk;
    this.drain();
  }

  private drain(): void {
    for (;;) {
      const head = this.queue[0];
      if (!head) return;
      if (head.stdout === null) {
        const marker = Buffer.concat([Buffer.from('\n'), head.boundary, Buffer.from(' ')]);
        const at = this.out.indexOf(marker);
        if (at >= 0) {
          const eol = this.out.indexOf(0x0a, at + marker.length);
          if (eol >= 0) {
            head.stdout = this.out.subarray(0, at);
            head.code = Number(this.out.subarray(at + marker.length, eol).toString('latin1'));
            this.out = this.out.subarray(eol + 1);
          }
        }
      }
      if (head.stderr === null) {
        const marker = Buffer.concat([Buffer.from('\n'), head.boundary, Buffer.from('\n')]);
        const at = this.err.indexOf(marker);
        if (at >= 0) {
          head.stderr = this.err.subarray(0, at);
          this.err = this.err.subarray(at + marker.length);
        }
      }
      if (head.stdout === null || head.stderr === null) return;
      this.queue.shift();
      head.resolve({ stdout: head.stdout.toString('utf8'), stderr: head.stderr.toString('utf8'), code: head.code });
    }
  }
}
