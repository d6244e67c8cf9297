// Strings the host cannot carry or give back are refused at validate, at the expression that
// produced them, with the character and its place in the value.
import t from 'tap';
import { HOST, errors, load } from './support.js';

const XL_HOST = 'host "box" {\n  simulator = true\n  toolstack = "xl"\n}\n';
const vm = (body: string, host = 'lab') => `vm "web" {\n  host = host.${host}\n  template = "Debian Bookworm 12"\n  memory = "1GiB"\n${body}\n}\n`;

interface Case {
  name: string;
  main: string;
  want: RegExp[]; // each must match one error, "file:line:column: summary: detail"
}

const cases: Case[] = [
  {
    name: 'a heredoc description is refused at the heredoc, with chomp() suggested',
    main: HOST + vm('  description = <<EOT\nWeb server\nEOT'),
    want: [/^main\.xf\.hcl:9:17: Unsendable character in "description": "description" contains a newline at the end of the value.*chomp\(\)/],
  },
  {
    name: 'a newline inside a name is named with its place in the value',
    main: HOST + vm('  name = "web\\nother"'),
    want: [/^main\.xf\.hcl:9:10: .*"name" contains a newline at character 4 \(after "web"\)/],
  },
  {
    name: 'a carriage return at the end of a value suggests chomp()',
    main: HOST + vm('  description = "x\\r"'),
    want: [/main\.xf\.hcl:9:17: .*a carriage return at the end of the value.*chomp/],
  },
  {
    name: 'a line separator U+2028 in a tag is refused at the tag',
    main: HOST + vm('  tags = ["ok", "a\\u2028b"]'),
    want: [/^main\.xf\.hcl:9:17: Unsendable character in "tags\[1\]": .*U\+2028 \(line separator\) at character 2/],
  },
  {
    name: 'a paragraph separator U+2029 in boot args is refused',
    main: HOST + vm('  boot {\n    mode = "pv"\n    args = "quiet\\u2029"\n  }'),
    want: [/main\.xf\.hcl:11:12: Unsendable character in "boot\.args": .*U\+2029/],
  },
  {
    name: 'a NEL (U+0085) in an other_config value is refused at the value',
    main: HOST + vm('  other_config = { team = "a\\u0085b" }'),
    want: [/main\.xf\.hcl:9:27: Unsendable character in "other_config\["team"\]": .*U\+0085 \(next line, NEL\)/],
  },
  {
    name: 'a NUL byte in a description is refused',
    main: HOST + vm('  description = "a\\u0000"'),
    want: [/main\.xf\.hcl:9:17: .*a NUL byte at the end of the value, which no command-line argument can hold/],
  },
  {
    name: 'an escape character in a template name is refused',
    main: HOST + vm('').replace('"Debian Bookworm 12"', '"Debian\\u001b[31m"'),
    want: [/main\.xf\.hcl:7:14: Unsendable character in "template": .*U\+001B/],
  },
  {
    name: 'a tab in an other_config key is refused at the key',
    main: HOST + vm('  other_config = { "a\\tb" = "x" }'),
    want: [/main\.xf\.hcl:9:20: Unsendable character in "other_config\["a\\tb"\] key": .*a tab at character 2/],
  },
  {
    name: 'a newline that comes from a variable is refused at the expression that uses it',
    main: HOST + 'variable "d" {\n  default = "x\\ny"\n}\n' + vm('  description = var.d'),
    want: [/main\.xf\.hcl:12:17: .*"description" contains a newline at character 2/],
  },
  {
    name: 'a newline in a disk label is refused at the label',
    main: HOST + vm('  disk "a\\nb" {\n    size = "1GiB"\n  }'),
    want: [/main\.xf\.hcl:9:8: Unsendable character in "disk "a\\nb" label"/],
  },
  {
    name: 'a newline in a disk\'s SR is refused',
    main: HOST + vm('  disk "root" {\n    size = "1GiB"\n    sr = "Local\\nstorage"\n  }'),
    want: [/main\.xf\.hcl:11:10: Unsendable character in "disk\.root\.sr"/],
  },
  {
    name: 'a newline in a host address is refused',
    main: 'host "lab" {\n  toolstack = "xapi"\n  address = "192.0.2.1\\nProxyCommand x"\n}\n',
    want: [/main\.xf\.hcl:3:13: Unsendable character in "address"/],
  },
  {
    name: 'a control character in an xl host\'s config_dir is refused',
    main: 'host "box" {\n  toolstack = "xl"\n  simulator = true\n  config_dir = "/etc/xen\\u0007"\n}\n',
    want: [/main\.xf\.hcl:4:16: Unsendable character in "config_dir"/],
  },
  {
    name: 'a newline in a VM on an xl host is refused too',
    main: XL_HOST + vm('  description = "a\\nb"', 'box').replace('  template = "Debian Bookworm 12"\n', ''),
    want: [/main\.xf\.hcl:8:17: .*xl configuration file/],
  },
  {
    name: 'a tag holding ", " is refused at the tag',
    main: HOST + vm('  tags = ["web", "a, b"]'),
    want: [/^main\.xf\.hcl:9:18: Tag cannot be read back: The tag "a, b" cannot round-trip: xe prints tags joined with ", "/],
  },
  {
    name: 'an empty tag is refused',
    main: HOST + vm('  tags = [""]'),
    want: [/main\.xf\.hcl:9:11: Tag cannot be read back: .*empty tag/],
  },
  {
    name: 'an other_config value holding "; " is refused at the value',
    main: HOST + vm('  other_config = { team = "a; b" }'),
    want: [/main\.xf\.hcl:9:27: other_config value cannot be read back: .*joined with "; "/],
  },
  {
    name: 'an other_config key holding "=" is refused at the key',
    main: HOST + vm('  other_config = { "a=b" = "x" }'),
    want: [/main\.xf\.hcl:9:20: other_config key cannot be read back: .*first "="/],
  },
  {
    name: 'an other_config key holding ": " is refused',
    main: HOST + vm('  other_config = { "a: b" = "x" }'),
    want: [/main\.xf\.hcl:9:20: other_config key cannot be read back: .*"key: value"/],
  },
  {
    name: 'an other_config key holding "; " is refused',
    main: HOST + vm('  other_config = { "a; b" = "x" }'),
    want: [/main\.xf\.hcl:9:20: other_config key cannot be read back: .*two entries/],
  },
  {
    name: 'the other_config key mac_seed belongs to xapi',
    main: HOST + vm('  other_config = { mac_seed = "x" }'),
    want: [/main\.xf\.hcl:9:20: Key owned by xapi: The other_config key "mac_seed" belongs to xapi/],
  },
  {
    name: 'the other_config key base_template_name belongs to xapi',
    main: HOST + vm('  other_config = { "base_template_name" = "x" }'),
    want: [/main\.xf\.hcl:9:20: Key owned by xapi/],
  },
  {
    name: 'a disk label holding "; " is refused on an xapi host',
    main: HOST + vm('  disk "a; b" {\n    size = "1GiB"\n  }'),
    want: [/main\.xf\.hcl:9:8: Disk label cannot be read back/],
  },
  {
    name: 'a description over the argv limit is refused',
    main: HOST + vm('  description = format("%131072s", "")'),
    want: [/main\.xf\.hcl:9:17: Value of "description" too long: .*131072 bytes long.*MAX_ARG_STRLEN/],
  },
  {
    name: 'an other_config value over the argv limit is refused at the value',
    main: HOST + vm('  other_config = { big = format("%131060s", "") }'),
    want: [/main\.xf\.hcl:9:26: Value of "other_config\["big"\]" too long/],
  },
  {
    name: 'other_config whose entries together pass xapi\'s 200 KiB command limit is refused',
    main: HOST + vm('  other_config = { a = format("%70000s", ""), b = format("%70000s", ""), c = format("%70000s", "") }'),
    want: [/main\.xf\.hcl:9:18: other_config too large: .*at most 204800 bytes of one command/],
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const got = errors(load({ 'main.xf.hcl': c.main }));
    for (const want of c.want) t.ok(got.some((e) => want.test(e)), `an error matching ${want}; got ${JSON.stringify(got).slice(0, 600)}`);
    t.equal(got.length, c.want.length, 'no other errors');
  });
}

// What is accepted must stay accepted: hostile-looking but carriable strings.
const fine: [string, string][] = [
  ['a heredoc description wrapped in chomp()', '  description = chomp(<<EOT\nWeb server\nEOT\n  )'],
  ['quotes, $(…), backticks and unicode in a name', '  name = "it\'s \\"$(rm -rf /)\\" `id` ünï 😀"'],
  ['a tag with a comma but no space, and a leading dash', '  tags = ["a,b", "-rf", "key=value"]'],
  ['other_config keys with ":" and values with ": " and ";"', '  other_config = { "a:b" = "x: y;z", team = "--force" }'],
  ['a value with "; " on an xl host', ''],
];

for (const [name, body] of fine) {
  t.test(`${name} is accepted`, async (t) => {
    const main = body === '' ? XL_HOST + vm('  tags = ["a, b"]\n  other_config = { k = "a; b" }', 'box').replace('  template = "Debian Bookworm 12"\n', '') : HOST + vm(body);
    t.same(errors(load({ 'main.xf.hcl': main })), []);
  });
}
