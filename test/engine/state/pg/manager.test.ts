// The pg backend against a real throwaway PostgreSQL: one state for every working directory,
// compare-and-swap, fencing, locks that name their holder and are taken over only when safe.
import t, { type Test } from 'tap';
import os from 'node:os';
import { postgresMissing, startPostgres, type Postgres } from '../../../support/postgres.js';
import { stateManagerFor } from '../../../../engine/state/backend.js';
import { isPg, type PgStateManager } from '../../../../engine/state/pg/index.js';
import { openState } from '../../../../engine/state/session.js';
import { emptyState } from '../../../../engine/state/transitions.js';
import { LockError, StateConflictError } from '../../../../engine/state/manager.js';
import { redact } from '../../../../engine/state/pg/connection.js';
import type { State } from '../../../../planner/model/state.js';
import { query } from './support.js';

const missing = postgresMissing();
if (missing) t.fail(missing);

function workdir(t: Test, url: string, schema = 'lab', extra = ''): string {
  const dir = t.testdir({ 'main.xf.hcl': `xenform {\n  backend "pg" {\n    conn_str    = ${JSON.stringify(url)}\n    schema_name = "${schema}"\n  }\n}\n${extra}` });
  return dir;
}

function manager(dir: string, env: Record<string, string | undefined> = {}): PgStateManager {
  const m = stateManagerFor(dir, { ...env });
  if (!isPg(m)) throw new Error('expected the pg backend');
  return m;
}

const withVm = (s: State, address: string): State => ({
  ...s,
  resources: [...s.resources, { address, uuid: `uuid-${address}`, host: 'lab', owned: true, pending_reboot: false, booted_with: null, restart_trigger: null, attributes: {} } as never],
});

