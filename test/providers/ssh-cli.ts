// Running the built command line against a simulated host behind a test sshd: the host block
// that reaches it, and apply in the background for tests that cut it short.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, type CliRun } from '../e2e/cli.js';
import type { Sshd } from '../support/sshd.js';
import { simCommands } from './sshd-sessions.js';

// No agent, no ~/.ssh: only the host block's identity and known_hosts reach the sshd.
export const ENV = { SSH_AUTH_SOCK: '', HOME: '/nonexistent-xenform-home' };

// The configuration's `simulator = true` host, turned into the SSH host of `sshd`.
export function overSsh(dir: string, sshd: Sshd, extra = ''): void {
  const file = path.join(dir, 'main.xf.hcl');
  const text = readFileSync(file, 'utf8');
  const block = [
    `  address       = "${sshd.host}"`,
    `  port          = ${sshd.port}`,
    `  user          = "${sshd.user}"`,
    `  identity_file = "${sshd.identityFile}"`,
    `  known_hosts   = "${sshd.knownHostsFile}"`,
    extra,
  ].join('\n');
  const replaced = text.replace(/  simulator = true\n/, `${block}\n`);
  if (replaced === text) throw new Error('the configuration no longer has `simulator = true`');
  writeFileSync(file, replaced);
}

export interface Background {
  done: Promise<CliRun>;
  signal(sig: NodeJS.Signals): void;
  output(): string; // what it printed so far
}

export function xenformInBackground(dir: string, args: string[], env: Record<string, string> = {}): Background {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'xenform.js'), '--chdir', dir, '--no-color', ...args], {
    env: { ...process.env, NO_COLOR: '1', ...ENV, ...env },
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
