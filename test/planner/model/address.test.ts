import t from 'tap';
import { addressMatches, formatAddress, parseAddress, parsePattern, type AddressPattern } from '../../../planner/model/address.js';

// Every form an address takes: parsed by parsePattern, printed back to the same text.
const forms: { name: string; text: string; parsed: AddressPattern | null; resource: boolean }[] = [
  { name: 'a single instance has no key', text: 'vm.db', parsed: { type: 'vm', name: 'db', key: null }, resource: true },
  { name: 'a count instance has a number key', text: 'vm.web[0]', parsed: { type: 'vm', name: 'web', key: 0 }, resource: true },
  { name: 'a large count index stays a number', text: 'vm.web[120]', parsed: { type: 'vm', name: 'web', key: 120 }, resource: true },
  { name: 'a for_each instance has a quoted string key', text: 'vm.site["a b"]', parsed: { type: 'vm', name: 'site', key: 'a b' }, resource: true },
  { name: 'a string key that looks like a number stays a string', text: 'vm.site["1"]', parsed: { type: 'vm', name: 'site', key: '1' }, resource: true },
  { name: 'a string key keeps escaped quotes and backslashes', text: 'vm.site["say \\"hi\\" \\\\ bye"]', parsed: { type: 'vm', name: 'site', key: 'say "hi" \\ bye' }, resource: true },
  { name: 'a string key may hold a closing bracket and a dot', text: 'vm.site["a].b"]', parsed: { type: 'vm', name: 'site', key: 'a].b' }, resource: true },
  { name: 'a string key may hold non-ASCII text', text: 'vm.site["café"]', parsed: { type: 'vm', name: 'site', key: 'café' }, resource: true },
  { name: 'names may hold dashes and digits', text: 'vm.web-2_a', parsed: { type: 'vm', name: 'web-2_a', key: null }, resource: true },
  { name: 'a host address parses like a vm address', text: 'host.lab', parsed: { type: 'host', name: 'lab', key: null }, resource: true },
  {
    name: 'a resource in a module instance carries the module path',
    text: 'module.web[0].vm.app["a"]',
    parsed: { module: [{ name: 'web', key: 0 }], type: 'vm', name: 'app', key: 'a' },
    resource: true,
  },
  {
    name: 'nested modules list the path from the root',
    text: 'module.site["eu"].module.db.vm.primary',
    parsed: { module: [{ name: 'site', key: 'eu' }, { name: 'db', key: null }], type: 'vm', name: 'primary', key: null },
    resource: true,
  },
  { name: 'a module on its own is a pattern, not a resource', text: 'module.web', parsed: { module: [{ name: 'web', key: null }] }, resource: false },
  { name: 'a module instance on its own is a pattern', text: 'module.web[2]', parsed: { module: [{ name: 'web', key: 2 }] }, resource: false },
  { name: 'a missing name is not an address', text: 'vm', parsed: null, resource: false },
  { name: 'an empty text is not an address', text: '', parsed: null, resource: false },
  { name: 'a trailing dot is not an address', text: 'vm.web.', parsed: null, resource: false },
  { name: 'three names are not an address', text: 'vm.web.extra', parsed: null, resource: false },
  { name: 'an unterminated index is not an address', text: 'vm.web[0', parsed: null, resource: false },
  { name: 'an unterminated string key is not an address', text: 'vm.site["a]', parsed: null, resource: false },
  { name: 'a leading zero is not a count index', text: 'vm.web[01]', parsed: null, resource: false },
  { name: 'a negative index is not a count index', text: 'vm.web[-1]', parsed: null, resource: false },
  { name: 'an unquoted key is not an address', text: 'vm.site[a]', parsed: null, resource: false },
  { name: 'a keyed type is not an address', text: 'vm[0].web', parsed: null, resource: false },
  { name: 'a name may not start with a digit', text: 'vm.1web', parsed: null, resource: false },
  { name: 'text after the key is not an address', text: 'vm.web[0]x', parsed: null, resource: false },
  { name: 'a module keyword without a name is not an address', text: 'module', parsed: null, resource: false },
  { name: 'a module with a dangling resource type is not an address', text: 'module.web.vm', parsed: null, resource: false },
];

