// A run that names a command loads that command alone (cli/main.ts commandsFor); the others
// are loaded when a run asks for help or names no command of the list. Each name in the list
// must be the command its module registers, or a run naming it would find no such command.
import t from 'tap';
import { Command } from 'commander';
import { commandsFor } from '../../cli/main.js';
import { CliContext } from '../../cli/context.js';

const io = { stdout: () => undefined, stderr: () => undefined, stdinIsTTY: false, stdoutIsTTY: false, env: {}, cwd: process.cwd() };

async function registered(argv: string[]): Promise<string[]> {
  const program = new Command('xenform');
  for (const load of commandsFor(argv)) (await load())(program, new CliContext(io));
  return program.commands.filter((c) => !(c as unknown as { _hidden: boolean })._hidden).map((c) => c.name());
}

const EVERY = ['init', 'plan', 'apply', 'destroy', 'show', 'graph', 'state', 'import', 'query', 'output', 'lock', 'force-unlock', 'validate', 'fmt'];

t.test('a run that names a command registers that command alone', async (t) => {
  for (const name of EVERY) t.same(await registered([name, '--some-flag']), [name], name);
});

t.test('global options before the command are skipped, with the value of --chdir', async (t) => {
  const cases: [string, string[], string[]][] = [
    ['--chdir and its value', ['--chdir', 'apply', 'plan'], ['plan']],
    ['a single-dash -chdir', ['-chdir', 'apply', 'plan', '-out=x'], ['plan']],
    ['--chdir=DIR in one word', ['--chdir=apply', '--verbose', 'validate'], ['validate']],
  ];
  for (const [what, argv, want] of cases) t.same(await registered(argv), want, what);
});

t.test('every command is registered when the run asks for help or names none of the list', async (t) => {
  const cases: [string, string[]][] = [
    ['no arguments', []],
    ['--help', ['--help']],
    ['help for one command', ['help', 'plan']],
    ['-h after a command', ['plan', '-h']],
    ['a misspelt command (commander suggests the near one)', ['pla']],
    ['a Terraform command xenform answers with what to use instead', ['refresh']],
    ['options ended before the command', ['--', 'plan']],
  ];
  for (const [what, argv] of cases) t.same(await registered(argv), EVERY, what);
});