t.test('the pg backend', { skip: Boolean(missing) }, async (t) => {
  const db: Postgres = await startPostgres();
  t.teardown(() => db.destroy());

  t.test('a command on a backend that was never initialised says to run init', async (t) => {
    const m = manager(workdir(t, db.url, 'fresh'));
    t.teardown(() => m.close());
    await t.rejects(m.read(), /run `xenform init` first/);
    await t.rejects(m.lock('apply'), /run `xenform init` first/);
  });

  t.test('init creates everything inside the schema, nothing in public, and running it again changes nothing', async (t) => {
    const m = manager(workdir(t, db.url));
    t.teardown(() => m.close());
    const first = await m.migrate();
    t.equal(first.from, null);
    t.ok(first.applied.length > 0, 'the migrations ran');
    const again = await m.migrate();
    t.same(again.applied, [], 'a second init applies nothing');
    const inPublic = await query(db.admin.replace(/\/postgres$/, '/xenform'), `SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'`);
    t.same(inPublic.rows, [], 'nothing was created in public');
    await m.check();
  });

  t.test('two working directories on one database see one state', async (t) => {
    const a = manager(workdir(t, db.url));
    const b = manager(workdir(t, db.url));
    t.teardown(() => Promise.all([a.close(), b.close()]));
    const s = await openState(a, { operation: 'apply', xenformVersion: 't' });
    const written = await s.write(withVm(emptyState('t'), 'vm.web[0]'));
    await s.release();
    const seen = await b.read();
    t.equal(seen?.lineage, written.lineage, 'the other directory reads the same lineage');
    t.same(seen?.resources.map((r) => r.address), ['vm.web[0]']);
  });

  t.test('a second lock is refused at once, naming user@host, the operation and since when', async (t) => {
    const a = manager(workdir(t, db.url));
    const b = manager(workdir(t, db.url));
    t.teardown(() => Promise.all([a.close(), b.close()]));
    const held = await a.lock('apply');
    t.teardown(() => held.release());
    const t0 = Date.now();
    const err = await b.lock('apply').then(() => null, (e: unknown) => e);
    t.ok(err instanceof LockError, 'refused with a LockError');
    t.ok(Date.now() - t0 < 2000, 'within 2 s');
    const msg = (err as Error).message;
    t.match(msg, `${os.userInfo().username}@${os.hostname()}`);
    t.match(msg, '"apply"');
    t.match(msg, held.info.created);
    const listed = await b.locks();
    t.same(listed.map((l) => [l.id, l.who, l.operation, l.stale]), [[held.info.id, held.info.who, 'apply', false]], 'lock list shows the real holder');
  });

  t.test('a forged concurrent write is refused by the serial check, naming who wrote the newer version', async (t) => {
    const a = manager(workdir(t, db.url));
    t.teardown(() => a.close());
    const held = await a.lock('state mv');
    t.teardown(() => held.release());
    const now = (await held.read())!;
    await held.write(withVm(now, 'vm.db'), now.serial);
    const err = await held.write(withVm(now, 'vm.other'), now.serial).then(() => null, (e: unknown) => e);
    t.ok(err instanceof StateConflictError, 'refused as a conflict');
    t.match((err as Error).message, `expected serial ${now.serial}, found serial ${now.serial + 1}`);
    t.match((err as Error).message, new RegExp(`written by ${os.userInfo().username}@${os.hostname()} \\(state mv\\)`));
    t.same((await a.read())!.resources.map((r) => r.address).sort(), ['vm.db', 'vm.web[0]'], 'the refused write changed nothing');
  });

  t.test('a holder whose lock was taken over cannot write: its fencing token is old', async (t) => {
    const dir = workdir(t, db.url);
    // The old holder renews every 20 s, so within this test it looks frozen (as after SIGSTOP)
    // to the other, whose lease is 0.2 s.
    const a = manager(dir, { XENFORM_PG_LOCK_LEASE: '60' });
    const b = manager(dir, { XENFORM_PG_LOCK_LEASE: '0.2' });
    t.teardown(() => Promise.all([a.close(), b.close()]));
    const old = await a.lock('apply');
    const before = (await old.read())!;
    while (!(await b.locks()).some((l) => l.stale)) await new Promise((r) => setTimeout(r, 20)); // until the lease has passed
    const taker = await b.lock('apply');
    t.teardown(() => taker.release());
    t.match(taker.notes?.join(' ') ?? '', /Took over the lock of .*heartbeat stopped .* no step in flight/);
    const err = await old.write(withVm(before, 'vm.zombie'), before.serial).then(() => null, (e: unknown) => e);
    t.ok(err instanceof LockError, 'the revived holder is refused');
    t.match((err as Error).message, /was taken over or removed while it ran; the state is now locked by .* for "apply"/);
    t.notOk((await a.read())!.resources.some((r) => r.address === 'vm.zombie'), 'nothing of it was written');
    await t.rejects((await old.openJournal()).append({ t: 'end', time: 'x' }), /taken over or removed/, 'nor can it journal');
  });

  t.test('a lock past its lease is not taken over while its journal shows a step in flight', async (t) => {
    const dir = workdir(t, db.url, 'inflight');
    // The holder renews every 200 s: within this test, its heartbeat stays where it is set.
    const holder = manager(dir, { XENFORM_PG_LOCK_LEASE: '600' });
    const a = manager(dir, { XENFORM_PG_LOCK_LEASE: '0.2' });
    t.teardown(() => Promise.all([a.close(), holder.close()]));
    await a.migrate();
    const held = await holder.lock('apply');
    const j = await held.openJournal();
    await j.append({ t: 'start', step: 's1', address: 'vm.web[1]', host: 'lab', op: 'create', uuid: null, time: 'x' });
    // Another machine held it: the process check cannot prove it gone.
    await query(db.url, `UPDATE inflight.locks SET who = 'ci@runner-7', heartbeat = now() - interval '1 hour'`);
    const err = await a.lock('apply').then(() => null, (e: unknown) => e);
    t.ok(err instanceof LockError);
    t.match((err as Error).message, /ci@runner-7 .*journal shows step s1 \(create of vm\.web\[1\] on lab\) in flight/);
    await j.append({ t: 'done', step: 's1', address: 'vm.web[1]', host: 'lab', op: 'create', uuid: 'u1', time: 'x', resource: null });
    const taken = await a.lock('apply');
    t.match(taken.notes?.join(' ') ?? '', /Took over the lock of ci@runner-7/);
    await taken.release();
  });

  t.test('history keeps every version and old versions stay readable', async (t) => {
    const m = manager(workdir(t, db.url));
    t.teardown(() => m.close());
    const s = await openState(m, { operation: 'import', xenformVersion: 't' });
    const before = s.state!;
    await s.write(withVm(before, 'vm.hist'));
    await s.release();
    const h = await m.history();
    t.same(h.slice(-2).map((v) => [v.serial, v.operation, v.resources]), [
      [before.serial, h[h.length - 2].operation, before.resources.length],
      [before.serial + 1, 'import', before.resources.length + 1],
    ]);
    t.same(h.map((v) => v.serial), [...h.map((v) => v.serial)].sort((x, y) => x - y), 'in serial order');
    const old = await m.readVersion(before.serial);
    t.same(old?.resources.map((r) => r.address), before.resources.map((r) => r.address), 'the old version reads as it was');
    t.equal(await m.readVersion(9999), null, 'a serial never written reads as nothing');
  });

  t.test('two schemas on one database never share a lock', async (t) => {
    const a = manager(workdir(t, db.url, 'lab'));
    const b = manager(workdir(t, db.url, 'other'));
    t.teardown(() => Promise.all([a.close(), b.close()]));
    await b.migrate();
    const ha = await a.lock('apply');
    const hb = await b.lock('apply');
    t.pass('both locked');
    await Promise.all([ha.release(), hb.release()]);
  });

  t.test('through PgBouncer in transaction mode: one state, locks refused and released', async (t) => {
    const bouncer = await db.pgbouncer();
    const a = manager(workdir(t, bouncer));
    const b = manager(workdir(t, bouncer));
    t.teardown(() => Promise.all([a.close(), b.close()]));
    const held = await a.lock('apply');
    await t.rejects(b.lock('apply'), /held by .* for "apply"/);
    const now = (await held.read())!;
    const next = await held.write(withVm(now, 'vm.bounced'), now.serial);
    await held.release();
    const again = await b.lock('apply');
    t.equal((await again.read())!.serial, next.serial, 'the other client sees the write');
    await again.release();
  });

  t.test('the connection string is never shown with its password, and the environment wins', async (t) => {
    t.equal(redact('postgres://xf:s3cret@db.example/xenform'), 'postgres://xf:***@db.example/xenform');
    const dir = workdir(t, 'postgres://xf:s3cret@127.0.0.1:1/nowhere');
    const m = manager(dir, { XENFORM_PG_CONN_STR: db.url });
    t.teardown(() => m.close());
    t.ok(await m.read(), 'XENFORM_PG_CONN_STR was used over the file');
    const bad = manager(dir);
    t.teardown(() => bad.close());
    const err = await bad.read().then(() => null, (e: unknown) => e);
    t.match((err as Error).message, /cannot be reached/);
    t.notMatch((err as Error).message, 's3cret');
  });
});
