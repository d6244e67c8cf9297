// Terraform's commands that xenform does without, each answered with one line that says what
// to use instead (hidden from the help, which lists only what xenform has).
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

interface Answer {
  name: string;
  exitCode: number;
  line: (args: string[]) => string;
}

const ANSWERS: Answer[] = [
  { name: 'refresh', exitCode: 1, line: () => 'xenform has no refresh command: use `xenform apply --refresh-only` (or `xenform plan --refresh-only` to see the drift).' },
  { name: 'taint', exitCode: 1, line: ([addr]) => `xenform has no taint command: use \`xenform apply --replace ${addr ?? 'ADDR'}\` to replace a VM in the next run.` },
  { name: 'untaint', exitCode: 1, line: () => 'xenform has no untaint command: it never marks a VM for replacement; a VM is replaced only by a plan made with --replace.' },
  { name: 'workspace', exitCode: 1, line: () => 'xenform has no workspaces: keep one directory per environment and choose it with --chdir DIR.' },
  { name: 'providers', exitCode: 1, line: () => 'xenform has no providers command: the xapi and xl toolstacks are built in; `xenform validate` checks the host blocks.' },
  { name: 'login', exitCode: 1, line: () => 'xenform has no login command: it reaches hosts over SSH with your keys (ssh-agent, identity_file or ~/.ssh/id_*).' },
];

export function register(program: Command, ctx: CliContext): void {
  for (const answer of ANSWERS) {
    program
      .command(answer.name, { hidden: true })
      .argument('[args...]')
      .allowUnknownOption()
      .helpOption(false)
      .action((args: string[]) => {
        const line = `${answer.line(args)}\n`;
        if (answer.exitCode === 0) ctx.io.stdout(line);
        else ctx.io.stderr(`Error: ${line}`);
        ctx.exit(answer.exitCode);
      });
  }
}
