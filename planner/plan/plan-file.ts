// The saved plan (`plan --out FILE`): the plan JSON plus the configuration snapshot it was
// made from, checked on the way back in. Pure text in and out; the cli reads and writes the file.
import { createHash } from 'node:crypto';
import type { PathKind } from '../../lang/source.js';
import type { Plan } from './types.js';
import { PLAN_FORMAT_VERSION } from './types.js';

// What the configuration was evaluated from when the plan was made, so that applying the saved
// plan evaluates it again from the same inputs, as Terraform's plan file does: every file read
// (keyed by its path relative to the plan's directory; base64 contents, null when it could not be
// read), the directory listings and file checks made, and the variable values given outside files.
export interface ConfigSnapshot {
  files: Record<string, string | null>;
  dirs: Record<string, string[] | null>;
  kinds: Record<string, PathKind>;
  home: string;
  vars: Record<string, string>; // --var
  var_files: string[]; // --var-file, as given (their contents are in `files`)
  env: Record<string, string>; // the XF_VAR_* environment variables
}

export interface SavedPlan {
  plan: Plan;
  configuration: ConfigSnapshot;
}

// The key under which a saved plan file holds the snapshot; never part of the plan JSON.
const SNAPSHOT_KEY = 'configuration_snapshot';

export function serializePlan(plan: Plan): string {
  return JSON.stringify(plan, null, 2) + '\n';
}

// Names a plan in a lock and its messages: the same plan JSON always has the same fingerprint.
export function planFingerprint(plan: Plan): string {
  return 'sha256:' + createHash('sha256').update(serializePlan(plan)).digest('hex').slice(0, 16);
}

export function serializeSavedPlan(saved: SavedPlan): string {
  return JSON.stringify({ ...saved.plan, [SNAPSHOT_KEY]: saved.configuration }) + '\n';
}

export interface PlanFileError {
  error: string;
}

export function isPlanFileError<T extends object>(v: T | PlanFileError): v is PlanFileError {
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
  return checkPlan(data);
}

function checkPlan(data: unknown): Plan | PlanFileError {
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

export function parseSavedPlan(text: string): SavedPlan | PlanFileError {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { error: `not a saved plan: the file is not JSON (${(e as Error).message})` };
  }
  const plan = checkPlan(data);
  if (isPlanFileError(plan)) return plan;
  const { [SNAPSHOT_KEY]: snapshot, ...rest } = data as Record<string, unknown>;
  if (snapshot === undefined) {
    return { error: 'it carries no configuration snapshot (it was made by an earlier xenform); make the plan again with `xenform plan --out FILE`' };
  }
  const bad = snapshotProblem(snapshot);
  if (bad) return { error: `the plan file is damaged: its configuration snapshot ${bad}` };
  return { plan: rest as unknown as Plan, configuration: snapshot as ConfigSnapshot };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

function snapshotProblem(s: unknown): string | null {
  if (!isRecord(s)) return 'is not an object';
  if (!isRecord(s.files) || !Object.values(s.files).every((v) => v === null || typeof v === 'string')) return 'has no valid "files"';
  if (!isRecord(s.dirs) || !Object.values(s.dirs).every((v) => v === null || isStrings(v))) return 'has no valid "dirs"';
  if (!isRecord(s.kinds) || !Object.values(s.kinds).every((v) => v === 'file' || v === 'other' || v === 'missing' || (isRecord(v) && v.file === true && typeof v.size === 'number'))) return 'has no valid "kinds"';
  if (typeof s.home !== 'string') return 'has no "home"';
  for (const k of ['vars', 'env'] as const) {
    if (!isRecord(s[k]) || !Object.values(s[k]).every((v) => typeof v === 'string')) return `has no valid "${k}"`;
  }
  if (!isStrings(s.var_files)) return 'has no valid "var_files"';
  return null;
}
