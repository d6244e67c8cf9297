import t from 'tap';
import { parseMap, parseMinimal, parseRecords, parseSet, parseTags } from '../../providers/xapi/records.js';

// xapi-spec §2.4, `xe vm-list` as printed: two blank lines after every record.
const VM_LIST =
  'uuid ( RO)           : 0e6a3c5f-7b7d-4b8e-9a3a-2f1c9d1e0a11\n' +
  '     name-label ( RW): Control domain on host: xcp1\n' +
  '    power-state ( RO): running\n\n\n' +
  'uuid ( RO)           : 5b1d2c3e-aaaa-4bbb-8ccc-1234567890ab\n' +
  '     name-label ( RW): web01\n' +
  '    power-state ( RO): halted\n\n\n';

t.test('the vm-list golden output parses into one record per VM', async (t) => {
  t.same(parseRecords(VM_LIST), [
    { uuid: '0e6a3c5f-7b7d-4b8e-9a3a-2f1c9d1e0a11', 'name-label': 'Control domain on host: xcp1', 'power-state': 'running' },
    { uuid: '5b1d2c3e-aaaa-4bbb-8ccc-1234567890ab', 'name-label': 'web01', 'power-state': 'halted' },
  ]);
});

t.test('records keep every kind of field suffix, empty values and deprecated marks', async (t) => {
  const out =
    'uuid ( RO)                    : 11111111-2222-4333-8444-555555555555\n' +
    '               PV-args ( RW): \n' +
    '          other-config (MRW): xenform-address: vm.web[0]; mac_seed: 1f\n' +
    '                  tags (SRW): web, prod\n' +
    '    allowed-operations (SRO): start; clone\n' +
    '         ha-always-run ( RW) [DEPRECATED]: false\n\n\n';
  const [r] = parseRecords(out);
  t.equal(r['PV-args'], '', 'an empty value stays empty');
  t.same(parseMap(r['other-config']), { 'xenform-address': 'vm.web[0]', mac_seed: '1f' });
  t.same(parseTags(r.tags), ['web', 'prod']);
  t.same(parseSet(r['allowed-operations']), ['start', 'clone']);
  t.equal(r['ha-always-run'], 'false');
});

t.test('a value with a colon and a value spanning lines are kept whole', async (t) => {
  const out = 'uuid ( RO)          : u1\n    PV-args ( RW): root=/dev/xvda1 a=b: c\nsecond line\n\n\n';
  t.equal(parseRecords(out)[0]['PV-args'], 'root=/dev/xvda1 a=b: c\nsecond line');
});

t.test('no output means no records', async (t) => {
  t.same(parseRecords(''), []);
  t.same(parseMap(''), {});
  t.same(parseTags(''), []);
});

t.test('--minimal output splits on unescaped commas', async (t) => {
  const cases: [string, string, string[]][] = [
    ['one uuid', '5b1d2c3e-aaaa-4bbb-8ccc-1234567890ab\n', ['5b1d2c3e-aaaa-4bbb-8ccc-1234567890ab']],
    ['two uuids', 'u1,u2\n', ['u1', 'u2']],
    ['an empty line for no match', '\n', []],
    ['escaped commas and backslashes', 'a\\,b,c\\\\d\n', ['a,b', 'c\\d']],
  ];
  for (const [name, input, want] of cases) t.same(parseMinimal(input), want, name);
});
