// A simulated XAPI host in a temporary directory, reached in-process (runSim) or through
// the `xe` executable in a separate process, as a dom0's xe would be.
import type { Test } from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadState } from '../../providers/sim/host-file.js';
import { runSim, type SimOptions } from '../../providers/sim/index.js';
import { SIM_BIN } from './sshd.js';

export interface Proc {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export function xeProcess(env: Record<string, string>, args: string[], tool: 'xe' | 'xl' = 'xe', cwd?: string): Promise<Proc> {
  return new Promise((res, rej) => {
    // A clean environment, not tap's loaders: the executable runs the compiled simulator on plain node.
    const base = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: process.env.HOME ?? '/' };
    // tap injects its loaders into child node processes through NODE_OPTIONS: drop them.
    const child = spawn('/bin/sh', ['-c', 'unset NODE_OPTIONS; exec "$@"', 'sh', join(SIM_BIN, tool), ...args], { env: { ...base, ...env }, cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', rej);
    child.on('close', (code, signal) => res({ stdout, stderr, code, signal }));
  });
}

export function tempHost(t: Test, faults?: object): { opts: SimOptions; env: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'xensim-host-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const statePath = join(dir, 'host.json');
  const f = faults ? JSON.stringify(faults) : '';
  return { opts: { statePath, faults: f, hostname: 'xcp1' }, env: { XENSIM_STATE: statePath, XENSIM_FAULTS: f, XENSIM_HOSTNAME: 'xcp1' } };
}

export async function install(o: SimOptions, name: string): Promise<string> {
  const r = await runSim(['xe', 'vm-install', 'template=Debian Bookworm 12', `new-name-label=${name}`], { ...o, faults: '' });
  return r.stdout.trim();
}


// The power states a simulated VM has entered, oldest first: the simulator's record of
// whether a guest went down (a reboot enters 'halted' then 'running').
export function powerHistory(statePath: string, uuid: string): string[] {
  const vm = loadState(statePath)?.vms[uuid];
  if (!vm) throw new Error(`no VM ${uuid} on the simulated host ${statePath}`);
  return vm.powerHistory ?? [];
}

// The HVM boot order each of the VM's domains was built with, oldest first.
export function bootOrders(statePath: string, uuid: string): string[] {
  const vm = loadState(statePath)?.vms[uuid];
  if (!vm) throw new Error(`no VM ${uuid} on the simulated host ${statePath}`);
  return vm.bootOrders ?? [];
}
