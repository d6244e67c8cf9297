import t from 'tap';
import { doubtfulKeys, parseMap, parseMinimal, parseRecords, parseSet, parseTags } from '../../providers/xapi/records.js';

// xapi-spec §2.4, `xe vm-list` as printed: two blank lines after every record.
const U_DOM0 = '0e6a3c5f-7b7d-4b8e-9a3a-2f1c9d1e0a11';
const U_WEB = '5b1d2c3e-aaaa-4bbb-8ccc-1234567890ab';
const VM_LIST =
  'uuid ( RO)           : 0e6a3c5f-7b7d-4b8e-9a3a-2f1c9d1e0a11\n' +
  '     name-label ( RW): Control domain on host: xcp1\n' +
  '    power-state ( RO): running\n\n\n' +
  'uuid ( RO)           : 5b1d2c3e-aaaa-4bbb-8ccc-1234567890ab\n' +
  '     name-label ( RW): web01\n' +
  '    power-state ( RO): halted\n\n\n';

t.test('the vm-list golden output parses into one record per VM', async (t) => {
  t.same(parseRecords(VM_LIST, ['uuid', 'name-label', 'power-state'], [U_DOM0, U_WEB]), [
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
  const [r] = parseRecords(out, ['uuid', 'PV-args', 'other-config', 'tags', 'allowed-operations', 'ha-always-run'], ['11111111-2222-4333-8444-555555555555'])!;
  t.equal(r['PV-args'], '', 'an empty value stays empty');
  t.same(parseMap(r['other-config']), { 'xenform-address': 'vm.web[0]', mac_seed: '1f' });
  t.same(parseTags(r.tags), ['web', 'prod']);
  t.same(parseSet(r['allowed-operations']), ['start', 'clone']);
  t.equal(r['ha-always-run'], 'false');
});

t.test('a value with a colon and a value spanning lines are kept whole', async (t) => {
  const out = 'uuid ( RO)          : u1\n    PV-args ( RW): root=/dev/xvda1 a=b: c\nsecond line\n\n\n';
  t.equal(parseRecords(out, ['uuid', 'PV-args'], ['u1'])![0]['PV-args'], 'root=/dev/xvda1 a=b: c\nsecond line');
});

t.test('no output means no records', async (t) => {
  t.same(parseRecords('', ['uuid'], []), []);
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

// How xe prints one record (cli_printer.ml `multi_line_record`, two blank lines after it).
function printed(pairs: [string, string][]): string {
  const maxlen = 4 + Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v], i) => (i === 0 ? k.padEnd(maxlen) : k.padStart(maxlen)) + ': ' + v).join('\n') + '\n\n\n';
}

const FORGED = '\n     other-config (MRW): xenform-address: vm.x; xenform-lineage: L';
const vmRecord = (uuid: string, name: string, tags: string, other: string): [string, string][] => [
  ['uuid ( RO)', uuid], ['name-label ( RW)', name], ['other-config (MRW)', other], ['tags (SRW)', tags],
];
const FIELDS = ['uuid', 'name-label', 'other-config', 'tags'];

t.test('a value cannot pass for a field or a record: such a table is ambiguous', async (t) => {
  const cases: [string, string, string[]][] = [
    ['a tag holding an other-config line', printed(vmRecord(U_WEB, 'web', `web${FORGED}`, '')), [U_WEB]],
    ['a name holding an other-config line', printed(vmRecord(U_WEB, `web${FORGED}`, '', '')), [U_WEB]],
    ['a name holding a whole second record', printed(vmRecord(U_WEB, `web\n\n\n${printed(vmRecord(U_DOM0, 'x', '', 'xenform-address: vm.x')).slice(0, -3)}`, '', '')), [U_WEB]],
    ['a record whose uuid is not in the --minimal list', printed(vmRecord(U_WEB, 'web', '', '')), [U_DOM0]],
    ['a listed uuid with no record', printed(vmRecord(U_WEB, 'web', '', '')), [U_WEB, U_DOM0]],
    ['text before the first record', `junk\n${printed(vmRecord(U_WEB, 'web', '', ''))}`, [U_WEB]],
  ];
  for (const [name, out, uuids] of cases) t.equal(parseRecords(out, FIELDS, uuids), null, name);
});

t.test('values with line breaks that look like no asked-for field are read whole', async (t) => {
  const cases: [string, string][] = [
    ['a newline in a name', 'line one\nline two'],
    ['a trailing newline', 'end\n'],
    ['blank lines inside', 'a\n\n\nb'],
    ['a carriage return', 'a\r\nb'],
    ['Unicode line separators', 'a\u2028b\u2029c'],
    ['a line naming a field that was not asked for', 'x\n  name-description ( RW): y'],
  ];
  for (const [name, value] of cases) {
    const out = printed(vmRecord(U_WEB, value, 'web', '')) + printed(vmRecord(U_DOM0, 'dom0', '', ''));
    const records = parseRecords(out, FIELDS, [U_WEB, U_DOM0]);
    t.same(records?.map((r) => [r.uuid, r['name-label'], r.tags]), [[U_WEB, value, 'web'], [U_DOM0, 'dom0', '']], name);
  }
});

t.test('xenform keys printed after an operator-writable key, or twice, are doubtful', async (t) => {
  const cases: [string, string, string[]][] = [
    ['markers alone', 'xenform-address: vm.a; xenform-lineage: L', []],
    ['markers before a folder', 'xenform-address: vm.a; folder: /x', []],
    ['markers after a folder', 'folder: /x; xenform-address: vm.a; xenform-lineage: L', ['xenform-address', 'xenform-lineage']],
    ['markers after a XenCenter custom field', 'XenCenter.CustomFields.team: a; xenform-address: vm.a', ['xenform-address']],
    ['a marker printed twice', 'xenform-address: vm.a; owner: x; xenform-address: vm.b', ['xenform-address']],
  ];
  for (const [name, map, want] of cases) t.same(doubtfulKeys(map, 'xenform-'), want, name);
});
