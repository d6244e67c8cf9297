// README, "On a fresh machine": `npx xenform plan` runs this package's own bin, building it
// first through `prepare`. Checked on a copy of the repository that has no dist/ yet.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { repoRoot } from './cli.js';

// What a fresh clone holds: no build output, no dependencies (linked in below, as `npm ci` would put them), no local runs.
const notInAClone = /(^|[\\/])(\.git|dist|node_modules|\.xenform|xenform\.state\.json[^\\/]*|xenform\.lock\.json)$/;

t.test('npx xenform in a fresh checkout builds dist/ first, then runs the command', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'xenform-fresh-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(repoRoot, dir, { recursive: true, filter: (src) => !notInAClone.test(path.relative(repoRoot, src)) });
  symlinkSync(realpathSync(path.join(repoRoot, 'node_modules')), path.join(dir, 'node_modules'));
  t.notOk(existsSync(path.join(dir, 'dist')), 'the copy starts without dist/');

  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1' };
  delete env.NODE_OPTIONS; // tap's loader, which a user's shell does not have
  const r = spawnSync('npx', ['--yes', 'xenform', '--chdir', 'examples/quickstart', 'validate'], {
    cwd: dir,
    env,
    encoding: 'utf8',
    timeout: 600_000, // a safety net for a hung npm, not a measure
  });
  t.equal(r.status, 0, `npx xenform validate exits 0\n${r.stderr}`);
  t.match(r.stdout, /The configuration is valid/);
  t.ok(existsSync(path.join(dir, 'dist', 'cli', 'main.js')), 'the first run built dist/');
  t.end();
});
