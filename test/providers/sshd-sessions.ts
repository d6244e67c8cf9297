// Reaching into a test sshd started by test/support/sshd.ts: its directory and the
// processes serving its sessions (to cut a connection the way a network would).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Sshd } from '../support/sshd.js';

export const sshdDir = (sshd: Sshd): string => dirname(sshd.identityFile);

export function sessionPids(sshd: Sshd): number[] {
  const pid = readFileSync(join(sshdDir(sshd), 'sshd.pid'), 'utf8').trim();
  try {
    return execFileSync('pgrep', ['-P', pid], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export function killSessions(sshd: Sshd): number {
  const pids = sessionPids(sshd);
  for (const pid of pids) process.kill(pid, 'SIGKILL');
  return pids.length;
}

// The simulated commands running for one simulated host (XENSIM_STATE), whatever their parent:
// a command outlives the session that started it when a connection is cut.
export function simProcesses(statePath: string): { pid: number; args: string }[] {
  const out: { pid: number; args: string }[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!args.some((a) => a.endsWith('/bin/xe') || a.endsWith('/bin/xl'))) continue;
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`XENSIM_STATE=${statePath}`)) out.push({ pid: Number(pid), args: args.join(' ') });
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

export function simCommands(statePath: string): string[] {
  return simProcesses(statePath).map((p) => p.args);
}
