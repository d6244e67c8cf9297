import t from 'tap';
import { spawnSync } from 'node:child_process';
import { commandLine, quote, QuoteError } from '../../providers/transport/quote.js';
import { HOSTILE } from './hostile.js';


// Runs `printf '%s\0' <words>` through a real POSIX shell and returns the words it saw.
function throughShell(words: string[]): string[] {
  const line = commandLine(['printf', '%s\\0', ...words]);
  const r = spawnSync('sh', ['-c', line], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sh failed: ${r.stderr}`);
  return r.stdout.split('\0').slice(0, -1);
}

t.test('every hostile value reaches a real shell byte for byte', async (t) => {
  for (const [name, value] of HOSTILE) {
    t.same(throughShell([value]), [value], `${name} arrives unchanged`);
  }
  t.same(throughShell(HOSTILE.map(([, v]) => v)), HOSTILE.map(([, v]) => v), 'all of them at once keep their boundaries');
});

t.test('plain words stay readable and special ones are quoted', async (t) => {
  const cases: [string, string][] = [
    ['vm-start', 'vm-start'],
    ['uuid=5b1d2c3e-aaaa-4bbb-8ccc-1234567890ab', 'uuid=5b1d2c3e-aaaa-4bbb-8ccc-1234567890ab'],
    ['', "''"],
    ['-rf', "'-rf'"],
    ["it's", "'it'\\''s'"],
    ['a b', "'a b'"],
  ];
  for (const [input, expected] of cases) t.equal(quote(input), expected, `${JSON.stringify(input)} is written ${expected}`);
});

t.test('a first word with "=" is quoted so that it is not an assignment', async (t) => {
  t.equal(commandLine(['X=1', 'a']), "'X=1' a");
  const r = spawnSync('sh', ['-c', commandLine(['X=1'])], { encoding: 'utf8' });
  t.not(r.status, 0, 'the shell looks for a command named X=1 instead of assigning');
});

t.test('a NUL byte is refused with an error that says why', async (t) => {
  t.throws(() => quote('a\0b'), QuoteError);
  t.throws(() => commandLine(['xe', 'vm-param-set', 'name-label=a\0b']), /NUL/);
});

t.test('an empty command is refused', async (t) => {
  t.throws(() => commandLine([]), /empty command/);
});
