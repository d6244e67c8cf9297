// The files xenform keeps in a working directory: configuration, variable values, state.
import path from 'node:path';
import { LOCK_FILE } from '../engine/state/local/lock.js';
import { STATE_FILE } from '../planner/model/state.js';

// `*.xf.hcl` and `*.xfvars.hcl` (which includes `*.auto.xfvars.hcl`).
export const CONFIG_FILE = /\.(xf|xfvars)\.hcl$/;

// Whether `file` is one that xenform reads its configuration or keeps its state in (the state,
// its backup and journal, the lock): never to be overwritten by anything else.
export function isWorkdirFile(file: string): boolean {
  const name = path.basename(file);
  return CONFIG_FILE.test(name) || name.startsWith(STATE_FILE) || name === LOCK_FILE;
}
