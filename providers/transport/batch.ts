// Several commands in one round trip where the transport can, one by one otherwise.
import type { BatchOptions, ExecResult, Transport } from '../provider.js';

export async function runBatch(transport: Transport, commands: string[][], options: BatchOptions = {}): Promise<ExecResult[]> {
  if (transport.batch) return transport.batch(commands, options);
  const results: ExecResult[] = [];
  for (const argv of commands) results.push(await transport.exec(argv, options.timeoutMs ? { timeoutMs: options.timeoutMs } : undefined));
  return results;
}

// For a transport that runs each command itself: all at once when they only read, else in order.
export async function eachCommand<T>(commands: string[][], parallel: boolean | undefined, run: (argv: string[]) => Promise<T>): Promise<T[]> {
  if (parallel) return Promise.all(commands.map(run));
  const results: T[] = [];
  for (const argv of commands) results.push(await run(argv));
  return results;
}
