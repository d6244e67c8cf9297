// What every command gets: where to write, whether to colour, and where the configuration lives.
import path from 'node:path';
import type { Command } from 'commander';

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  env: Record<string, string | undefined>;
  cwd: string;
  readLine?: (prompt: string) => Promise<string | null>; // null when there is no terminal to ask
}

export interface GlobalOptions {
  chdir?: string;
  color: boolean;
  verbose?: boolean;
}

export class CliContext {
  exitCode = 0;
  constructor(readonly io: CliIO) {}

  globals(cmd: Command): GlobalOptions {
    return cmd.optsWithGlobals<GlobalOptions>();
  }

  dir(cmd: Command): string {
    const chdir = this.globals(cmd).chdir;
    return chdir ? path.resolve(this.io.cwd, chdir) : this.io.cwd;
  }

  color(cmd: Command): boolean {
    return this.globals(cmd).color !== false && !this.io.env.NO_COLOR && this.io.stdoutIsTTY;
  }

  // The environment commands run with: --verbose asks for the command log as XENFORM_LOG=debug does.
  env(cmd: Command): Record<string, string | undefined> {
    return this.globals(cmd).verbose ? { ...this.io.env, XENFORM_LOG: 'debug' } : this.io.env;
  }

  // An error the user can act on: one line on stderr, and exit code 1.
  fail(message: string): void {
    this.io.stderr(`Error: ${message}\n`);
    this.exit(1);
  }

  // Records the exit code; the highest one wins so that an error is never hidden by a later success.
  exit(code: number): void {
    this.exitCode = Math.max(this.exitCode, code);
  }
}

export type RegisterCommand = (program: Command, ctx: CliContext) => void;
