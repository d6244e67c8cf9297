// Opens the Provider for a host block: simulator, xe over SSH, or xl over SSH. Owner: providers.
import type { HostConfig } from '../planner/config/types.js';
import type { Provider } from './provider.js';

export interface ProviderContext {
  workdir: string; // the configuration directory; the simulator persists under <workdir>/.xenform/
  env?: Record<string, string | undefined>;
}

export async function openProvider(host: HostConfig, ctx: ProviderContext): Promise<Provider> {
  throw new Error(`openProvider(${host.name}, ${ctx.workdir}): not implemented yet`);
}
