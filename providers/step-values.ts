// The last guard before a step's arguments become commands or configuration files: every value
// must be text, a number, a flag or null, in plain lists and records. Anything else, such as the
// placeholder of a value known only after apply that was never filled in, would reach the host
// as "[object Object]"; the step is refused instead, naming the attribute.
import type { Step } from '../planner/model/ops.js';
import { isUnknown } from '../planner/config/types.js';
import { ProviderError } from './provider.js';

const isContainer = (v: object): boolean => Array.isArray(v) || Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null;

// The path ("attributes.other_config.db") and a description of the first value that cannot be
// sent, or null when all can.
export function unsendableValue(v: unknown, path = ''): { path: string; why: string } | null {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) return null;
  if (typeof v === 'object' && isUnknown(v)) return { path, why: 'is known only after apply and was not filled in' };
  if (typeof v !== 'object' || !isContainer(v)) return { path, why: `is a ${typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v}, not text or a number` };
  const entries: [string, unknown][] = Array.isArray(v) ? v.map((x, i) => [`${path}[${i}]`, x]) : Object.entries(v).map(([k, x]) => [path ? `${path}.${k}` : k, x]);
  for (const [p, x] of entries) {
    const bad = unsendableValue(x, p);
    if (bad) return bad;
  }
  return null;
}

// Where a step's arguments are read from: "attributes.description" is the VM's `description`.
const attributePath = (step: Step, path: string): string => {
  if (step.op === 'create') return path.replace(/^attributes\./, '');
  if (step.op === 'set') {
    const m = /^changes\[(\d+)\]\.value(.*)$/.exec(path);
    if (m) return `${step.args.changes[Number(m[1])].path}${m[2]}`;
  }
  return path;
};

export function checkStepValues(host: string, vm: string, step: Step): void {
  const bad = unsendableValue(step.args);
  if (!bad) return;
  const what = attributePath(step, bad.path);
  throw new ProviderError(host, 'INVALID_VALUE', { attribute: what }, `${vm}: the value of ${what} ${bad.why}; the ${step.op} step was not sent to host "${host}"`);
}
