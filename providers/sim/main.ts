// The body of the `xe` and `xl` executables: the environment's XENSIM_* settings,
// then the simulator, then its output and exit code.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { runSim } from './index.js';
import { writeAtRest } from './host-file.js';
import { parsePeers } from './xl/migrate.js';

export async function main(tool: 'xe' | 'xl', args: string[]): Promise<void> {
  const env = process.env;
  const toolstack = env.XENSIM_TOOLSTACK;
  if (toolstack !== undefined && toolstack !== 'xapi' && toolstack !== 'xl') {
    process.stderr.write(`${tool}: XENSIM_TOOLSTACK must be "xapi" or "xl", not "${toolstack}"\n`);
    process.exit(1);
  }
  writeAtRest();
  try {
    const r = await runSim([tool, ...args], {
      statePath: env.XENSIM_STATE || join(homedir(), '.xensim', 'state.json'),
      faults: env.XENSIM_FAULTS,
      toolstack: toolstack as 'xapi' | 'xl' | undefined,
      root: env.XENSIM_ROOT || undefined,
      hostname: env.XENSIM_HOSTNAME || undefined,
      seed: env.XENSIM_SEED || undefined,
      hosts: env.XENSIM_HOSTS ? env.XENSIM_HOSTS.split(',').map((h) => h.trim()).filter((h) => h !== '') : undefined,
      peers: parsePeers(env.XENSIM_XL_PEERS),
      exitOnKill: true,
    });
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    process.exitCode = r.code;
  } catch (e) {
    process.stderr.write(`${tool}: internal error in the simulator: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
