import type { ExecResult } from '../../provider.js';
import type { RunEnv } from '../xapi/context.js';

export interface XlEnv extends RunEnv {
  root?: string;
  resolve(path: string): string;
}

export async function runXl(argv: string[], env: XlEnv): Promise<ExecResult> {
  void env;
  return { stdout: '', stderr: `xl ${argv[0] ?? ''}: not simulated yet\n`, code: 1 };
}
