// The pg backend through the xenform command, against a real throwaway PostgreSQL and the
// simulated dom0 behind a real sshd: init, several machines on one state, a refused second
// apply, history and rollback, PostgreSQL stopped mid-apply, and the same through PgBouncer.
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { postgresMissing, PGBOUNCER, startPostgres } from '../../../support/postgres.js';
import { startSshd } from '../../../support/sshd.js';
import { BUILT, cli, ROOT, sshdAvailable } from '../../crash-support.js';
import { STATE_FILE } from '../../../../planner/model/state.js';
import { parseState } from '../../../../engine/state/format.js';
import { SPILL_FILE } from '../../../../engine/state/pg/journal.js';
import { disagreements, machine, pulled, query, until } from './support.js';

const EXAMPLE = path.join(ROOT, 'examples', 'pull-request');

// An apply holds the lock and has recorded the plan it runs in it.
const locked = async (url: string, schema: string): Promise<boolean> =>
  (await query(url, `SELECT operation, plan_id FROM ${schema}.locks`)).rows.some((r) => r.operation === 'apply' && r.plan_id !== null);

// Freezes the apply holding the lock (SIGSTOP), so that what is checked while it holds the lock
// cannot race with its end; the returned function lets it go on.
async function freezeHolder(url: string, schema: string): Promise<() => void> {
  const pid = Number((await query(url, `SELECT pid FROM ${schema}.locks WHERE operation = 'apply'`)).rows[0].pid);
  process.kill(pid, 'SIGSTOP');
  return () => process.kill(pid, 'SIGCONT');
}

const missing = postgresMissing() ?? (!sshdAvailable() ? 'sshd is not installed (apt-get install openssh-server)' : !BUILT ? 'run `npm run build` first' : null);
if (missing) t.fail(missing);

