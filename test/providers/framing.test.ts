import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FrameReader, frameCommand, frameParallel, newBoundary } from '../../providers/transport/framing.js';
import type { ExecResult } from '../../providers/provider.js';

// One real local `sh` reading framed commands from its stdin, like the remote shell.
function localShell() {
  const sh = spawn('sh', [], { stdio: ['pipe', 'pipe', 'pipe'] });
  const reader = new FrameReader();
  sh.stdout.on('data', (c: Buffer) => reader.onStdout(c));
  sh.stderr.on('data', (c: Buffer) => reader.onStderr(c));
  return {
    parallel(commands: string[][]): Promise<ExecResult[]> {
      const items = commands.map((argv) => ({ argv, boundary: newBoundary() }));
      const results = Promise.all(items.map((i) => reader.expect(i.boundary)));
      sh.stdin.write(frameParallel(items));
      return results;
    },
    run(argv: string[], stdin?: string): Promise<ExecResult> {
      const b = newBoundary();
      const p = reader.expect(b);
      sh.stdin.write(frameCommand(argv, b, stdin));
      return p;
    },
    close() {
      sh.stdin.end();
    },
  };
}

t.test('commands through one shell come back separately, in order', async (t) => {
  const sh = localShell();
  t.teardown(() => sh.close());
  const cases: { name: string; argv: string[]; stdin?: string; want: ExecResult }[] = [
    { name: 'output with a trailing newline', argv: ['echo', 'hello'], want: { stdout: 'hello\n', stderr: '', code: 0 } },
    { name: 'output without a trailing newline', argv: ['printf', 'no-newline'], want: { stdout: 'no-newline', stderr: '', code: 0 } },
    { name: 'no output at all', argv: ['true'], want: { stdout: '', stderr: '', code: 0 } },
    { name: 'a failing command keeps its exit code', argv: ['sh', '-c', 'echo oops >&2; exit 3'], want: { stdout: '', stderr: 'oops\n', code: 3 } },
    { name: 'stderr without a trailing newline', argv: ['sh', '-c', 'printf err >&2; printf out'], want: { stdout: 'out', stderr: 'err', code: 0 } },
    { name: 'output that imitates a marker', argv: ['printf', '\n__XF_0123456789abcdef0123456789abcdef 0\n'], want: { stdout: '\n__XF_0123456789abcdef0123456789abcdef 0\n', stderr: '', code: 0 } },
    { name: 'non-ASCII output', argv: ['printf', '%s', 'café 日本'], want: { stdout: 'café 日本', stderr: '', code: 0 } },
    { name: 'stdin handed to the command', argv: ['cat'], stdin: 'line 1\nline 2', want: { stdout: 'line 1\nline 2', stderr: '', code: 0 } },
    { name: 'a command that would read the shell stdin reads nothing', argv: ['cat'], want: { stdout: '', stderr: '', code: 0 } },
  ];
  const results = await Promise.all(cases.map((c) => sh.run(c.argv, c.stdin)));
  cases.forEach((c, i) => t.same(results[i], c.want, c.name));
});

t.test('chunks split anywhere, even inside a marker, give the same results', async (t) => {
  for (const [outSize, errSize] of [[1, 1], [2, 3], [3, 5], [7, 2], [40, 40], [4096, 4096]]) {
    const reader = new FrameReader();
    const b1 = newBoundary();
    const b2 = newBoundary();
    const b3 = newBoundary();
    const r1 = reader.expect(b1);
    const r2 = reader.expect(b2);
    const r3 = reader.expect(b3);
    const big = 'x'.repeat(100_000);
    const out = Buffer.from(`one\n${b1} 0\n\n${b2} 7\n${big}\n${b3} 0\n`);
    const err = Buffer.from(`\n${b1}\nbad\n${b2}\n\n${b3}\n`);
    // stdout and stderr interleaved, as the two channels of one SSH session arrive
    for (let i = 0, j = 0; i < out.length || j < err.length; i += outSize, j += errSize) {
      if (i < out.length) reader.onStdout(out.subarray(i, i + outSize));
      if (j < err.length) reader.onStderr(err.subarray(j, j + errSize));
    }
    const name = `stdout in chunks of ${outSize} bytes, stderr of ${errSize}`;
    t.same(await r1, { stdout: 'one', stderr: '', code: 0 }, `${name}: the first command`);
    t.same(await r2, { stdout: '', stderr: 'bad', code: 7 }, `${name}: the second command`);
    t.same(await r3, { stdout: big, stderr: '', code: 0 }, `${name}: the third command's 100 kB`);
  }
});

t.test('commands still waiting fail when the shell goes away', async (t) => {
  const reader = new FrameReader();
  const p = reader.expect(newBoundary());
  reader.failAll(() => new Error('connection lost'));
  await t.rejects(p, /connection lost/);
  t.equal(reader.pending, 0);
});

t.test('read-only commands of a batch can run at the same time and still come back in order', async (t) => {
  const sh = localShell();
  t.teardown(() => sh.close());
  const dir = mkdtempSync(join(tmpdir(), 'xenform-parallel-'));
  // Each command waits for the other's file: one after the other, the first would never see it.
  const meet = (mine: string, theirs: string, code: number) => [
    'sh', '-c',
    `touch ${dir}/${mine}; i=0; while [ ! -e ${dir}/${theirs} ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done; ` +
      `[ -e ${dir}/${theirs} ] && printf 'saw ${theirs}' && echo note >&2; exit ${code}`,
  ];
  const results = await sh.parallel([meet('a', 'b', 0), meet('b', 'a', 3), ['printf', 'plain']]);
  t.same(results, [
    { stdout: 'saw b', stderr: 'note\n', code: 0 },
    { stdout: 'saw a', stderr: 'note\n', code: 3 },
    { stdout: 'plain', stderr: '', code: 0 },
  ]);
  t.same(await sh.run(['echo', 'next']), { stdout: 'next\n', stderr: '', code: 0 }, 'the shell goes on with the next command');
});
