// Evaluates every *.xf.hcl of a directory into a Config. Owner: configuration evaluation.
import type { LoadOptions, LoadResult } from './types.js';

export function loadConfig(opts: LoadOptions): LoadResult {
  throw new Error(`loadConfig(${opts.dir}): not implemented yet`);
}
