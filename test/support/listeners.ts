// What listens on TCP and which processes hold it, read from /proc (Linux): for the tests that
// check a throwaway server listens on 127.0.0.1 only and leaves nothing running.
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface Listener {
  address: string; // hex, as /proc/net/tcp{,6} writes it
  port: number;
  inode: string;
}

const LISTEN = '0A';

export function listeners(): Listener[] {
  const out: Listener[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== LISTEN) continue;
      const [address, port] = f[1].split(':');
      out.push({ address, port: parseInt(port, 16), inode: f[9] });
    }
  }
  return out;
}

// The processes holding any of these socket inodes.
export function owners(inodes: Set<string>): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${p}/fd`);
    } catch {
      continue; // gone, or not ours to read
    }
    for (const fd of fds) {
      let link = '';
      try {
        link = readlinkSync(`/proc/${p}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m && inodes.has(m[1])) {
        pids.push(Number(p));
        break;
      }
    }
  }
  return pids;
}

// Those processes and every process they started (PostgreSQL's backends and workers).
export function withChildren(pids: number[]): number[] {
  const all = new Set(pids);
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const ppid = Number(readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]);
      if (all.has(ppid)) all.add(Number(p));
    } catch {
      // gone
    }
  }
  return [...all];
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const LOOPBACK = new Set(['0100007F', '0000000000000000FFFF00000100007F']); // 127.0.0.1, as IPv4 and IPv4-mapped IPv6
