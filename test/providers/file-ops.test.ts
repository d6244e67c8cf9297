import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asFileOp, fileOp, parseReadDir } from '../../providers/transport/file-ops.js';

// The same operation through a real shell (as over SSH) and natively (as in the simulator).
async function both(make: (dir: string) => string[]) {
  const results = [];
  for (const how of ['shell', 'native'] as const) {
    const dir = mkdtempSync(join(tmpdir(), `xenform-fileops-${how}-`));
    mkdirSync(join(dir, 'etc'));
    writeFileSync(join(dir, 'etc', 'web-0.cfg'), 'name = "web-0"\n');
    writeFileSync(join(dir, 'etc', "it's odd.cfg"), 'name = "odd"');
    writeFileSync(join(dir, 'etc', 'notes.txt'), 'not a guest');
    mkdirSync(join(dir, 'etc', 'sub.cfg'));
    const argv = make(dir);
    if (how === 'shell') {
      const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
      results.push({ dir, stdout: r.stdout, code: r.status });
    } else {
      const op = asFileOp(argv)!;
      const r = await op.op.native(op.args, (p) => p);
      results.push({ dir, stdout: r.stdout, code: r.code });
    }
  }
  return results;
}

t.test('read-dir gives the same records through a shell and natively', async (t) => {
  const [sh, native] = await both((dir) => fileOp('read-dir', join(dir, 'etc'), '.cfg'));
  const want = [{ name: "it's odd.cfg", content: 'name = "odd"' }, { name: 'web-0.cfg', content: 'name = "web-0"\n' }];
  t.same(parseReadDir(sh.stdout).sort((a, b) => a.name.localeCompare(b.name)), want, 'shell');
  t.same(parseReadDir(native.stdout).sort((a, b) => a.name.localeCompare(b.name)), want, 'native');
});

t.test('a missing directory reads as empty, not as an error', async (t) => {
  for (const r of await both((dir) => fileOp('read-dir', join(dir, 'nope'), '.cfg'))) t.same([r.code, r.stdout], [0, '']);
  for (const r of await both((dir) => fileOp('list-dir', join(dir, 'nope')))) t.same([r.code, r.stdout], [0, '']);
});

t.test('list-dir, remove, mkdir and create-image agree', async (t) => {
  const [sh, native] = await both((dir) => fileOp('list-dir', join(dir, 'etc')));
  t.equal(sh.stdout.split('\n').sort().join('\n'), native.stdout.split('\n').sort().join('\n'));
  for (const r of await both((dir) => fileOp('remove', join(dir, 'etc', 'web-0.cfg')))) t.notOk(existsSync(join(r.dir, 'etc', 'web-0.cfg')), 'removed');
  for (const r of await both((dir) => fileOp('remove', join(dir, 'etc', 'missing')))) t.equal(r.code, 0, 'removing a missing file is fine');
  for (const r of await both((dir) => fileOp('mkdir', join(dir, 'a', 'b')))) t.ok(statSync(join(r.dir, 'a', 'b')).isDirectory());
  for (const r of await both((dir) => fileOp('create-image', join(dir, 'disk.img'), '1048576'))) t.equal(statSync(join(r.dir, 'disk.img')).size, 1048576);
  for (const r of await both((dir) => fileOp('create-image', join(dir, 'etc', 'notes.txt'), '99'))) t.equal(readFileSync(join(r.dir, 'etc', 'notes.txt'), 'utf8'), 'not a guest', 'an existing image is kept');
});

t.test('only argv built by fileOp is taken for a file operation', async (t) => {
  t.equal(asFileOp(['sh', '-c', 'rm -rf /', 'xenform-file-op:remove', '/x']), null, 'a different script with the same name is not');
  t.equal(asFileOp(['xe', 'vm-list']), null);
});
