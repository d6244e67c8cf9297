// The simulated xl against real Xen 4.17 xl: the captured sequence of test/fixtures/xl-real
// (manifest.tsv) replayed on the simulator, stdout, stderr and exit code compared byte for
// byte after masking what differs from run to run (CPU time, uuids, machine frame numbers).
import { FIXTURES as FIXTURE_ROOT, REPO_ROOT } from '../../support/paths.js';
import t from 'tap';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSim } from '../../../providers/sim/index.js';
import { update } from '../../../providers/sim/store.js';
import assert from 'node:assert/strict';

const FIXTURES = process.env.XL_REAL_DIR ?? join(FIXTURE_ROOT, 'xl-real');

// The guest config the capture script gave dom0.
const FIX_CFG = readFileSync(join(REPO_ROOT, 'test', 'xen-host', 'fix.cfg'), 'utf8');

function mask(s: string): string {
  return s
    .replace(/(r-----|-b----|--p---|---sc-|---s--)( +)[0-9]+\.[0-9]$/gm, (_m, st: string) => `${st}  <time>`)
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/mfn 0x[0-9a-f]+/g, 'mfn <mfn>');
}

const manifestPath = join(FIXTURES, 'manifest.tsv');

t.test('the simulated xl prints what real Xen 4.17 xl printed', { skip: existsSync(manifestPath) ? false : 'no captures in test/fixtures/xl-real yet' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xensim-xlreal-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const root = join(dir, 'root');
  mkdirSync(join(root, 'etc/xen/fixtures'), { recursive: true });
  mkdirSync(join(root, 'var/lib/xen/save'), { recursive: true });
  writeFileSync(join(root, 'etc/xen/fixtures/fix.cfg'), FIX_CFG);
  writeFileSync(join(root, 'etc/xen/fixtures/fixcrash.cfg'), FIX_CFG.replace('name = "fix"', 'name = "fixcrash"').replace('xf_fixture=1', 'xf_crash=1'));
  const opts = { statePath: join(dir, 'host.json'), toolstack: 'xl' as const, root, faults: '{"crash": ["fixcrash"]}' };
  // The captured host had built six domains before: start numbering where it did.
  await runSim(['xl', 'list'], opts);
  await update(opts.statePath, () => assert.fail('the host exists'), (st) => {
    st.nextDomid = 7;
  });

  const rows = readFileSync(manifestPath, 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
  for (const [name, exit, command] of rows) {
    if (!command.startsWith('xl ') || command === 'xl info') continue;
    const argv = command.split(' ');
    const r = await runSim(argv, opts);
    const want = { out: readFileSync(join(FIXTURES, `${name}.out`), 'utf8'), err: readFileSync(join(FIXTURES, `${name}.err`), 'utf8') };
    t.test(`${command} (${name})`, async (t) => {
      t.equal(r.code, Number(exit), 'exit code');
      t.equal(mask(r.stdout), mask(want.out), 'stdout');
      t.equal(mask(r.stderr), mask(want.err), 'stderr');
    });
  }
});
