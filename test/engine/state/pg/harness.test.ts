// README, "On a fresh machine": the team-state tests' PostgreSQL cluster and PgBouncer leave
// nothing running and listen on nothing beyond 127.0.0.1.
import t from 'tap';
import { alive, LOOPBACK, listeners, owners, withChildren } from '../../../support/listeners.js';
import { startPostgres } from '../../../support/postgres.js';
import { until } from '../../../providers/ssh-cli.js';

t.test('the test PostgreSQL and PgBouncer listen on 127.0.0.1 only and leave nothing running', async (t) => {
  const pg = await startPostgres();
  let destroyed = false;
  t.teardown(() => (destroyed ? undefined : pg.destroy()));
  const bouncerUrl = await pg.pgbouncer();
  const ports = new Set([pg.port, Number(new URL(bouncerUrl).port)]);

  const ours = listeners().filter((l) => ports.has(l.port));
  t.same([...new Set(ours.map((l) => l.port))].sort(), [...ports].sort(), 'both the server and the bouncer listen');
  t.same(
    ours.filter((l) => !LOOPBACK.has(l.address)).map((l) => `${l.address}:${l.port}`),
    [],
    'no listening socket on any other address',
  );
  const listening = owners(new Set(ours.map((l) => l.inode)));
  t.ok(listening.length >= 2, `the listening processes are found (${listening.join(', ')})`);
  const pids = withChildren(listening);

  await pg.destroy();
  destroyed = true;
  await until(() => pids.every((p) => !alive(p)), 'the server, its backends and the bouncer exit', 30_000);
  t.same(pids.filter(alive), [], 'the server, its backends and the bouncer have exited');
  t.same(listeners().filter((l) => ports.has(l.port)), [], 'nothing listens on their ports any more');
});
