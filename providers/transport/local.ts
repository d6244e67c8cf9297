// Runs commands as local processes, without a shell: for xenform running on dom0 itself.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import type { BatchOptions, ExecOptions, ExecResult, Transport } from '../provider.js';
import { ProviderError } from '../provider.js';
import { eachCommand } from './batch.js';
import { asFileOp } from './file-ops.js';

export class LocalTransport implements Transport {
  readonly description = 'local';
  private trips = 0;

  constructor(private readonly host: string, private readonly env?: Record<string, string | undefined>) {}

  roundTrips(): number {
    return this.trips;
  }

  exec(argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    this.trips++;
    return this.run(argv, options);
  }

  async batch(commands: string[][], options: BatchOptions = {}): Promise<ExecResult[]> {
    this.trips++;
    return eachCommand(commands, options.parallel, (argv) => this.run(argv, options));
  }

  async writeFile(path: string, content: string, mode = 0o644): Promise<void> {
    this.trips++;
    await fs.mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.xenform-tmp`;
    await fs.writeFile(tmp, content, { mode });
    await fs.rename(tmp, path);
  }

  async readFile(path: string): Promise<string | null> {
    this.trips++;
    return fs.readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return null;
      throw e;
    });
  }

  async close(): Promise<void> {}

  private run(argv: string[], options: ExecOptions): Promise<ExecResult> {
    const fileOp = asFileOp(argv);
    if (fileOp) return fileOp.op.native(fileOp.args, (p) => p);
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0], argv.slice(1), {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: this.env ? { ...process.env, ...this.env } : process.env,
        timeout: options.timeoutMs,
        signal: options.signal,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => err.push(c));
      child.on('error', (e: NodeJS.ErrnoException) => {
        if (e.name === 'AbortError') {
          reject(new ProviderError(this.host, 'ABORTED', { command: argv.join(' '), started: 'true' }, `\`${argv.join(' ')}\` was stopped when asked to`));
        } else if (e.code === 'ENOENT') resolve({ stdout: '', stderr: `${argv[0]}: command not found\n`, code: 127 });
        else reject(new ProviderError(this.host, 'TRANSPORT', { command: argv.join(' ') }, `cannot run ${argv[0]}: ${e.message}`));
      });
      child.on('close', (code, signal) => {
        if (options.signal?.aborted) return;
        if (signal) {
          return reject(new ProviderError(this.host, 'TIMEOUT', { command: argv.join(' ') },
            `\`${argv.join(' ')}\` did not finish within ${options.timeoutMs} ms and was stopped`));
        }
        resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code: code ?? 1 });
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.stdin ?? '');
    });
  }
}
