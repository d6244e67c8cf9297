// Running the built command line against a simulated host behind a test sshd: apply in the
// background, for tests that cut it short.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot, type CliRun } from '../e2e/cli.js';
import type { Sshd } from '../support/sshd.js';
import { SSH_ENV } from '../support/ssh-config.js';
import { simCommands } from './sshd-sessions.js';

export interface Background {
  done: Promise<CliRun>;
  signal(sig: NodeJS.Signals): void;
  output(): string; // what it printed so far
}

export function xenformInBackground(dir: string, args: string[], env: Record<string, string> = {}): Background {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'xenform.js'), '--chdir', dir, '--no-color', ...args], {
    env: { ...process.env, NO_COLOR: '1', ...SSH_ENV, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<CliRun>((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
  return { done, signal: (sig) => child.kill(sig), output: () => stdout + stderr };
}

// Whether a simulated `xe <command>` runs for the host whose state is at `statePath`.
export const xeRunning = (statePath: string, command: string): boolean => simCommands(statePath).some((args) => args.includes(`bin/xe ${command}`));

// Waits (polling the process table, never for a fixed time) until `ready` holds.
export async function until(ready: () => boolean, what: string, limitMs = 120_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
