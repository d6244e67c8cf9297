import t from 'tap';
import { editDistance, suggest } from '../../lang/didyoumean.js';

const names = ['memory', 'vcpus', 'vcpus_max', 'name', 'power_state', 'template', 'boot', 'disk'];

const cases: { name: string; typed: string; want: string | undefined }[] = [
  { name: 'a swapped pair of letters finds the attribute', typed: 'memroy', want: 'memory' },
  { name: 'a missing letter finds the attribute', typed: 'vcpu', want: 'vcpus' },
  { name: 'a different case finds the attribute', typed: 'Name', want: 'name' },
  { name: 'an extra letter in a long name finds it', typed: 'power_statte', want: 'power_state' },
  { name: 'an unrelated word suggests nothing', typed: 'colour', want: undefined },
  { name: 'a short name far from everything suggests nothing', typed: 'xy', want: undefined },
  { name: 'the closest of two candidates wins', typed: 'vcpus_mx', want: 'vcpus_max' },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    t.equal(suggest(c.typed, names), c.want);
  });
}

t.test('edit distance counts insertions, deletions, substitutions and transpositions', async (t) => {
  t.equal(editDistance('', 'abc'), 3);
  t.equal(editDistance('kitten', 'sitting'), 3);
  t.equal(editDistance('ab', 'ba'), 1);
  t.equal(editDistance('same', 'same'), 0);
});
