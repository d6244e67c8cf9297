// The saved plan (`plan --out FILE`): the plan JSON, checked on the way back in.
// Pure text in and out; the cli reads and writes the file.
import type { Plan } from './types.js';
import { PLAN_FORMAT_VERSION } from './types.js';

export function serializePlan(plan: Plan): string {
  return JSON.stringify(plan, null, 2) + '\n';
}

export interface PlanFileError {
  error: string;
}

export function isPlanFileError(v: Plan | PlanFileError): v is PlanFileError {
  return typeof (v as PlanFileError).error === 'string';
}

const REQUIRED_ARRAYS = ['resource_changes', 'drift', 'steps', 'warnings'] as const;

export function parsePlan(text: string): Plan | PlanFileError {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { error: `not a saved plan: the file is not JSON (${(e as Error).message})` };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { error: 'not a saved plan: expected a JSON object' };
  const o = data as Record<string, unknown>;
  if (!('format_version' in o)) return { error: 'not a saved plan: it has no format_version' };
  if (o.format_version !== PLAN_FORMAT_VERSION) {
    return {
      error: `the plan file has format_version ${JSON.stringify(o.format_version)}, but this xenform reads format_version "${PLAN_FORMAT_VERSION}"; make the plan again with this version`,
    };
  }
  for (const k of REQUIRED_ARRAYS) if (!Array.isArray(o[k])) return { error: `the plan file is damaged: "${k}" is missing or not a list` };
  if (typeof o.summary !== 'object' || o.summary === null) return { error: 'the plan file is damaged: "summary" is missing' };
  if (typeof o.serial !== 'number') return { error: 'the plan file is damaged: "serial" is missing' };
  if (typeof o.options !== 'object' || o.options === null) return { error: 'the plan file is damaged: "options" is missing' };
  return data as Plan;
}
