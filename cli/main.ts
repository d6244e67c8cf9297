// The xenform command line: global options and the list of commands.
import { createInterface } from 'node:readline/promises';
import { Command, CommanderError } from 'commander';
import { CliContext, type CliIO, type RegisterCommand } from './context.js';
import { XENFORM_VERSION } from '../engine/version.js';
import { register as applyCommand } from './commands/apply.js';
import { register as destroyCommand } from './commands/destroy.js';
import { register as forceUnlockCommand } from './commands/force-unlock.js';
import { register as graphCommand } from './commands/graph.js';
import { register as initCommand } from './commands/init.js';
import { register as lockCommand } from './commands/lock.js';
import { register as importCommand } from './commands/import.js';
import { register as queryCommand } from './commands/query.js';
import { register as outputCommand } from './commands/output.js';
import { register as planCommand } from './commands/plan.js';
import { register as showCommand } from './commands/show.js';
import { register as stateCommand } from './commands/state.js';
import { register as validateCommand } from './commands/validate.js';
import { register as fmtCommand } from './commands/fmt.js';
import { register as terraformOnlyCommands } from './commands/terraform-only.js';
import { argumentError, normaliseArgv } from './arguments.js';
import { installSignalHandlers } from './signals.js';

// In the order `xenform --help` lists them.
const commands: RegisterCommand[] = [
  initCommand,
  planCommand,
  applyCommand,
  destroyCommand,
  showCommand,
  graphCommand,
  stateCommand,
  importCommand,
  queryCommand,
  outputCommand,
  lockCommand,
  forceUnlockCommand,
  validateCommand,
  fmtCommand,
  terraformOnlyCommands,
];

export async function main(argv: string[], io: CliIO): Promise<number> {
  const ctx = new CliContext(io);
  const program = new Command('xenform')
    .description('Declarative, disruption-aware provisioning of Xen virtual machines')
    .version(XENFORM_VERSION)
    .option('--chdir <dir>', 'use the configuration in DIR')
    .option('--no-color', 'do not colour the output (also NO_COLOR)')
    .option('--verbose', 'log every command sent to a host, with its timing and exit status, to stderr (as XENFORM_LOG=debug)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: (text, write) => write(argumentError(text)) });
  for (const register of commands) register(program, ctx);
  pointToHelp(program, 'xenform');
  try {
    await program.parseAsync(normaliseArgv(argv, program), { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 1;
    io.stderr(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
    if (io.env.XENFORM_DEBUG && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`);
    return 1;
  }
  return ctx.exitCode;
}

// After an argument error, one line that says where the usage is, instead of the whole help.
function pointToHelp(cmd: Command, path: string): void {
  cmd.showHelpAfterError(`Run "${path} --help" for usage.`);
  for (const sub of cmd.commands) pointToHelp(sub, `${path} ${sub.name()}`);
}

// Ctrl-C at the prompt reaches readline, not the process: it is passed on as the signal it is.
async function askOnTerminal(prompt: string): Promise<string | null> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  rl.on('SIGINT', () => {
    rl.close();
    process.emit('SIGINT', 'SIGINT'); // the run's handler ends it (signals.ts), before the closed prompt is read as an answer
  });
  try {
    return await rl.question(prompt);
  } finally {
    rl.close();
  }
}

export async function run(): Promise<void> {
  installSignalHandlers();
  const code = await main(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    stdinIsTTY: Boolean(process.stdin.isTTY),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    env: process.env,
    cwd: process.cwd(),
    readLine: process.stdin.isTTY ? askOnTerminal : undefined,
  });
  process.exitCode = code;
}
