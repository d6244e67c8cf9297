// The one place that chooses where a working directory's state lives: the backend block of its
// configuration (`xenform { backend "pg" { ... } }`), or the local file when there is none.
import { readBackend } from '../../planner/config/backend.js';
import { configSource } from '../config-source.js';
import { localStateManager } from './local/index.js';
import type { StateManager } from './manager.js';
import { pgSettings } from './pg/connection.js';
import { pgStateManager } from './pg/index.js';

export class BackendConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackendConfigError';
  }
}

export function stateManagerFor(dir: string, env: Record<string, string | undefined> = process.env): StateManager {
  const { backend, diagnostics } = readBackend(dir, configSource);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    const at = (d: (typeof errors)[number]) => (d.subject ? `${d.subject.filename}:${d.subject.start.line}:${d.subject.start.column}: ` : '');
    throw new BackendConfigError(`The backend configuration cannot be read: ${errors.map((d) => `${at(d)}${d.summary}: ${d.detail}`).join('; ')}`);
  }
  if (!backend) return localStateManager(dir);
  return pgStateManager(pgSettings(backend, env, dir));
}
