// Faults injected on request, from XENSIM_FAULTS (or SimOptions.faults), a JSON object:
//
//   latency_ms             {"*": 100, "vm-start": 250}  time each command takes, per command
//                          name; "*" for every command. xe names are "vm-start", ...; xl names
//                          are "xl create" (plain "create" also matches). The time passes
//                          outside the state lock, so commands on different VMs overlap.
//   fail                   [{"command": "vm-start", "nth": 2, "code": "VM_BAD_POWER_STATE",
//                          "params": [...]}]: the nth call of the command (counted across
//                          processes, in the state file) fails with that XAPI error. Params
//                          are filled from the VM the command acts on when not given. For xl,
//                          the call fails with exit 1 and "<command> failed (rc=-3)".
//   no_pv_drivers          ["web-0"]: guests without PV drivers. XAPI refuses clean shutdown,
//                          clean reboot, suspend and vCPU hot-plug with VM_LACKS_FEATURE
//                          (check_op_for_feature, §6.2); xl shutdown/reboot print "PV control
//                          interface not available" unless -F is given.
//   crash                  ["db"]: guests that crash once their domain is built (after
//                          crash_after_ms, default 0). XAPI applies actions-after-crash (a crash
//                          within 120 s of the start turns restart into a shutdown, §1.5); xl
//                          applies on_crash (preserve keeps a crashed domain in `xl list`).
//   crash_after_ms         how long a crashing guest runs before it crashes (default 0).
//   ignore_clean_shutdown  ["x"]: guests that ignore clean shutdown and reboot requests. xe
//                          waits clean_shutdown_timeout_ms then fails with VM_SHUTDOWN_TIMEOUT;
//                          `xl shutdown -w` gives up after the same time (real xl would wait on).
//   clean_shutdown_timeout_ms  the simulated domain_shutdown_total_timeout (default 1500 ms,
//                          the real one is 1200 s).
//   kill_during            [{"command": "vm-start", "nth": 1}]: the nth call of the command exits
//                          abruptly (SIGKILL; in-process: exit code 255) after it marked its
//                          operation in current-operations. The next command that finds the
//                          operation of a dead process completes it, as xapi would have done
//                          for a client that went away.
//                          vm-install is killed after it made the VM, before it prints the uuid.
//   sm_features            {"ext": ["VDI_RESIZE_ONLINE"]}: features the SM driver of an SR type
//                          declares besides its stock CAPABILITIES (sm-drivers.ts), as a newer
//                          or third-party driver would.
//   host_memory_mib        the host's RAM (default 262144), checked at start and resume.
//   host_cpus              the host's pCPU count (default 16), checked against VCPUs-max at start and resume.
//   hold                   {"xl migrate": "/tmp/gate"}: each call of the command stops at its hold
//                          point (xl migrate: the domain suspended at the sender, its stream not
//                          yet at the target) until the file /tmp/gate exists. On arrival it
//                          appends a line to /tmp/gate.arrived, so a test can wait until every
//                          call it started is there, then create the gate: calls that overlap
//                          by construction, not by timing.
import { appendFileSync, existsSync } from 'node:fs';
import type { SimState } from './state.js';

export interface FailFault {
  command: string;
  nth: number;
  code: string;
  params?: string[];
}

export interface Faults {
  latencyMs: Record<string, number>;
  fail: FailFault[];
  noPvDrivers: Set<string>;
  crash: Set<string>;
  crashAfterMs: number;
  ignoreCleanShutdown: Set<string>;
  cleanShutdownTimeoutMs: number;
  killDuring: { command: string; nth: number }[];
  hostMemoryMib: number | null;
  hostCpus: number | null;
  smFeatures: Record<string, string[]>;
  hold: Record<string, string>; // command -> gate file
}

export class FaultsError extends Error {}

function names(v: unknown, key: string): Set<string> {
  if (v === undefined) return new Set();
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw new FaultsError(`XENSIM_FAULTS: "${key}" must be an array of VM names`);
  }
  return new Set(v as string[]);
}

function smFeatures(v: unknown): Record<string, string[]> {
  if (v === undefined) return {};
  const ok = typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((f) => Array.isArray(f) && f.every((x) => typeof x === 'string'));
  if (!ok) throw new FaultsError('XENSIM_FAULTS: "sm_features" must be an object of SR types to arrays of feature names');
  return v as Record<string, string[]>;
}

function gates(v: unknown): Record<string, string> {
  if (v === undefined) return {};
  const ok = typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((f) => typeof f === 'string' && f !== '');
  if (!ok) throw new FaultsError('XENSIM_FAULTS: "hold" must be an object of command names to gate file paths');
  return v as Record<string, string>;
}

