// Runs the built xenform command line the way a user does.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = path.join(repoRoot, 'bin', 'xenform.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

const argv = (dir: string, args: string[]): string[] => [bin, '--chdir', dir, '--no-color', ...args];
const envWith = (env: Record<string, string>): NodeJS.ProcessEnv => ({ ...process.env, NO_COLOR: '1', ...env });

export function xenform(dir: string, args: string[], env: Record<string, string> = {}): CliRun {
  const r = spawnSync(process.execPath, argv(dir, args), {
    encoding: 'utf8',
    env: envWith(env),
    // a safety net for a hung run, not a measure: xenform handles SIGTERM itself, so only
    // SIGKILL stops one stuck in a loop
    timeout: 600_000,
    killSignal: 'SIGKILL',
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export interface Background {
  done: Promise<CliRun>;
  signal(sig: NodeJS.Signals): void;
  output(): string; // what it printed so far
}

// The same, without waiting: the command runs while the test watches the host, and may cut it short.
export function xenformInBackground(dir: string, args: string[], env: Record<string, string> = {}): Background {
  const child = spawn(process.execPath, argv(dir, args), { env: envWith(env) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<CliRun>((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
  return { done, signal: (sig) => child.kill(sig), output: () => stdout + stderr };
}

// A private copy of an example (its configuration only, not a local run's state), removed when the test ends.
export function exampleCopy(name: string, teardown: (fn: () => void) => void): string {
  const dir = mkdtempSync(path.join(tmpdir(), `xenform-${name}-`));
  cpSync(path.join(repoRoot, 'examples', name), dir, {
    recursive: true,
    filter: (src) => !/(^|[\\/])(\.xenform|xenform\.state\.json[^\\/]*|xenform\.lock\.json)$/.test(src),
  });
  teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// Replaces one piece of a working directory's main.xf.hcl, as a user editing it would.
export function editConfig(dir: string, from: string, to: string): void {
  const file = path.join(dir, 'main.xf.hcl');
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`main.xf.hcl does not contain ${from}`);
  writeFileSync(file, text.replace(from, to));
}
