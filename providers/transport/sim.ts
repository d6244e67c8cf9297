// The in-process simulator as a transport: `xe`/`xl` go to runSim, files live
// under the simulated host's file root. Used by openProvider for `simulator = true`.
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BatchOptions, ExecOptions, ExecResult, Transport } from '../provider.js';
import { ProviderError } from '../provider.js';
import { runSim, type SimOptions } from '../sim/index.js';
import { restState } from '../sim/store.js';
import { eachCommand } from './batch.js';
import { asChain, runChain } from './chain.js';
import { asFileOp } from './file-ops.js';
import { asStamped, runStamped } from './stamped.js';
import { watched, type WaitingListener } from './progress.js';

export class SimTransport implements Transport {
  readonly description: string;
  private trips = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly sim: SimOptions & { root: string; onWaiting?: WaitingListener }) {
    this.description = `simulator ${sim.statePath}`;
  }

  roundTrips(): number {
    return this.trips;
  }

  exec(argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    this.trips++;
    const work = watched(this.track(this.run(argv)), argv.join(' '), this.sim.onWaiting);
    const signal = options.signal;
    if (!signal) return work;
    // The simulated command cannot be interrupted; the caller just stops waiting for it.
    return new Promise((resolve, reject) => {
      const onAbort = () =>
        reject(new ProviderError(this.sim.statePath, 'ABORTED', { command: argv.join(' '), started: 'true' }, `\`${argv.join(' ')}\` was abandoned when asked to stop; it may still complete`));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  batch(commands: string[][], options: BatchOptions = {}): Promise<ExecResult[]> {
    this.trips++;
    const what = commands.length > 1 ? `${commands[0].join(' ')} (and ${commands.length - 1} more)` : (commands[0] ?? []).join(' ');
    return watched(this.track(eachCommand(commands, options.parallel, (argv) => this.run(argv))), what, this.sim.onWaiting);
  }

  async writeFile(path: string, content: string, mode = 0o644): Promise<void> {
    this.trips++;
    const p = this.resolve(path);
    await fs.mkdir(dirname(p), { recursive: true });
    await fs.writeFile(`${p}.xenform-tmp`, content, { mode });
    await fs.rename(`${p}.xenform-tmp`, p);
  }

  async readFile(path: string): Promise<string | null> {
    this.trips++;
    return fs.readFile(this.resolve(path), 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return null;
      throw e;
    });
  }

  // Once the commands in flight are done, the host file is put at rest now rather than by the
  // store's idle timer, so that nothing is written after the command that used it has ended.
  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    restState(this.sim.statePath);
  }

  private resolve(path: string): string {
    return join(this.sim.root, path);
  }

  // Commands run concurrently, as on a real host: the simulator serialises its own
  // read-modify-write of the state file and releases it while an operation takes time.
  // close() waits for everything still in flight.
  private track<T>(work: Promise<T>): Promise<T> {
    this.queue = Promise.all([this.queue, work.catch(() => undefined)]);
    return work;
  }

  private async run(argv: string[]): Promise<ExecResult> {
    if (argv[0] === 'xe' || argv[0] === 'xl') return runSim(argv, this.sim);
    const fileOp = asFileOp(argv);
    if (fileOp) return fileOp.op.native(fileOp.args, (p) => this.resolve(p));
    const chained = asChain(argv);
    if (chained) return runChain(chained, (a) => this.run(a));
    const stamp = asStamped(argv);
    if (stamp) return runStamped(stamp, (a) => this.run(a));
    return { stdout: '', stderr: `${argv[0]}: command not found\n`, code: 127 };
  }
}