function num(v: unknown, key: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new FaultsError(`XENSIM_FAULTS: "${key}" must be a non-negative number`);
  }
  return v;
}

// Every command of a host is given the same text: it is parsed once (Faults is never changed).
let lastParsed: { text: string | undefined; faults: Faults } | null = null;

export function parseFaults(text: string | undefined): Faults {
  if (lastParsed !== null && lastParsed.text === text) return lastParsed.faults;
  const faults = parseFaultsText(text);
  lastParsed = { text, faults };
  return faults;
}

function parseFaultsText(text: string | undefined): Faults {
  let raw: Record<string, unknown> = {};
  if (text !== undefined && text.trim() !== '') {
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch (e) {
      throw new FaultsError(`XENSIM_FAULTS is not valid JSON: ${(e as Error).message}`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new FaultsError('XENSIM_FAULTS must be a JSON object');
    }
  }
  const latency: Record<string, number> = {};
  if (raw.latency_ms !== undefined) {
    if (typeof raw.latency_ms === 'number') latency['*'] = num(raw.latency_ms, 'latency_ms', 0);
    else if (typeof raw.latency_ms === 'object' && raw.latency_ms !== null) {
      for (const [k, v] of Object.entries(raw.latency_ms)) latency[k] = num(v, `latency_ms.${k}`, 0);
    } else throw new FaultsError('XENSIM_FAULTS: "latency_ms" must be an object of command names to milliseconds');
  }
  const calls = (key: string): { command: string; nth: number; code?: unknown; params?: unknown }[] => {
    const v = raw[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw new FaultsError(`XENSIM_FAULTS: "${key}" must be an array`);
    return v.map((f, i) => {
      if (typeof f !== 'object' || f === null || typeof f.command !== 'string') {
        throw new FaultsError(`XENSIM_FAULTS: ${key}[${i}] needs a "command"`);
      }
      return { command: f.command, nth: num(f.nth, `${key}[${i}].nth`, 1), code: f.code, params: f.params };
    });
  };
  const fail = calls('fail').map((f, i) => {
    if (typeof f.code !== 'string') throw new FaultsError(`XENSIM_FAULTS: fail[${i}] needs a "code"`);
    const params = Array.isArray(f.params) ? f.params.map(String) : undefined;
    return { command: f.command, nth: f.nth, code: f.code, params };
  });
  return {
    latencyMs: latency,
    fail,
    noPvDrivers: names(raw.no_pv_drivers, 'no_pv_drivers'),
    crash: names(raw.crash, 'crash'),
    crashAfterMs: num(raw.crash_after_ms, 'crash_after_ms', 0),
    ignoreCleanShutdown: names(raw.ignore_clean_shutdown, 'ignore_clean_shutdown'),
    cleanShutdownTimeoutMs: num(raw.clean_shutdown_timeout_ms, 'clean_shutdown_timeout_ms', 1500),
    killDuring: calls('kill_during').map((f) => ({ command: f.command, nth: f.nth })),
    hostMemoryMib: raw.host_memory_mib === undefined ? null : num(raw.host_memory_mib, 'host_memory_mib', 0),
    hostCpus: raw.host_cpus === undefined ? null : num(raw.host_cpus, 'host_cpus', 1),
    smFeatures: smFeatures(raw.sm_features),
    hold: gates(raw.hold),
  };
}

function matches(key: string, command: string): boolean {
  if (key === command) return true;
  return command.startsWith('xl ') && key === command.slice(3);
}

export function latencyFor(f: Faults, command: string): number {
  for (const [k, v] of Object.entries(f.latencyMs)) if (k !== '*' && matches(k, command)) return v;
  return f.latencyMs['*'] ?? 0;
}

// Counts this call of `command` in the state and says which faults it triggers.
export function countCall(st: SimState, f: Faults, command: string): { fail: FailFault | null; kill: boolean } {
  const n = (st.calls[command] ?? 0) + 1;
  st.calls[command] = n;
  const fail = f.fail.find((x) => matches(x.command, command) && x.nth === n) ?? null;
  const kill = f.killDuring.some((x) => matches(x.command, command) && x.nth === n);
  return { fail, kill };
}

// The `hold` fault: stops the call at its hold point until its gate file exists.
export async function holdAt(f: Faults, command: string): Promise<void> {
  const gate = Object.entries(f.hold).find(([k]) => matches(k, command))?.[1];
  if (gate === undefined) return;
  appendFileSync(`${gate}.arrived`, `${process.pid}\n`);
  while (!existsSync(gate)) await sleep(5);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