t.test('the pg backend from the command line', { skip: Boolean(missing), timeout: 900_000 }, async (t) => {
  const db = await startPostgres();
  t.teardown(() => db.destroy());
  const simState = path.join(t.testdirName + '-sim.json');
  t.teardown(() => fs.rmSync(simState, { force: true }));
  const sshd = await startSshd({ env: { XENSIM_STATE: simState, XENSIM_FAULTS: JSON.stringify({ latency_ms: { '*': 20 } }) } });
  t.teardown(() => sshd.stop());
  const me = `${os.userInfo().username}@${os.hostname()}`;

  t.test('plan on a backend never initialised says to run init; init --migrate-state keeps lineage and serial', async (t) => {
    // A team that started with the local file: two applies, so the serial is past 0.
    const dir = machine(t, sshd, db.url, 'lab');
    const config = fs.readFileSync(path.join(dir, 'main.xf.hcl'), 'utf8');
    fs.writeFileSync(path.join(dir, 'main.xf.hcl'), config.replace(/^xenform \{[\s\S]*?\n\}\n/, ''));
    t.equal((await cli(dir, ['apply', '--auto-approve', '--var', 'n=1'])).code, 0);
    t.equal((await cli(dir, ['apply', '--auto-approve', '--var', 'n=2'])).code, 0);
    const local = parseState(fs.readFileSync(path.join(dir, STATE_FILE), 'utf8'));
    fs.writeFileSync(path.join(dir, 'main.xf.hcl'), config);

    const plan = await cli(dir, ['plan', '--var', 'n=2']);
    t.equal(plan.code, 1);
    t.match(plan.stderr, /no xenform tables in schema "lab" .*run `xenform init` first/);

    const init = await cli(dir, ['init', '--migrate-state']);
    t.equal(init.code, 0, init.stderr);
    t.match(init.stdout, /Created 1: states/);
    t.match(init.stdout, new RegExp(`Moved the local state into the pg backend: lineage ${local.lineage}, serial ${local.serial}, 2 VMs`));
    t.notOk(fs.existsSync(path.join(dir, STATE_FILE)), 'the local file cannot be used by mistake any more');
    t.ok(fs.existsSync(path.join(dir, `${STATE_FILE}.migrated-to-pg`)), 'it was renamed, not deleted');
    const moved = await pulled(dir);
    t.equal(moved?.lineage, local.lineage, 'lineage kept');
    t.equal(moved?.serial, local.serial, 'serial kept');
    t.same((await cli(dir, ['init'])).stdout.split('\n')[1], 'Its schema is up to date (version 2).');
  });

  t.test('another machine sees the same state: its plan has nothing to do', async (t) => {
    const other = machine(t, sshd, db.url, 'lab');
    t.equal((await cli(other, ['init'])).code, 0);
    const plan = await cli(other, ['plan', '--var', 'n=2', '--detailed-exitcode']);
    t.equal(plan.code, 0, `no changes: ${plan.stdout}${plan.stderr}`);
    t.same(await disagreements(sshd, other, 2), []);
  });

  t.test('a second apply while one runs is refused within 2 s, naming who, what and since when; a plan does not wait', async (t) => {
    const a = machine(t, sshd, db.url, 'lab');
    const b = machine(t, sshd, db.url, 'lab');
    const first = cli(a, ['apply', '--auto-approve', '--var', 'n=4']);
    await until('the first apply holds the lock', () => locked(db.url, 'lab'));
    const thaw = await freezeHolder(db.url, 'lab');
    const list = await cli(b, ['lock', 'list']);
    t.match(list.stdout, new RegExp(`${me} \\(pid \\d+\\)  "apply"  since \\S+  heartbeat \\S+  plan sha256:[0-9a-f]{16} \\(\\d+ steps?, state serial \\d+\\)\\n`), 'lock list names the holder and the plan it applies');
    const second = await cli(b, ['apply', '--auto-approve', '--var', 'n=4']);
    t.equal(second.code, 1);
    // Refused, not queued: it did not wait for the first to finish (the 2 s bound of the
    // refusal itself is checked in manager.test.ts, without node's start-up in it).
    t.notMatch(second.stderr, /after waiting/);
    t.match(second.stderr, new RegExp(`The state is locked: held by ${me} \\(pid \\d+\\) for "apply" since \\d{4}-\\d\\d-\\d\\dT`));
    t.match(second.stderr, /, applying plan sha256:[0-9a-f]{16} \(\d+ steps?, made against state serial \d+\)/, 'and the plan it applies');
    const plan = await cli(b, ['plan', '--var', 'n=4']);
    t.equal(plan.code, 0, plan.stderr);
    t.match(plan.stdout + plan.stderr, /this plan was made against its last written version/);
    thaw();
    const finished = await first;
    t.equal(finished.code, 0, `the first apply finishes (${finished.stderr})`);
    t.same(await disagreements(sshd, b, 4), []);
  });

  t.test('history lists every version; an old one can be read and rolled back to', async (t) => {
    const dir = machine(t, sshd, db.url, 'lab');
    const before = (await pulled(dir))!;
    const history = await cli(dir, ['state', 'history']);
    t.equal(history.code, 0, history.stderr);
    t.match(history.stdout, new RegExp(`\\n${before.serial}\\s+\\S+\\s+${me.replace(/\./g, '\\.')}\\s+apply\\s+4\\n`));
    const old = (await pulled(dir, ['--serial', String(before.serial - 1)]))!;
    t.equal(old.serial, before.serial - 1);
    const show = await cli(dir, ['state', 'show', 'vm.web[0]', '--serial', String(before.serial - 1)]);
    t.match(show.stdout, /# vm\.web\[0\]/);
    const noTty = await cli(dir, ['state', 'rollback', String(old.serial)]);
    t.equal(noTty.code, 1);
    t.match(noTty.stderr, /no terminal to confirm on/);
    const rolled = await cli(dir, ['state', 'rollback', String(old.serial), '--force']);
    t.equal(rolled.code, 0, rolled.stderr);
    const now = (await pulled(dir))!;
    t.equal(now.serial, before.serial + 1, 'the rollback is a new version');
    t.same(now.resources.map((r) => r.uuid), old.resources.map((r) => r.uuid), 'with the old content');
    t.match((await cli(dir, ['state', 'pull', '--serial', '9999'])).stderr, /no state version with serial 9999/);
    // Back to what the hosts have, for the tests that follow.
    t.equal((await cli(dir, ['state', 'rollback', String(before.serial), '--force'])).code, 0);
  });

  t.test('if the database goes away mid-apply, the journal of the steps in flight is kept in xenform.state.json.pg-spill and folded in by the next run: nothing is lost', async (t) => {
    const dir = machine(t, sshd, db.url, 'lab');
    const apply = cli(dir, ['apply', '--auto-approve', '--var', 'n=8', '--parallelism', '2']);
    await until('the apply has finished a step', async () => {
      const r = await query(db.url, `SELECT count(*)::int AS n FROM lab.journal WHERE entry LIKE '{"t":"done"%'`);
      return r.rows[0].n > 0;
    });
    await db.stop();
    const stopped = await apply;
    t.equal(stopped.code, 1, 'the apply stops');
    t.match(stopped.stderr, /cannot be reached/);
    const spilled = fs.existsSync(path.join(dir, SPILL_FILE));
    t.comment(spilled ? 'journal entries were spilled to the local file' : 'no step finished after the database went away');
    await db.start();
    const again = await cli(dir, ['apply', '--auto-approve', '--var', 'n=8']);
    t.equal(again.code, 0, again.stderr);
    t.notOk(fs.existsSync(path.join(dir, SPILL_FILE)), 'the spill file was folded in');
    if (spilled) t.match(again.stderr + again.stdout, /were moved into the database/);
    t.same(await disagreements(sshd, dir, 8), []);
  });

  t.test('the pull-request example: CI plans and posts Markdown, the apply job applies the saved plan from another checkout', async (t) => {
    const ci = machine(t, sshd, db.url, 'lab');
    const applier = machine(t, sshd, db.url, 'lab');
    for (const dir of [ci, applier]) fs.writeFileSync(path.join(dir, 'n.auto.xfvars.hcl'), 'n = 9\n');
    const env = { ...process.env, NO_COLOR: '1', PR_NUMBER: '' };
    const planned = spawnSync('bash', [path.join(EXAMPLE, 'plan-comment.sh'), ci], { cwd: ci, env, encoding: 'utf8' });
    t.equal(planned.status, 0, planned.stderr);
    t.match(planned.stdout, 'Changes without disruption.');
    t.match(fs.readFileSync(path.join(ci, 'plan-comment.md'), 'utf8'), /vm\.web\[8\]/, 'the Markdown comment shows the change');
    const applied = spawnSync('bash', [path.join(EXAMPLE, 'apply-saved.sh'), applier, path.join(ci, 'plan.xfplan')], { env, encoding: 'utf8' });
    t.equal(applied.status, 0, applied.stderr);
    t.same(await disagreements(sshd, applier, 9), []);
    const again = spawnSync('bash', [path.join(EXAMPLE, 'apply-saved.sh'), applier, path.join(ci, 'plan.xfplan')], { env, encoding: 'utf8' });
    t.equal(again.status, 1, 'the same saved plan is refused once the state moved');
    t.match(again.stderr, /made against state serial \d+, but the state is now at serial \d+/);
  });

  t.test('through PgBouncer in transaction mode: one state, a refused second apply, history', { skip: PGBOUNCER ? false : undefined }, async (t) => {
    if (!PGBOUNCER) return t.fail('pgbouncer is not installed: apt-get install pgbouncer (.ci/run does)');
    const url = await db.pgbouncer();
    // A host of its own: the VMs of the "lab" state carry the same addresses, and a state of
    // another lineage may not create their twins.
    const bouncedState = path.join(t.testdirName + '-sim.json');
    t.teardown(() => fs.rmSync(bouncedState, { force: true }));
    const host = await startSshd({ env: { XENSIM_STATE: bouncedState, XENSIM_FAULTS: JSON.stringify({ latency_ms: { '*': 20 } }) } });
    t.teardown(() => host.stop());
    const a = machine(t, host, url, 'bounced');
    const b = machine(t, host, url, 'bounced');
    t.equal((await cli(a, ['init'])).code, 0);
    t.equal((await cli(a, ['apply', '--auto-approve', '--var', 'n=0'])).code, 0, 'an empty apply writes the first state');
    const first = cli(a, ['apply', '--auto-approve', '--var', 'n=2']);
    await until('the first apply holds the lock', () => locked(db.url, 'bounced'));
    const thaw = await freezeHolder(db.url, 'bounced');
    const second = await cli(b, ['apply', '--auto-approve', '--var', 'n=2']);
    t.match(second.stderr, /The state is locked: held by .* for "apply"/);
    thaw();
    const finished = await first;
    t.equal(finished.code, 0, `the first apply finishes (${finished.stderr})`);
    t.equal((await cli(b, ['plan', '--var', 'n=2', '--detailed-exitcode'])).code, 0, 'the other machine sees the state');
    t.match((await cli(b, ['state', 'history'])).stdout, /apply/);
    t.equal((await cli(b, ['lock', 'list'])).stdout.trim().endsWith('is not locked.'), true);
  });
});
