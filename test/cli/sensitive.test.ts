// The README's promise: a value built from a `sensitive = true` variable is never shown in
// clear, in the plan text, the PR Markdown, the plan JSON, `show` or the progress lines.
import fs from 'node:fs';
import t from 'tap';
import { xenform } from '../support/cli-io.js';
import { writeDir } from '../support/files.js';
import { HOST } from '../planner/config/support.js';

const CONFIG =
  `${HOST}variable "owner" {\n  type      = string\n  sensitive = true\n}\n` +
  'vm "web" {\n  host        = host.lab\n  template    = "Debian Bookworm 12"\n  power_state = "halted"\n  memory      = "1GiB"\n' +
  '  other_config = {\n    owner = var.owner\n  }\n}\n';

t.test('sensitive values are shown as (sensitive value) everywhere a plan is shown', async (t) => {
  const dir = writeDir({ 'main.xf.hcl': CONFIG });
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const run = (...args: string[]) => xenform(['--chdir', dir, ...args], { env: { NO_COLOR: '1' }, cwd: '/' });

  const created = await run('apply', '--auto-approve', '--json', '--var', 'owner=alice-SECRET');
  t.equal(created.code, 0, created.stderr);
  t.notMatch(created.stdout + created.stderr, 'alice-SECRET', 'the progress lines of the create do not carry the value');

  const cases: { name: string; args: string[] }[] = [
    { name: 'the plan text', args: ['plan'] },
    { name: 'the PR Markdown', args: ['plan', '--markdown'] },
    { name: 'the plan JSON', args: ['plan', '--json'] },
  ];
  for (const c of cases) {
    const r = await run(...c.args, '--var', 'owner=bob-SECRET');
    t.equal(r.code, 0, `${c.name}: ${r.stderr}`);
    t.notMatch(r.stdout + r.stderr, /alice-SECRET|bob-SECRET/, `${c.name} does not show the old or the new value`);
    t.match(r.stdout, '(sensitive value)', `${c.name} says a sensitive value changes`);
  }

  const json = JSON.parse((await run('plan', '--json', '--var', 'owner=bob-SECRET')).stdout);
  const change = json.resource_changes[0].changes.find((c: { path: string }) => c.path === 'other_config.owner');
  t.same(
    { sensitive: change.sensitive, before: change.before, after: change.after },
    { sensitive: true, before: '(sensitive value)', after: '(sensitive value)' },
    'the plan JSON marks the change sensitive and masks both sides',
  );
  t.equal(json.resource_changes[0].changes.find((c: { path: string }) => c.path !== 'other_config.owner')?.sensitive ?? false, false);

  t.equal((await run('plan', '--out', 'next.plan', '--var', 'owner=bob-SECRET')).code, 0);
  for (const flags of [[], ['--markdown'], ['--json']]) {
    const shown = await run('show', ...flags, 'next.plan');
    t.equal(shown.code, 0, shown.stderr);
    t.notMatch(shown.stdout, /alice-SECRET|bob-SECRET/, `show ${flags.join(' ')} does not show the value`);
    t.match(shown.stdout, '(sensitive value)');
  }

  const applied = await run('apply', '--json', 'next.plan'); // the saved plan carries its own variable values
  t.equal(applied.code, 0, applied.stderr);
  t.notMatch(applied.stdout + applied.stderr, /alice-SECRET|bob-SECRET/, 'the progress lines of the update do not carry the value');
});
