// The xenform command line: global options and the list of commands.
import { createInterface } from 'node:readline/promises';
import { Command, CommanderError } from 'commander';
import { CliContext, type CliIO, type RegisterCommand } from './context.js';
import { XENFORM_VERSION } from '../engine/version.js';
import { argumentError, normaliseArgv } from './arguments.js';
import { installSignalHandlers } from './signals.js';

// In the order `xenform --help` lists them, each with the name it registers (null: several).
// A command's modules are loaded when a run needs them: a run that names one command loads
// that command alone (a plan then loads about 40 modules fewer: the apply engine, the
// progress view, the other commands).
const commands: [name: string | null, load: () => Promise<RegisterCommand>][] = [
  ['init', async () => (await import('./commands/init.js')).register],
  ['plan', async () => (await import('./commands/plan.js')).register],
  ['apply', async () => (await import('./commands/apply.js')).register],
  ['destroy', async () => (await import('./commands/destroy.js')).register],
  ['show', async () => (await import('./commands/show.js')).register],
  ['graph', async () => (await import('./commands/graph.js')).register],
  ['state', async () => (await import('./commands/state.js')).register],
  ['import', async () => (await import('./commands/import.js')).register],
  ['query', async () => (await import('./commands/query.js')).register],
  ['output', async () => (await import('./commands/output.js')).register],
  ['lock', async () => (await import('./commands/lock.js')).register],
  ['force-unlock', async () => (await import('./commands/force-unlock.js')).register],
  ['validate', async () => (await import('./commands/validate.js')).register],
  ['fmt', async () => (await import('./commands/fmt.js')).register],
  [null, async () => (await import('./commands/terraform-only.js')).register],
];

const GLOBAL_WITH_VALUE = /^--?chdir$/;

// The commands a run registers: the one it names, or every one when it names none of the list,
// asks for help, or stops reading options ("--") before its command.
export function commandsFor(argv: readonly string[]): (() => Promise<RegisterCommand>)[] {
  const all = commands.map(([, load]) => load);
  if (argv.some((w) => w === 'help' || w === '--help' || w === '-h')) return all;
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i];
    if (w === '--') return all;
    if (GLOBAL_WITH_VALUE.test(w)) i++;
    else if (!w.startsWith('-')) {
      const named = commands.find(([name]) => name === w);
      return named ? [named[1]] : all;
    }
  }
  return all;
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const ctx = new CliContext(io);
  let program = await buildProgram(io, ctx, commandsFor(argv));
  // A single-dash option ("-out=x") is read as the long option of any command that has it;
  // one the named command lacks is judged with every command loaded, as before.
  if (hasSingleDashLeft(normaliseArgv(argv, program))) program = await buildProgram(io, ctx, commandsFor([]));
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

async function buildProgram(io: CliIO, ctx: CliContext, loaders: (() => Promise<RegisterCommand>)[]): Promise<Command> {
  const program = new Command('xenform')
    .description('Declarative, disruption-aware provisioning of Xen virtual machines')
    .version(XENFORM_VERSION)
    .option('--chdir <dir>', 'use the configuration in DIR')
    .option('--no-color', 'do not colour the output (also NO_COLOR)')
    .option('--verbose', 'log every command sent to a host, with its timing and exit status, to stderr (as XENFORM_LOG=debug)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: (text, write) => write(argumentError(text)) });
  for (const register of await Promise.all(loaders.map((load) => load()))) register(program, ctx);
  pointToHelp(program, 'xenform');
  return program;
}

// Whether a word before "--" still looks like a single-dash long option after normaliseArgv.
function hasSingleDashLeft(argv: readonly string[]): boolean {
  for (const w of argv) {
    if (w === '--') return false;
    if (/^-[a-z][a-z-]+/.test(w)) return true;
  }
  return false;
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
