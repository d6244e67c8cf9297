// README, "On a fresh machine": `npm ci && npm run quickstart`, and `npx xenform plan`, which
// runs this package's own bin, building it first through `prepare`. Checked on a copy of the
// repository that has no dist/ yet.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { repoRoot } from './cli.js';

// What a fresh clone holds: no build output, no dependencies (linked in below, as `npm ci` would put them), no local runs.
const notInAClone = /(^|[\\/])(\.git|dist|node_modules|\.xenform|xenform\.state\.json[^\\/]*|xenform\.lock\.json)$/;

const dir = mkdtempSync(path.join(tmpdir(), 'xenform-fresh-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
cpSync(repoRoot, dir, { recursive: true, filter: (src) => !notInAClone.test(path.relative(repoRoot, src)) });
symlinkSync(realpathSync(path.join(repoRoot, 'node_modules')), path.join(dir, 'node_modules'));
const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1' };
delete env.NODE_OPTIONS; // tap's loader, which a user's shell does not have

t.test('npx xenform in a fresh checkout builds dist/ first, then runs the command', (t) => {
  t.notOk(existsSync(path.join(dir, 'dist')), 'the copy starts without dist/');
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

t.test('npm run quickstart plans and applies two VMs on the simulated host, and a second plan finds nothing to do', (t) => {
  const r = spawnSync('npm', ['run', 'quickstart'], { cwd: dir, env, encoding: 'utf8', timeout: 600_000 });
  t.equal(r.status, 0, `npm run quickstart exits 0\n${r.stderr}`);
  t.match(r.stdout, /Plan: 2 to add, 0 to change, 0 to destroy/, 'the first plan creates the two VMs');
  t.match(r.stdout, /Apply complete!/, 'the apply runs');
  t.match(r.stdout.slice(r.stdout.lastIndexOf('$ xenform plan')), /No changes/, 'the second plan finds nothing to do');
  t.end();
});
