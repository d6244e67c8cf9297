// The simulated dom0, in-process entry point. Owner: the simulator.
import type { ExecResult } from '../provider.js';

export interface SimOptions {
  statePath: string; // the JSON file holding the simulated host (XENSIM_STATE)
  faults?: string; // XENSIM_FAULTS JSON
  toolstack?: 'xapi' | 'xl'; // the kind of host created on first use (XENSIM_TOOLSTACK)
  root?: string; // when set, every file path the simulated host touches resolves under it (XENSIM_ROOT)
}

// argv[0] is "xe" or "xl"; the result is what the real command prints and exits with.
export async function runSim(argv: string[], opts: SimOptions): Promise<ExecResult> {
  throw new Error(`runSim(${argv[0]}, ${opts.statePath}): not implemented yet`);
}
