// Several commands in one round trip where the transport can, one by one otherwise.
import type { ExecResult, Transport } from '../provider.js';

export async function runBatch(transport: Transport, commands: string[][], timeoutMs?: number): Promise<ExecResult[]> {
  if (transport.batch) return transport.batch(commands, timeoutMs ? { timeoutMs } : undefined);
  const results: ExecResult[] = [];
  for (const argv of commands) results.push(await transport.exec(argv, timeoutMs ? { timeoutMs } : undefined));
  return results;
}
