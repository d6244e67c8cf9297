// Reaching into a test sshd started by test/support/sshd.ts: its directory and the
// processes serving its sessions (to cut a connection the way a network would).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
