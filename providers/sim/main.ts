// The simulated `xe` and `xl` run by Node itself: the environment's XENSIM_* settings, then
// the simulator, then its output and exit code. The executables (bin/xe, bin/xl) are thin
// clients of the simulator daemon (daemon.ts), which reads each call's settings with
// `simOptions`; they run this module directly when the daemon cannot start:
//   node dist/providers/sim/main.js <path>/bin/xe ARGS...
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runSim, type SimOptions } from './index.js';
import { writeAtRest } from './host-file.js';
import { parsePeers } from './xl/migrate.js';

// The state file an executable works on, from its environment.
export function statePathOf(env: Record<string, string | undefined>, cwd: string): string {
  return resolve(cwd, env.XENSIM_STATE || join(homedir(), '.xensim', 'state.json'));
}

// A call's simulator options from its environment and working directory, or what is wrong
// with them. Relative paths are the caller's.
export function simOptions(tool: 'xe' | 'xl', env: Record<string, string | undefined>, cwd: string): SimOptions | string {
  const toolstack = env.XENSIM_TOOLSTACK;
  if (toolstack !== undefined && toolstack !== 'xapi' && toolstack !== 'xl') {
    return `${tool}: XENSIM_TOOLSTACK must be "xapi" or "xl", not "${toolstack}"\n`;
  }
  return {
    statePath: statePathOf(env, cwd),
    faults: env.XENSIM_FAULTS,
    toolstack: toolstack as 'xapi' | 'xl' | undefined,
    root: env.XENSIM_ROOT ? resolve(cwd, env.XENSIM_ROOT) : undefined,
    hostname: env.XENSIM_HOSTNAME || undefined,
    seed: env.XENSIM_SEED || undefined,
    hosts: env.XENSIM_HOSTS ? env.XENSIM_HOSTS.split(',').map((h) => h.trim()).filter((h) => h !== '') : undefined,
    peers: parsePeers(env.XENSIM_XL_PEERS),
    cwd,
    exitOnKill: true,
  };
}

// What one call prints and exits with; the simulator's own failures are reported, not thrown.
export async function runCall(tool: 'xe' | 'xl', args: string[], opts: SimOptions | string): Promise<{ stdout: string; stderr: string; code: number }> {
  if (typeof opts === 'string') return { stdout: '', stderr: opts, code: 1 };
  try {
    return await runSim([tool, ...args], opts);
  } catch (e) {
    return { stdout: '', stderr: `${tool}: internal error in the simulator: ${(e as Error).message}\n`, code: 1 };
  }
}

export async function main(tool: 'xe' | 'xl', args: string[]): Promise<void> {
  // A process that runs one command and exits writes the host at rest (host-file.ts).
  writeAtRest();
  const r = await runCall(tool, args, simOptions(tool, process.env, process.cwd()));
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  process.exitCode = r.code;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const tool = basename(process.argv[2] ?? '');
  if (tool !== 'xe' && tool !== 'xl') {
    process.stderr.write('usage: node main.js <path>/xe|xl ARGS...\n');
    process.exitCode = 2;
  } else await main(tool, process.argv.slice(3));
}
