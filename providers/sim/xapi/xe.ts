// `xe` on the simulated XAPI host: stdout on success (exit 0), errors on stderr (exit 1).
import type { ExecResult } from '../../provider.js';
import { acrossTheWire, parseArgs } from './args.js';
import { COMMANDS } from './commands.js';
import { MultipleFailed } from './select.js';
import { Killed, XeRun, type RunEnv } from './context.js';
import { killCaller } from '../daemon-caller.js';
import { CliError, NoHostsAvailable, UsageError, XapiError, renderError } from './errors.js';

const USAGE = "Usage: xe [-s server] [-p port] ([-u username] [-pw password] or [-pwf <password file>]) <command> [command specific arguments]\n\nTo get help on a specific command: xe help <command>\n";

export async function runXe(argv: string[], env: RunEnv): Promise<ExecResult> {
  try {
    const args = parseArgs(acrossTheWire(argv));
    if (args.command === '' || args.command === 'help') return { stdout: USAGE, stderr: '', code: 0 };
    const cmd = COMMANDS[args.command];
    if (!cmd) throw new UsageError(`Unknown command: ${args.command}`);
    const given = new Set(args.params.map(([k]) => k));
    for (const r of cmd.required ?? []) if (!given.has(r)) throw new UsageError(`Required parameter not found: ${r}`);
    const run = new XeRun(args.command, args.params, env);
    const stdout = await cmd.run(run);
    return { stdout, stderr: '', code: 0 };
  } catch (e) {
    if (e instanceof Killed) {
      if (env.exitOnKill) killCaller();
      return { stdout: '', stderr: '', code: 255 };
    }
    if (e instanceof MultipleFailed) return { stdout: e.stdout, stderr: '', code: 1 };
    if (e instanceof NoHostsAvailable) return { stdout: e.stdout, stderr: renderError(e), code: 1 };
    if (e instanceof XapiError || e instanceof CliError || e instanceof UsageError) return { stdout: '', stderr: renderError(e), code: 1 };
    throw e;
  }
}
