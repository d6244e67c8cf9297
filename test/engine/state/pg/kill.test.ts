// The apply holding the pg lock is killed (SIGKILL) at random moments on one machine; another
// machine's apply takes the lock over (its holder is provably gone, its lease short) and
// converges: no VM lost or doubled. XENFORM_CRASH_SEED replays a sequence; XENFORM_PG_KILL_RUNS
// changes how many kills (default 20).
import t from 'tap';
import path from 'node:path';
import { postgresMissing } from '../../../support/postgres.js';
import { BUILT, cli, random, sshdAvailable } from '../../crash-support.js';
import { disagreements, twoMachines } from './support.js';

const RUNS = Number(process.env.XENFORM_PG_KILL_RUNS ?? 20);
const SEED = Number(process.env.XENFORM_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const missing = postgresMissing() ?? (!sshdAvailable() ? 'sshd is not installed (apt-get install openssh-server)' : !BUILT ? 'run `npm run build` first' : null);
if (missing) t.fail(missing);

t.test('a holder killed mid-apply is taken over by another machine, which converges with no VM lost or doubled', { skip: Boolean(missing), timeout: 1_200_000 }, async (t) => {
  t.comment(`seed ${SEED} (replay with XENFORM_CRASH_SEED=${SEED})`);
  const rand = random(SEED);
  const { db, sshd, a, b } = await twoMachines(t, 10);
  const env = { XENFORM_PG_LOCK_LEASE: '1' };
  t.equal((await cli(a, ['init'])).code, 0);
  const first = await cli(a, ['apply', '--auto-approve', '--var', 'n=3'], { env });
  t.equal(first.code, 0, first.stderr);
  const window = Math.max(500, first.ms);
  t.comment(`an apply of 3 VMs takes ${first.ms} ms here; kills land within ${window} ms`);

  let takeovers = 0;
  for (let run = 1; run <= RUNS; run++) {
    const n = 1 + Math.floor(rand() * 3);
    const killAfterMs = Math.floor(rand() * window);
    const vars = ['--var', `n=${n}`, '--var', `power=${rand() < 0.7 ? 'running' : 'halted'}`];
    const what = `run ${run} (seed ${SEED}): n=${n}, killed after ${killAfterMs} ms`;
    await cli(a, ['apply', '--auto-approve', ...vars], { killAfterMs, env });
    const other = await cli(b, ['apply', '--auto-approve', ...vars], { env });
    if (other.code !== 0) {
      t.fail(`${what}: the other machine's apply failed (exit ${other.code}):\n${other.stderr}\n${other.stdout.slice(-2000)}`);
      break;
    }
    if (/Took over the lock/.test(other.stdout + other.stderr)) takeovers++;
    const problems = await disagreements(sshd, b, n);
    if (problems.length) {
      t.fail(`${what}:\n  ${problems.join('\n  ')}`);
      break;
    }
    t.pass(`${what}: converged`);
  }
  t.comment(`${takeovers} of ${RUNS} kills left a lock that the other machine took over`);
  t.ok(takeovers > 0, 'some kills landed while the lock was held');
});
