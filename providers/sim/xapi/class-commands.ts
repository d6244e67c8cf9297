// The generic commands every class has: `<class>-list` and `<class>-param-*`.
import type { ClassDef } from './classes.js';
import { filtersOf, matchesFilters, type XeRun } from './context.js';
import { CliError, UsageError, XapiError } from './errors.js';
import { vmLabel } from './lifecycle.js';
import { escapeMinimal, printList, printRecord, recordPairs, selectFields } from './printer.js';
import { prependKey, renderValue, setMapKey, type Ctx, type Field } from './record-format.js';
import { faultError } from './vm-ops.js';
import { byUuid, candidates, type Command } from './select.js';

// A `<class>-param-*` command: `body` on the object named by uuid=, reading the host or
// changing it.
export function onObject(cls: ClassDef, required: string[], access: 'read' | 'update', body: (o: any, run: XeRun, c: Ctx) => string): Command {
  return {
    required,
    run: async (run) => {
      await run.latency();
      return run[access]((st, c) => body(byUuid(cls, st, run.get('uuid')), run, c));
    },
  };
}

export function listCommand(cls: ClassDef): Command {
  return {
    own: ['params'],
    run: async (run) => {
      await run.latency();
      return run.read((st, c) => {
        if (run.fail) throw faultError(run.fail, null, cls.cli + '-list');
        const filters = [...cls.implicit, ...filtersOf(run, ['params'])];
        // no `vm=` here: only the selector commands know it (cli_operations.ml `select_vms`); a list
        // filters on real fields, else "Unknown field 'vm'" (`get_field_type`)
        const rows = candidates(cls, st, filters).filter((o) => matchesFilters(o, filters, cls.fields, c));
        const p = run.get('params');
        const fields = selectFields(cls.fields, p === undefined ? cls.defaults : p === 'all' ? 'all' : p.split(','));
        return printList(rows, fields, c, run.flag('minimal'));
      });
    },
  };
}

export function findField(cls: ClassDef, name: string): Field<any> {
  const f = cls.fields.find((x) => x.name === name);
  if (!f) throw new CliError(`Unknown field '${name}'`);
  return f;
}

export function paramList(cls: ClassDef): Command {
  return onObject(cls, ['uuid'], 'read', (o, _run, c) => printRecord(recordPairs(o, selectFields(cls.fields, 'all'), c, false)));
}

export function paramGet(cls: ClassDef): Command {
  return onObject(cls, ['uuid', 'param-name'], 'read', (o, run, c) => {
    const name = run.get('param-name')!;
    const f = cls.fields.find((x) => x.name === name);
    if (!f) throw new XapiError('Missing parameter', [name]);
    const v = f.get(o, c);
    let text: string;
    const key = run.get('param-key');
    if (key !== undefined && typeof v === 'object' && !Array.isArray(v)) {
      if (!(key in v)) throw new CliError(`Key ${key} not found in map`);
      text = v[key];
    } else text = renderValue(f, v);
    return (run.flag('minimal') ? escapeMinimal(text) : text) + '\n';
  });
}

function isMap(f: Field<any>): boolean {
  return f.kind === 'MRO' || f.kind === 'MRW';
}
function isSet(f: Field<any>): boolean {
  return f.kind === 'SRO' || f.kind === 'SRW';
}

// `<map>:<key>` or the legacy `<map>-<key>` (the longest map name wins).
function splitMapParam(cls: ClassDef, k: string): { field: Field<any>; key: string } | null {
  const colon = k.indexOf(':');
  if (colon >= 0) {
    const f = cls.fields.find((x) => x.name === k.slice(0, colon));
    return f ? { field: f, key: k.slice(colon + 1) } : null;
  }
  const maps = cls.fields.filter((f) => isMap(f) && k.startsWith(f.name + '-')).sort((a, b) => b.name.length - a.name.length);
  return maps[0] ? { field: maps[0], key: k.slice(maps[0].name.length + 1) } : null;
}

function setMapEntry(cls: ClassDef, o: any, f: Field<any>, key: string, value: string, c: Ctx): void {
  if (isSet(f)) throw new CliError('Cannot param-set on set fields');
  if (!isMap(f)) throw new CliError(`Unknown field '${f.name}:${key}'`);
  if (f.kind === 'MRO' || !f.map) throw new CliError(`Map field '${f.name}' is read-only.`);
  f.checkKey?.(o, key, value, c);
  setMapKey(f.map(o), key, value);
  void cls;
}

