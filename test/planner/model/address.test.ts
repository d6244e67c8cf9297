import t from 'tap';
import { formatAddress, parseAddress, addressMatches } from '../../../planner/model/address.js';

const cases: { name: string; text: string; parsed: ReturnType<typeof parseAddress> }[] = [
  { name: 'a single instance has no key', text: 'vm.db', parsed: { type: 'vm', name: 'db', key: null } },
  { name: 'a count instance has a number key', text: 'vm.web[0]', parsed: { type: 'vm', name: 'web', key: 0 } },
  { name: 'a for_each instance has a quoted string key', text: 'vm.site["a b"]', parsed: { type: 'vm', name: 'site', key: 'a b' } },
  { name: 'a missing name is not an address', text: 'vm', parsed: null },
  { name: 'an unterminated index is not an address', text: 'vm.web[0', parsed: null },
  { name: 'a leading zero is not a count index', text: 'vm.web[01]', parsed: null },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    t.same(parseAddress(c.text), c.parsed);
    if (c.parsed) t.equal(formatAddress(c.parsed), c.text, 'printing gives the text back');
  });
}

t.test('a resource address matches every instance, an instance address only itself', async (t) => {
  const all = parseAddress('vm.web')!;
  t.ok(addressMatches(all, parseAddress('vm.web[3]')!));
  t.notOk(addressMatches(parseAddress('vm.web[1]')!, parseAddress('vm.web[3]')!));
  t.notOk(addressMatches(all, parseAddress('vm.db')!));
});
