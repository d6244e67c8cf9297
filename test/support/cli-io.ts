// Runs the command line in-process with captured output.
import { main } from '../../cli/main.js';

export async function xenform(argv: string[], opts: { cwd?: string; answers?: string[]; tty?: boolean; env?: NodeJS.ProcessEnv } = {}) {
  let stdout = '';
  let stderr = '';
  const answers = [...(opts.answers ?? [])];
  const code = await main(argv, {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    stdinIsTTY: opts.tty ?? false,
    stdoutIsTTY: opts.tty ?? false,
    env: opts.env ?? { ...process.env, NO_COLOR: '1' },
    cwd: opts.cwd ?? process.cwd(),
    readLine: async () => answers.shift() ?? null,
  });
  return { code, stdout, stderr };
}
