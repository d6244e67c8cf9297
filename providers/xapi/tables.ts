// Reading tables from xe so that no value can pass for another: each `*-list` is sent with
// its `--minimal` uuid list in the same round trip (records.ts `parseRecords`). A table that
// does not parse unambiguously is read value by value with `*-param-get`, and xenform's
// own other-config keys that an operator-writable key could have forged are read with
// `param-key=`, in one more round trip each, which an ordinary host never needs.
import type { ExecResult } from '../provider.js';
import { CHECKED_OTHER_CONFIG, doubtfulKeys, parseMap, parseMinimal, parseRecords, type XeRecord } from './records.js';

export type XeClass = 'vm' | 'vbd' | 'vdi' | 'vif' | 'template' | 'sr' | 'network' | 'host' | 'sm';

export interface Query {
  cls: XeClass;
  fields: readonly string[]; // `uuid` first
  filters: string[];
}

export function queryCommands(q: Query): string[][] {
  return [
    ['xe', `${q.cls}-list`, ...q.filters, `params=${q.fields.join(',')}`],
    ['xe', `${q.cls}-list`, ...q.filters, 'params=uuid', '--minimal'],
  ];
}

export type Run = (commands: string[][]) => Promise<ExecResult[]>;

// Runs `before` (outputs returned as they are), then `queries`, and returns their records.
// `first` runs the first round trip and throws on a failed command; `run` returns failures.
export async function readTables(first: Run, run: Run, queries: Query[], before: string[][] = []): Promise<{ tables: XeRecord[][]; before: ExecResult[] }> {
  const all = await first([...before, ...queries.flatMap(queryCommands)]);
  const results = all.slice(before.length);
  const tables: (XeRecord[] | null)[] = [];
  const lists = queries.map((q, i) => {
    const uuids = parseMinimal(results[2 * i + 1].stdout);
    tables.push(parseRecords(results[2 * i].stdout, q.fields, uuids));
    return uuids;
  });
  await readValueByValue(run, queries, lists, tables);
  const done = tables as XeRecord[][];
  await checkMarkers(run, queries, done);
  return { tables: done, before: all.slice(0, before.length) };
}

async function readValueByValue(run: Run, queries: Query[], lists: string[][], tables: (XeRecord[] | null)[]): Promise<void> {
  const gets: { table: number; uuid: string; field: string }[] = [];
  queries.forEach((q, i) => {
    if (tables[i]) return;
    for (const uuid of lists[i]) for (const field of q.fields.slice(1)) gets.push({ table: i, uuid, field });
    tables[i] = [];
  });
  if (gets.length === 0) return;
  const results = await run(gets.map((g) => ['xe', `${queries[g.table].cls}-param-get`, `uuid=${g.uuid}`, `param-name=${g.field}`]));
  const byUuid = new Map<string, XeRecord>();
  const gone = new Set<string>(); // destroyed meanwhile
  gets.forEach((g, k) => {
    const key = `${g.table}/${g.uuid}`;
    if (results[k].code !== 0) return void gone.add(key);
    let r = byUuid.get(key);
    if (!r) {
      r = { uuid: g.uuid };
      byUuid.set(key, r);
      tables[g.table]!.push(r);
    }
    r[g.field] = results[k].stdout.replace(/\n$/, '');
  });
  for (const key of gone) {
    const [table, uuid] = key.split('/');
    tables[Number(table)] = tables[Number(table)]!.filter((r) => r.uuid !== uuid);
  }
}

async function checkMarkers(run: Run, queries: Query[], tables: XeRecord[][]): Promise<void> {
  const gets: { r: XeRecord; cls: XeClass; key: string }[] = [];
  queries.forEach((q, i) => {
    if (!q.fields.includes('other-config')) return;
    for (const r of tables[i]) for (const key of doubtfulKeys(r['other-config'], 'xenform-')) gets.push({ r, cls: q.cls, key });
  });
  if (gets.length === 0) return;
  const results = await run(gets.map((g) => ['xe', `${g.cls}-param-get`, `uuid=${g.r.uuid}`, 'param-name=other-config', `param-key=${g.key}`]));
  const checked = new Map<XeRecord, Record<string, string>>();
  gets.forEach((g, k) => {
    let map = checked.get(g.r);
    if (!map) {
      map = parseMap(g.r['other-config']);
      checked.set(g.r, map);
    }
    // "Key k not found in map" (cli_operations.ml `make_param_funs` p_get): not there at all
    if (results[k].code === 0) map[g.key] = results[k].stdout.replace(/\n$/, '');
    else delete map[g.key];
  });
  for (const [r, map] of checked) r[CHECKED_OTHER_CONFIG] = JSON.stringify(map);
}
