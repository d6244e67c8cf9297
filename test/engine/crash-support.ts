// Shared by the crash and concurrency tests: a configuration directory whose one host is the
// simulated dom0 behind a real OpenSSH server, the built CLI, and a look at the host.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostConfig } from '../../planner/config/types.js';
import type { HostInventory } from '../../planner/model/vm.js';
import { openProvider } from '../../providers/factory.js';
import type { Sshd } from '../support/sshd.js';
import { seededRandom } from '../support/random.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(ROOT, 'bin/xenform.js');
export const BUILT = fs.existsSync(path.join(ROOT, 'dist/cli/main.js'));

export function sshdAvailable(): boolean {
  return ['/usr/sbin/sshd', '/usr/local/sbin/sshd', '/sbin/sshd'].some((p) => fs.existsSync(p));
}

export function hostBlock(sshd: Sshd, maxParallel = 4): string {
  return (
    `host "lab" {\n  address       = "127.0.0.1"\n  port          = ${sshd.port}\n  user          = ${JSON.stringify(sshd.user)}\n` +
    `  identity_file = ${JSON.stringify(sshd.identityFile)}\n  known_hosts   = ${JSON.stringify(sshd.knownHostsFile)}\n` +
    `  toolstack     = "xapi"\n  max_parallel  = ${maxParallel}\n}\n`
  );
}

export const WEB_BLOCK = `
variable "n" {
  type    = number
  default = 2
}
variable "power" {
  default = "running"
}
variable "mem" {
  default = "256MiB"
}

vm "web" {
  count       = var.n
  host        = host.lab
  name        = "web-\${count.index}"
  template    = "Debian Bookworm 12"
  power_state = var.power
  memory      = var.mem
  vcpus       = 1
  boot {
    mode       = "pv"
    bootloader = "pygrub"
  }
  shutdown {
    mode     = "clean"
    timeout  = "10s"
    fallback = "hard"
  }
}
`;

export function hostConfig(sshd: Sshd): HostConfig {
  const range = { filename: 'main.xf.hcl', start: { line: 1, column: 1, byte: 0 }, end: { line: 1, column: 1, byte: 0 } };
  return {
    name: 'lab',
    simulator: false,
    toolstack: 'xapi',
    address: '127.0.0.1',
    port: sshd.port,
    user: sshd.user,
    identity_file: sshd.identityFile,
    known_hosts: sshd.knownHostsFile,
    max_parallel: 4,
    range,
  };
}

export async function inventory(sshd: Sshd, dir: string): Promise<HostInventory> {
  const p = await openProvider(hostConfig(sshd), { workdir: dir, env: process.env });
  try {
    return await p.inventory();
  } finally {
    await p.close();
  }
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function cli(dir: string, args: string[], opts: { killAfterMs?: number; env?: Record<string, string> } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [CLI, '--chdir', dir, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = opts.killAfterMs !== undefined ? setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs) : null;
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

export function cliSync(dir: string, args: string[]): CliRun {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [CLI, '--chdir', dir, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
}

export const random = seededRandom;
