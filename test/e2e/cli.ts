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

export function xenform(dir: string, args: string[], env: Record<string, string> = {}): CliRun {
  const r = spawnSync(process.execPath, [bin, '--chdir', dir, '--no-color', ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
    // a safety net for a hung run, not a measure: xenform handles SIGTERM itself, so only
    // SIGKILL stops one stuck in a loop
    timeout: 600_000,
    killSignal: 'SIGKILL',
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

// The same, without waiting: the command runs while the test watches the host.
export function xenformAsync(dir: string, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, '--chdir', dir, '--no-color', ...args], { env: { ...process.env, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
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
