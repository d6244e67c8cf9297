// The one place that chooses where a working directory's state lives. Today: the local file.
import { localStateManager } from './local/index.js';
import type { StateManager } from './manager.js';

export function stateManagerFor(dir: string): StateManager {
  return localStateManager(dir);
}
