// The simulated dom0, in-process entry point. Owner: the simulator.
import { realpathSync, statSync } from 'node:fs';
import { basename, join, relative, resolve as resolvePath, sep } from 'node:path';
import type { ExecResult } from '../provider.js';
import { FaultsError, parseFaults } from './faults.js';
import { createHost } from './host.js';
import { runXe } from './xapi/xe.js';
import { runXl } from './xl/xl.js';

export interface SimOptions {
  statePath: string; // the JSON file holding the simulated host (XENSIM_STATE)
  faults?: string; // XENSIM_FAULTS JSON
  toolstack?: 'xapi' | 'xl'; // the kind of host created on first use (XENSIM_TOOLSTACK)
  root?: string; // when set, every file path the simulated host touches resolves under it (XENSIM_ROOT)
  hostname?: string; // the host's name on first use (XENSIM_HOSTNAME); default: the state file's name
  seed?: string; // deterministic uuids on first use (XENSIM_SEED), for tests
  hosts?: string[]; // a XAPI pool's members on first use, the first the master (XENSIM_HOSTS)
  peers?: Record<string, string>; // xl hosts `xl migrate` reaches, by name: their state files (XENSIM_XL_PEERS)
  peerDir?: string; // or: the directory of their state files, named HOST.json (xenform's simulated hosts)
  exitOnKill?: boolean; // the `kill_during` fault really kills the calling process (the executables)
  cwd?: string; // the caller's working directory, for relative file paths (default: this process's)
}

// argv[0] is "xe" or "xl"; the result is what the real command prints and exits with.
export async function runSim(argv: string[], opts: SimOptions): Promise<ExecResult> {
  const tool = argv[0];
  if (tool !== 'xe' && tool !== 'xl') return { stdout: '', stderr: `${tool ?? ''}: command not found\n`, code: 127 };
  let faults;
  try {
    faults = parseFaults(opts.faults);
  } catch (e) {
    if (e instanceof FaultsError) return { stdout: '', stderr: `${tool}: ${e.message}\n`, code: 1 };
    throw e;
  }
  const hostname = opts.hostname ?? basename(opts.statePath).replace(/\.json$/, '');
  const create = () =>
    createHost({ toolstack: opts.toolstack ?? 'xapi', hostname, seed: opts.seed ?? null, hostMemoryMib: faults.hostMemoryMib, hostCpus: faults.hostCpus, members: opts.hosts });
  const root = opts.root;
  const cwd = opts.cwd;
  const resolve = (p: string) => (root ? join(root, p) : cwd ? resolvePath(cwd, p) : p);
  const env = {
    statePath: opts.statePath,
    create,
    faults,
    exitOnKill: opts.exitOnKill ?? false,
    root,
    peers: opts.peers,
    peerDir: opts.peerDir,
    resolve,
    bootFile: root ? (p: string) => bootFileUnder(root, p) : undefined,
  };
  return tool === 'xe' ? runXe(argv.slice(1), env) : runXl(argv.slice(1), env);
}

// A boot file as `Unix.realpath` and `Unix.stat` see it on the host whose file system is `root`.
function bootFileUnder(root: string, p: string): { real: string; regular: boolean } | null {
  if (p === '') return null; // realpath("") fails with ENOENT
  try {
    const realRoot = realpathSync(root);
    const real = realpathSync(join(root, p));
    const inside = relative(realRoot, real);
    const hostPath = inside.startsWith('..') ? real : `/${inside.split(sep).join('/')}`;
    return { real: hostPath, regular: statSync(real).isFile() };
  } catch {
    return null;
  }
}
