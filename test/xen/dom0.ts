// Reaching the real Xen host booted by test/xen-host/boot.sh (through `npm run test:xen`):
// shell commands in dom0 over OpenSSH, the guests' console logs, xl domain states.
import { execFile } from 'node:child_process';

export interface XenHost {
  run: string; // the boot run folder
  port: number;
  identityFile: string;
  knownHostsFile: string;
  sshConfig: string;
}

export function xenHost(): XenHost {
  const env = process.env;
  const missing = ['XF_XEN_RUN', 'XF_XEN_PORT', 'XF_XEN_IDENTITY', 'XF_XEN_KNOWN_HOSTS', 'XF_XEN_SSH_CONFIG'].filter(
    (k) => !env[k],
  );
  if (missing.length > 0) {
    throw new Error(`no real Xen host: ${missing.join(', ')} unset. Run these tests with \`npm run test:xen\`.`);
  }
  return {
    run: env.XF_XEN_RUN!,
    port: Number(env.XF_XEN_PORT),
    identityFile: env.XF_XEN_IDENTITY!,
    knownHostsFile: env.XF_XEN_KNOWN_HOSTS!,
    sshConfig: env.XF_XEN_SSH_CONFIG!,
  };
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

// Runs a program and resolves with its outputs and exit code (124 after the timeout).
export function runProgram(
  file: string,
  args: string[],
  opts: { timeoutMs: number; cwd?: string; env?: NodeJS.ProcessEnv },
): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { timeout: opts.timeoutMs, killSignal: 'SIGKILL', cwd: opts.cwd, env: opts.env, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
        const code = !e ? 0 : e.killed ? 124 : typeof e.code === 'number' ? e.code : 1;
        resolve({ stdout: String(stdout), stderr: String(stderr), code });
      },
    );
  });
}

// A shell line run by dom0's shell (root). Tests build lines from constants only.
// An ssh exit of 255 (connection trouble under emulation) is retried once.
export async function dom0(line: string, timeoutMs = 120_000): Promise<RunResult> {
  const host = xenHost();
  const attempt = () => runProgram('ssh', ['-F', host.sshConfig, 'xen', line], { timeoutMs });
  const first = await attempt();
  if (first.code !== 255) return first;
  await sleep(2000);
  return attempt();
}

// Like dom0() but fails with the command's outputs when it exits non-zero.
export async function dom0Ok(line: string, timeoutMs = 120_000): Promise<string> {
  const r = await dom0(line, timeoutMs);
  if (r.code !== 0) throw new Error(`dom0: \`${line}\` exited ${r.code}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`.
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 90_000,
  intervalMs = 1500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

// The console log xenconsoled keeps for a guest (every boot of that name, appended).
export async function consoleLog(name: string): Promise<string> {
  const r = await dom0(`cat /var/log/xen/console/guest-${name}.log 2>/dev/null || true`);
  return r.stdout;
}

// The kernel command lines the guest printed, one per boot, oldest first.
export function cmdlines(log: string): string[] {
  return [...log.matchAll(/^XF-CMDLINE: (.*?)\r?$/gm)].map((m) => m[1]);
}

// Waits until the guest has printed its command line `boots` times in total, and returns the last.
export async function waitForBoot(name: string, boots: number, timeoutMs = 120_000): Promise<string> {
  return waitFor(`boot #${boots} of ${name} on its console`, async () => {
    const lines = cmdlines(await consoleLog(name));
    return lines.length >= boots ? lines[lines.length - 1] : undefined;
  }, timeoutMs);
}

export async function bootCount(name: string): Promise<number> {
  return cmdlines(await consoleLog(name)).length;
}

// The xl state of a domain: 'running' | 'blocked' | 'paused' | 'shutdown' | 'crashed' | 'dying',
// or null when no domain has that name.
export type DomainState = 'running' | 'blocked' | 'paused' | 'shutdown' | 'crashed' | 'dying';
export function parseXlState(flags: string): DomainState {
  if (flags[4] === 'c') return 'crashed';
  if (flags[2] === 'p') return 'paused';
  if (flags[3] === 's') return 'shutdown';
  if (flags[5] === 'd') return 'dying';
  if (flags[0] === 'r') return 'running';
  return 'blocked';
}

export async function domainState(name: string): Promise<DomainState | null> {
  const r = await dom0(`xl list ${name}`);
  if (r.code !== 0) return null;
  const row = r.stdout.split('\n').find((l) => l.startsWith(`${name} `));
  if (!row) return null;
  const flags = row.trim().split(/\s+/)[4];
  return parseXlState(flags);
}

// Removes every guest domain and the files the tests leave in dom0.
export async function resetDom0(): Promise<void> {
  await dom0Ok(
    'for d in $(xl list | awk \'NR>2 {print $1}\'); do timeout 60 xl destroy "$d" || true; done; ' +
      'rm -rf /etc/xen/xenform/* /var/lib/xen/save/* /var/log/xen/console/guest-*.log',
  );
}
