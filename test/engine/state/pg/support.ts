// Shared by the pg backend's command-line tests: working directories ("machines") whose state
// is in one PostgreSQL schema and whose one host is the simulated dom0 behind a real sshd,
// and a check that the host and the state agree with the configuration.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Test } from 'tap';
import { parseState } from '../../../../engine/state/format.js';
import type { State } from '../../../../planner/model/state.js';
import { startPostgres, type Postgres } from '../../../support/postgres.js';
import { startSshd, type Sshd } from '../../../support/sshd.js';
import { cli, hostBlock, inventory, WEB_BLOCK } from '../../crash-support.js';

export function backendBlock(url: string, schema: string): string {
  return `xenform {\n  backend "pg" {\n    conn_str    = ${JSON.stringify(url)}\n    schema_name = "${schema}"\n  }\n}\n`;
}

// A fresh directory with the shared configuration: another checkout, another machine.
export function machine(t: Test, sshd: Sshd, url: string, schema: string): string {
  const parent = t.testdirName.replace(/[^/]+$/, '');
  fs.mkdirSync(parent, { recursive: true }); // absent in a fresh checkout until some test made it
  const dir = fs.mkdtempSync(path.join(parent, `pg-machine-`));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'main.xf.hcl'), backendBlock(url, schema) + hostBlock(sshd) + WEB_BLOCK);
  return dir;
}

export async function pulled(dir: string, args: string[] = []): Promise<State | null> {
  const r = await cli(dir, ['state', 'pull', ...args]);
  if (r.code !== 0) throw new Error(`state pull failed: ${r.stderr}`);
  return r.stdout.trim() === '{}' ? null : parseState(r.stdout);
}

export async function query(url: string, text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(text, params);
  } finally {
    await c.end();
  }
}

// What is wrong between the host, the state and `n` configured VMs web-0..web-(n-1).
export async function disagreements(sshd: Sshd, dir: string, n: number): Promise<string[]> {
  const inv = await inventory(sshd, dir);
  const state = await pulled(dir);
  const names = inv.vms.map((v) => v.attributes.name).sort();
  const expected = Array.from({ length: n }, (_, i) => `web-${i}`).sort();
  const problems: string[] = [];
  if (new Set(names).size !== names.length) problems.push(`a VM exists twice: ${names.join(', ')}`);
  if (JSON.stringify(names) !== JSON.stringify(expected)) problems.push(`the host has ${names.join(', ') || 'no VMs'}, configured ${expected.join(', ')}`);
  const onHost = new Set(inv.vms.map((v) => v.uuid));
  for (const r of state?.resources ?? []) if (!onHost.has(r.uuid)) problems.push(`${r.address} (${r.uuid}) is in the state but not on the host`);
  const recorded = new Set((state?.resources ?? []).map((r) => r.uuid));
  for (const vm of inv.vms) if (!recorded.has(vm.uuid)) problems.push(`VM ${vm.attributes.name} (${vm.uuid}) is on the host but not in the state`);
  return problems;
}

export async function until(what: string, check: () => Promise<boolean>, limitMs = 60_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 25)); // polling for a state, not waiting for a duration
  }
}

// A throwaway PostgreSQL, the simulated dom0 behind a real sshd (each command taking
// `latencyMs`), and two machines on its schema "lab"; all stopped and removed after the test.
export async function twoMachines(t: Test, latencyMs: number): Promise<{ db: Postgres; sshd: Sshd; a: string; b: string }> {
  const db = await startPostgres();
  t.teardown(() => db.destroy());
  const simState = `${t.testdirName}-sim.json`;
  t.teardown(() => fs.rmSync(simState, { force: true }));
  const sshd = await startSshd({ env: { XENSIM_STATE: simState, XENSIM_FAULTS: JSON.stringify({ latency_ms: { '*': latencyMs } }) } });
  t.teardown(() => sshd.stop());
  return { db, sshd, a: machine(t, sshd, db.url, 'lab'), b: machine(t, sshd, db.url, 'lab') };
}