for (const c of forms) {
  t.test(c.name, async (t) => {
    t.same(parsePattern(c.text), c.parsed, 'parsePattern');
    t.same(parseAddress(c.text), c.resource ? c.parsed : null, c.resource ? 'parseAddress gives the resource' : 'parseAddress refuses it');
    if (c.parsed) {
      t.equal(formatAddress(c.parsed), c.text, 'printing gives the text back');
      t.same(parsePattern(formatAddress(c.parsed)), c.parsed, 'parsing the printed text gives the address back');
    }
  });
}

t.test('printing escapes what a string key needs escaped, and parses back', async (t) => {
  for (const key of ['a"b', 'back\\slash', 'new\nline', 'tab\there', '', 'ünïcode', '${x}']) {
    const text = formatAddress({ module: [{ name: 'm', key }], type: 'vm', name: 'x', key });
    t.same(parseAddress(text), { module: [{ name: 'm', key }], type: 'vm', name: 'x', key }, JSON.stringify(key));
  }
});

// Patterns as --target, --replace and `state list` take them.
const matches: { name: string; pattern: string; candidate: string; matches: boolean }[] = [
  { name: 'a resource address matches each of its instances', pattern: 'vm.web', candidate: 'vm.web[3]', matches: true },
  { name: 'a resource address matches its single instance', pattern: 'vm.web', candidate: 'vm.web', matches: true },
  { name: 'a resource address matches for_each instances', pattern: 'vm.site', candidate: 'vm.site["a"]', matches: true },
  { name: 'an instance address matches itself', pattern: 'vm.web[1]', candidate: 'vm.web[1]', matches: true },
  { name: 'an instance address does not match another instance', pattern: 'vm.web[1]', candidate: 'vm.web[3]', matches: false },
  { name: 'a count index does not match the same digits as a string key', pattern: 'vm.web[1]', candidate: 'vm.web["1"]', matches: false },
  { name: 'an instance address does not match the resource as a whole', pattern: 'vm.web[0]', candidate: 'vm.web', matches: false },
  { name: 'another name does not match', pattern: 'vm.web', candidate: 'vm.db', matches: false },
  { name: 'another type does not match', pattern: 'host.web', candidate: 'vm.web', matches: false },
  { name: 'a root resource does not match the same resource in a module', pattern: 'vm.app', candidate: 'module.web.vm.app', matches: false },
  { name: 'a resource in a module does not match the root resource', pattern: 'module.web.vm.app', candidate: 'vm.app', matches: false },
  { name: 'a module matches every resource in it', pattern: 'module.web', candidate: 'module.web.vm.app["a"]', matches: true },
  { name: 'a module matches every instance of it', pattern: 'module.web', candidate: 'module.web[1].vm.app', matches: true },
  { name: 'a module matches resources in its nested modules', pattern: 'module.web', candidate: 'module.web[0].module.db.vm.x', matches: true },
  { name: 'a module instance matches only resources in that instance', pattern: 'module.web[0]', candidate: 'module.web[1].vm.app', matches: false },
  { name: 'a module instance matches the resources in it', pattern: 'module.web[0]', candidate: 'module.web[0].vm.app[2]', matches: true },
  { name: 'a module does not match root resources', pattern: 'module.web', candidate: 'vm.web', matches: false },
  { name: 'a module does not match another module', pattern: 'module.web', candidate: 'module.db.vm.web', matches: false },
  { name: 'a nested module does not match its parent resources', pattern: 'module.web.module.db', candidate: 'module.web.vm.app', matches: false },
  { name: 'a resource in a module matches each of its instances', pattern: 'module.web[0].vm.app', candidate: 'module.web[0].vm.app["a"]', matches: true },
  { name: 'a resource pattern in any module instance matches keyed module instances', pattern: 'module.web.vm.app', candidate: 'module.web[4].vm.app', matches: true },
];

for (const c of matches) {
  t.test(c.name, async (t) => {
    const pattern = parsePattern(c.pattern);
    const candidate = parseAddress(c.candidate);
    t.ok(pattern && candidate, 'both parse');
    t.equal(addressMatches(pattern!, candidate!), c.matches);
  });
}