export function paramSet(cls: ClassDef): Command {
  return onObject(cls, ['uuid'], 'update', (o, run, c) => {
    if (run.fail) throw faultError(run.fail, null, `${cls.cli}-param-set`);
    // Each parameter is its own API call, in command-line order: not atomic.
    for (const [k, v] of run.order) {
      if (k === 'uuid' || ['minimal', 'force', 'multiple'].includes(k)) continue;
      const direct = cls.fields.find((x) => x.name === k);
      if (direct) {
        if (isMap(direct) || isSet(direct)) throw new CliError(`Field '${k}' is a map or set. use the 'name:key=value' syntax.`);
        if (direct.kind === 'RO' || !direct.set) throw new CliError(`Field '${k}' is read-only.`);
        direct.set(o, v, c);
        continue;
      }
      const m = splitMapParam(cls, k);
      if (!m) throw new CliError(`Unknown field '${k}'`);
      setMapEntry(cls, o, m.field, m.key, v, c);
    }
    return '';
  });
}

export function paramAdd(cls: ClassDef): Command {
  return onObject(cls, ['uuid', 'param-name'], 'update', (o, run, c) => {
    const f = findField(cls, run.get('param-name')!);
    if (isSet(f)) {
      if (f.kind === 'SRO' || !f.members) throw new CliError(`Set field '${f.name}' is read-only.`); // [UNCONFIRMED] text
      const key = run.get('param-key');
      if (key === undefined) throw new UsageError('Required parameter not found: param-key');
      const set = f.members(o);
      // add_to_set prepends; an existing member is silently ignored.
      if (!set.includes(key)) set.unshift(key);
      return '';
    }
    if (!isMap(f)) throw new CliError(`Field '${f.name}' is not a map or set`); // [UNCONFIRMED] text
    if (f.kind === 'MRO' || !f.map) throw new CliError(`Map field '${f.name}' is read-only.`);
    const pairs = run.order.filter(([k]) => !['uuid', 'param-name', 'param-key', 'minimal'].includes(k));
    for (const [k, v] of pairs) {
      const m = f.map(o);
      if (k in m) throw new XapiError('MAP_DUPLICATE_KEY', [cls.table, cls.dbMapName(f.name), cls.table === 'VM' ? vmLabel(o) : o.uuid, k]);
      f.checkKey?.(o, k, v, c);
      f.guard?.(o, c);
      const next = prependKey(m, k, v);
      for (const key of Object.keys(m)) delete m[key];
      Object.assign(m, next);
    }
    return '';
  });
}

export function paramRemove(cls: ClassDef): Command {
  return onObject(cls, ['uuid', 'param-name', 'param-key'], 'update', (o, run, c) => {
    const f = findField(cls, run.get('param-name')!);
    const key = run.get('param-key')!;
    if (isSet(f)) {
      if (f.kind === 'SRO' || !f.members) throw new CliError('Cannot remove parameters from read-only set'); // [UNCONFIRMED] text
      const set = f.members(o);
      const i = set.indexOf(key);
      if (i < 0) throw new CliError(`Key ${key} is not in the set`);
      set.splice(i, 1);
      return '';
    }
    if (!isMap(f) || f.kind === 'MRO' || !f.map) throw new CliError('Cannot remove parameters from read-only map');
    const m = f.map(o);
    if (!(key in m)) throw new CliError(`Key ${key} is not in map`);
    f.guard?.(o, c);
    delete m[key];
    return '';
  });
}

export function paramClear(cls: ClassDef): Command {
  return onObject(cls, ['uuid', 'param-name'], 'update', (o, run, c) => {
    const f = findField(cls, run.get('param-name')!);
    if (isSet(f) && f.members) f.members(o).splice(0);
    else if (isMap(f) && f.map && f.kind === 'MRW') {
      const m = f.map(o);
      for (const k of Object.keys(m)) {
        f.guard?.(o, c);
        delete m[k];
      }
    } else if (f.kind === 'RW' && f.set) {
      try {
        f.set(o, '', c);
      } catch {
        throw new CliError('Cannot clear this parameter');
      }
    } else throw new CliError('Cannot clear this parameter');
    return '';
  });
}
