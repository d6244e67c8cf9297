// The state file format: a versioned reader that upgrades older versions, and the writer.
// Storage (where and how the bytes land) is in store.ts; locking in lock.ts.
import { STATE_VERSION, type State, type StateResource } from '../../planner/model/state.js';

export class StateFormatError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'StateFormatError';
  }
}

type Json = Record<string, unknown>;

// Version 0 (the first prototype) called resources "vms", kept the VM's uuid under "id"
// and had no ownership flag or pending-reboot mark. Each upgrader takes version N to N+1.
const upgraders: Record<number, (doc: Json) => Json> = {
  0: (doc) => {
    const vms = Array.isArray(doc.vms) ? (doc.vms as Json[]) : [];
    const { vms: _dropped, ...rest } = doc;
    return {
      ...rest,
      version: 1,
      resources: vms.map(({ id, ...r }) => ({
        booted_with: null,
        restart_trigger: null,
        owned: true,
        pending_reboot: false,
        ...r,
        uuid: id,
      })),
      outputs: doc.outputs ?? {},
    };
  },
};

export function parseState(text: string, file = 'xenform.state.json'): State {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new StateFormatError(file, `is not valid JSON (${(err as Error).message}); the previous version is in ${file}.backup`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new StateFormatError(file, 'does not hold a JSON object');
  }
  let cur = doc as Json;
  if (typeof cur.version !== 'number' || !Number.isInteger(cur.version) || cur.version < 0) {
    throw new StateFormatError(file, 'has no valid "version" number');
  }
  let version: number = cur.version;
  if (version > STATE_VERSION) {
    throw new StateFormatError(
      file,
      `has version ${version}, written by a newer xenform; this one reads versions up to ${STATE_VERSION}`,
    );
  }
  while (version < STATE_VERSION) {
    const up = upgraders[version];
    if (!up) throw new StateFormatError(file, `has version ${version}, which this xenform cannot upgrade`);
    cur = up(cur);
    version = cur.version as number;
  }
  return validate(cur, file);
}

// What is wrong with a recorded VM (a state's resources[i], a journal's `done` entry), as the
// end of a sentence that starts with where it is; null when nothing is.
export function resourceProblem(r: unknown): string | null {
  if (typeof r !== 'object' || r === null || Array.isArray(r)) return ' is not an object';
  const o = r as Json;
  const named = ` (${typeof o.address === 'string' ? o.address : '?'})`;
  if (typeof o.address !== 'string' || o.address === '') return ' has no "address"';
  for (const key of ['host', 'uuid']) if (typeof o[key] !== 'string' || o[key] === '') return `${named} has no "${key}"`;
  if (typeof o.attributes !== 'object' || o.attributes === null || Array.isArray(o.attributes)) return `${named} has no "attributes"`;
  if (o.restart_trigger != null && typeof o.restart_trigger !== 'string') return `${named} has a "restart_trigger" that is not a string`;
  if (o.booted_with != null && typeof o.booted_with !== 'object') return `${named} has a "booted_with" that is not an object`;
  const sd = o.shutdown as Json | undefined;
  if (sd !== undefined && (typeof sd !== 'object' || sd === null || !['clean', 'hard'].includes(sd.mode as string) || typeof sd.timeout_ms !== 'number' || !['hard', 'fail'].includes(sd.fallback as string))) {
    return `${named} has a "shutdown" policy that is not one (mode, timeout_ms, fallback)`;
  }
  for (const key of ['owned', 'pending_reboot']) if (o[key] !== undefined && typeof o[key] !== 'boolean') return `${named} has an "${key}" that is not true or false`;
  return null;
}

function normalResource(r: Json): StateResource {
  return {
    ...(r as unknown as StateResource),
    booted_with: (r.booted_with as StateResource['booted_with']) ?? null,
    restart_trigger: (r.restart_trigger as string | null) ?? null,
    owned: r.owned !== false,
    pending_reboot: r.pending_reboot === true,
  };
}

function validate(doc: Json, file: string): State {
  const fail = (what: string): never => {
    throw new StateFormatError(file, what);
  };
  if (typeof doc.lineage !== 'string' || doc.lineage === '') fail('has no "lineage"');
  if (typeof doc.serial !== 'number' || !Number.isInteger(doc.serial) || doc.serial < 0) fail('has no valid "serial"');
  if (!Array.isArray(doc.resources)) fail('has no "resources" list');
  const resources = (doc.resources as unknown[]).map((r, i): StateResource => {
    const problem = resourceProblem(r);
    if (problem) fail(`resources[${i}]${problem}`);
    return normalResource(r as Json);
  });
  refuseDuplicates(resources, file);
  const outputs = (doc.outputs ?? {}) as State['outputs'];
  const pending = Array.isArray(doc.pending_creates) && doc.pending_creates.length > 0 ? (doc.pending_creates as State['pending_creates']) : undefined;
  const deposed = (Array.isArray(doc.deposed) ? (doc.deposed as unknown[]) : []).map((r, i): StateResource => {
    const problem = resourceProblem(r);
    if (problem) fail(`deposed[${i}]${problem}`);
    return normalResource(r as Json);
  });
  return {
    ...(pending ? { pending_creates: pending } : {}),
    ...(deposed.length > 0 ? { deposed } : {}),
    version: STATE_VERSION,
    lineage: doc.lineage as string,
    serial: doc.serial as number,
    xenform_version: typeof doc.xenform_version === 'string' ? doc.xenform_version : 'unknown',
    resources,
    outputs,
  };
}

// Two entries for one address, or one VM under two addresses, would make a plan act twice on
// one VM or lose one silently: the state is refused until a person says which entry is right.
function refuseDuplicates(resources: readonly StateResource[], file: string): void {
  const seen = new Map<string, number>();
  const seenVm = new Map<string, number>();
  const way = `Edit ${file} to keep the right entry (the previous version is in ${file}.backup), or move it aside and run \`xenform state rebuild\`.`;
  resources.forEach((r, i) => {
    const j = seen.get(r.address);
    if (j !== undefined) {
      throw new StateFormatError(file, `records ${r.address} twice: resources[${j}] (uuid ${resources[j].uuid}) and resources[${i}] (uuid ${r.uuid}). ${way}`);
    }
    seen.set(r.address, i);
    const k = seenVm.get(r.uuid);
    if (k !== undefined) {
      throw new StateFormatError(file, `records VM ${r.uuid} under two addresses: resources[${k}] (${resources[k].address}) and resources[${i}] (${r.address}). ${way}`);
    }
    seenVm.set(r.uuid, i);
  });
}

export function serializeState(state: State): string {
  return `${JSON.stringify(state, null, 2)}\n`;
}

// Two states hold the same content when they differ at most in serial and xenform_version.
export function sameContent(a: State, b: State): boolean {
  const strip = (s: State) => JSON.stringify({ ...s, serial: 0, xenform_version: '' });
  return strip(a) === strip(b);
}
