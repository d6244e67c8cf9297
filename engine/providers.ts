// One provider per host for a whole command: refresh and apply share the connections, and
// they are closed once, at the end.
import type { HostConfig } from '../planner/config/types.js';
import { openProvider as defaultOpen, type ProviderContext } from '../providers/factory.js';
import type { Provider } from '../providers/provider.js';

export type OpenProvider = (host: HostConfig, ctx: ProviderContext) => Promise<Provider>;

export type WaitingListener = (host: string, command: string, ms: number) => void;

export class ProviderPool {
  private readonly open = new Map<string, Promise<Provider>>();
  private readonly known = new Map<string, HostConfig>();
  private readonly ctx: ProviderContext;
  private listener: WaitingListener | null = null;

  constructor(
    ctx: ProviderContext,
    private readonly opener: OpenProvider = defaultOpen,
  ) {
    this.ctx = { ...ctx, onWaiting: (host, command, ms) => this.listener?.(host, command, ms), peer: (host) => this.peer(host) };
  }

  // Who hears of commands that take long: the run using the connections now (plan, then apply).
  listen(listener: WaitingListener): void {
    this.listener = listener;
  }

  // The configuration's hosts, so that a provider can reach another host's (an xl migration).
  know(hosts: readonly HostConfig[]): void {
    for (const h of hosts) this.known.set(h.name, h);
  }

  private peer(name: string): Promise<Provider> | undefined {
    const host = this.known.get(name);
    return this.open.get(name) ?? (host ? this.get(host) : undefined);
  }

  // The provider of `host`, opened on first use; a failed open is not retried.
  get(host: HostConfig): Promise<Provider> {
    let p = this.open.get(host.name);
    if (!p) {
      p = this.opener(host, this.ctx);
      p.catch(() => undefined);
      this.open.set(host.name, p);
    }
    return p;
  }

  async close(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map((p) => p.then((pr) => pr.close().catch(() => undefined), () => undefined)));
  }
}
