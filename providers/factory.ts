// Opens the Provider for a host block: simulator, xe over SSH, or xl over SSH. Owner: providers.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { HostConfig } from '../planner/config/types.js';
import type { Provider, Transport } from './provider.js';
import { LocalTransport } from './transport/local.js';
import { commandLogWanted, loggedTransport } from './transport/logged.js';
import { SimTransport } from './transport/sim.js';
import { SshTransport, type SshTransportOptions } from './transport/ssh.js';
import { XapiProvider } from './xapi/provider.js';
import { XlProvider } from './xl/provider.js';

export interface ProviderContext {
  workdir: string; // the configuration directory; the simulator persists under <workdir>/.xenform/
  env?: Record<string, string | undefined>;
  // Added by providers: SSH tuning (timeouts, shell or exec mode, ~/.ssh location) and
  // how to ask for a key passphrase; both have working defaults.
  ssh?: Omit<Partial<SshTransportOptions>, 'target'>;
  promptPassphrase?: (question: string) => Promise<string>;
  // Told while a command on a host takes long, for a progress line.
  onWaiting?: (host: string, command: string, ms: number) => void;
  // Values masked in the command log (XENFORM_LOG=debug): the sensitive values of the configuration.
  secrets?: () => readonly string[];
  // Another host's provider already opened in this command (an xl migration's target).
  peer?: (host: string) => Promise<Provider> | undefined;
}

// `address = "local"` runs the toolstack on this machine (xenform on dom0 itself).
export const LOCAL_ADDRESS = 'local';

export function simPaths(workdir: string, host: string): { statePath: string; root: string } {
  const dir = join(workdir, '.xenform', 'sim');
  return { statePath: join(dir, `${host}.json`), root: join(dir, `${host}.root`) };
}

export function openTransport(host: HostConfig, ctx: ProviderContext): Transport {
  const env = ctx.env ?? process.env;
  const transport = transportFor(host, ctx, env);
  return commandLogWanted(env) ? loggedTransport(transport, host.name, { env, secrets: ctx.secrets }) : transport;
}

function transportFor(host: HostConfig, ctx: ProviderContext, env: Record<string, string | undefined>): Transport {
  const onWaiting = ctx.onWaiting && ((command: string, ms: number) => ctx.onWaiting!(host.name, command, ms));
  if (host.simulator) {
    const { statePath, root } = simPaths(ctx.workdir, host.name);
    mkdirSync(root, { recursive: true });
    return new SimTransport({ statePath, root, toolstack: host.toolstack, faults: env.XENSIM_FAULTS, hosts: host.simulator_hosts, peerDir: dirname(statePath), onWaiting });
  }
  if (!host.address) throw new Error(`host "${host.name}" has no address (set address, or simulator = true)`);
  if (host.address === LOCAL_ADDRESS) return new LocalTransport(host.name);
  return new SshTransport({
    ...ctx.ssh,
    env,
    promptPassphrase: ctx.promptPassphrase ?? ctx.ssh?.promptPassphrase,
    commandTimeoutMs: host.command_timeout_ms ?? ctx.ssh?.commandTimeoutMs,
    onWaiting,
    target: {
      label: host.name,
      address: host.address,
      user: host.user,
      defaultUser: 'root', // dom0's, after ~/.ssh/config as OpenSSH does
      port: host.port,
      identityFile: host.identity_file,
      knownHosts: host.known_hosts,
      hostKey: host.host_key,
    },
  });
}

export async function openProvider(host: HostConfig, ctx: ProviderContext): Promise<Provider> {
  const transport = openTransport(host, ctx);
  if (host.toolstack === 'xl') {
    return new XlProvider(host.name, transport, { configDir: host.config_dir, suspendDir: host.suspend_dir, peer: ctx.peer });
  }
  return new XapiProvider(host.name, transport);
}
