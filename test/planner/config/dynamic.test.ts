// `dynamic` blocks in a vm block: what they generate, and the mistakes a user can make in one.
import t from 'tap';
import { errors, load, HOST } from './support.js';

const GiB = 1024 ** 3;

const vm = (body: string, extra = '') => ({ 'main.xf.hcl': `${HOST}${extra}vm "web" {\n  host     = host.lab\n  template = "Debian"\n  memory   = "1GiB"\n${body}}\n` });

const generates: [name: string, body: string, extra: string, want: { disks?: [string, number, string][]; networks?: [string, string][]; boot?: string }][] = [
  [
    'a dynamic disk block makes one disk per map entry, named by its labels',
    '  dynamic "disk" {\n    for_each = { data = 10, logs = 2 }\n    labels   = [disk.key]\n    content {\n      size = "${disk.value}GiB"\n    }\n  }\n',
    '',
    { disks: [['data', 10 * GiB, 'Local storage'], ['logs', 2 * GiB, 'Local storage']] },
  ],
  [
    'an iterator renames what the content refers to',
    '  dynamic "disk" {\n    for_each = var.disks\n    iterator = d\n    labels   = [d.value.name]\n    content {\n      size = d.value.size\n      sr   = "sr-${d.key}"\n    }\n  }\n',
    'variable "disks" {\n  default = [{ name = "a", size = "1GiB" }, { name = "b", size = "3GiB" }]\n}\n',
    { disks: [['a', GiB, 'sr-0'], ['b', 3 * GiB, 'sr-1']] },
  ],
  [
    'generated disks stand where the dynamic block stands, among written ones',
    '  disk "first" {\n    size = "1GiB"\n  }\n  dynamic "disk" {\n    for_each = toset(["mid"])\n    labels   = [disk.value]\n    content {\n      size = "2GiB"\n    }\n  }\n  disk "last" {\n    size = "3GiB"\n  }\n',
    '',
    { disks: [['first', GiB, 'Local storage'], ['mid', 2 * GiB, 'Local storage'], ['last', 3 * GiB, 'Local storage']] },
  ],
  [
    'an empty for_each generates no block',
    '  dynamic "disk" {\n    for_each = []\n    labels   = ["x"]\n    content {\n      size = "1GiB"\n    }\n  }\n',
    '',
    { disks: [] },
  ],
  [
    'a dynamic network block makes network interfaces',
    '  dynamic "network" {\n    for_each = ["xenbr0", "xenbr1"]\n    labels   = ["eth${network.key}"]\n    content {\n      network = network.value\n    }\n  }\n',
    '',
    { networks: [['eth0', 'xenbr0'], ['eth1', 'xenbr1']] },
  ],
  [
    'a dynamic block of an unlabelled type makes an optional block',
    '  dynamic "boot" {\n    for_each = var.uefi ? [1] : []\n    content {\n      firmware = "uefi"\n    }\n  }\n',
    'variable "uefi" {\n  default = true\n}\n',
    { boot: 'uefi' },
  ],
];
for (const [name, body, extra, want] of generates) {
  t.test(name, async (t) => {
    const r = load(vm(body, extra));
    t.same(errors(r), []);
    const a = r.config!.vms[0].attributes;
    if (want.disks) t.same(a.disks.map((d) => [d.name, d.size, d.sr]), want.disks);
    if (want.networks) t.same(a.networks.map((n) => [n.name, n.network]), want.networks);
    if (want.boot) t.equal(a.boot.firmware, want.boot);
  });
}

t.test('each instance of a counted vm expands its dynamic blocks with its own values', async (t) => {
  const r = load(vm('  count = 2\n  dynamic "disk" {\n    for_each = range(count.index + 1)\n    labels   = ["d${disk.value}"]\n    content {\n      size = "1GiB"\n    }\n  }\n'));
  t.same(errors(r), []);
  t.same(
    r.config!.vms.map((v) => [v.address, v.attributes.disks.map((d) => d.name)]),
    [
      ['vm.web[0]', ['d0']],
      ['vm.web[1]', ['d0', 'd1']],
    ],
  );
});

const mistakes: [name: string, body: string, extra: string, want: string][] = [
  [
    'a for_each known only after apply is refused at its expression',
    '  dynamic "disk" {\n    for_each = toset([vm.db.uuid])\n    labels   = [disk.value]\n    content {\n      size = "1GiB"\n    }\n  }\n',
    'vm "db" {\n  host     = host.lab\n  template = "Debian"\n  memory   = "1GiB"\n}\n',
    'main.xf.hcl:15:16: Invalid dynamic for_each value: The for_each value of this dynamic "disk" block depends on values known only after apply',
  ],
  [
    'a null for_each is refused',
    '  dynamic "disk" {\n    for_each = null\n    labels   = ["x"]\n    content {\n      size = "1GiB"\n    }\n  }\n',
    '',
    'main.xf.hcl:10:16: Invalid dynamic for_each value: Cannot use a null value in for_each.',
  ],
  [
    'a for_each that is not a collection is refused',
    '  dynamic "disk" {\n    for_each = "abc"\n    labels   = ["x"]\n    content {\n      size = "1GiB"\n    }\n  }\n',
    '',
    'main.xf.hcl:10:16: Invalid dynamic for_each value: Cannot use a string value in for_each. An iterable collection is required.',
  ],
  [
    'an iterator that is not a bare name is refused',
    '  dynamic "disk" {\n    for_each = ["a"]\n    iterator = d.x\n    labels   = ["x"]\n    content {\n      size = "1GiB"\n    }\n  }\n',
    '',
    'main.xf.hcl:11:16: Invalid dynamic iterator name: Dynamic iterator must be a single variable name, like iterator = d.',
  ],
  [
    'a content that refers to the block type when an iterator renamed it is an unknown name',
    '  dynamic "disk" {\n    for_each = ["a"]\n    iterator = d\n    labels   = [disk.value]\n    content {\n      size = "1GiB"\n    }\n  }\n',
    '',
    'main.xf.hcl:12:17: Unknown reference: There is nothing named "disk" to refer to.',
  ],
  [
    'a dynamic block without content is refused at its header',
    '  dynamic "disk" {\n    for_each = ["a"]\n    labels   = ["x"]\n  }\n',
    '',
    'main.xf.hcl:9:3: Missing dynamic content block: A dynamic block must have a nested block of type "content"',
  ],
  [
    'a dynamic block without for_each is refused',
    '  dynamic "disk" {\n    labels = ["x"]\n    content {\n      size = "1GiB"\n    }\n  }\n',
    '',
    'main.xf.hcl:9:3: Missing required argument: The argument "for_each" is required in a dynamic block',
  ],
  [
    'a labelled type generated without labels is refused',
    '  dynamic "disk" {\n    for_each = ["a"]\n    content {\n      size = "1GiB"\n    }\n  }\n',
    '',
    'main.xf.hcl:9:3: Insufficient dynamic block labels: Blocks of type "disk" require 1 label(s) (name)',
  ],
  [
    'two labels for a disk are refused at the labels',
    '  dynamic "disk" {\n    for_each = ["a"]\n    labels   = ["x", "y"]\n    content {\n      size = "1GiB"\n    }\n  }\n',
    '',
    'main.xf.hcl:11:16: Extraneous dynamic block label: Blocks of type "disk" require 1 label(s).',
  ],
  [
    'generated disks with the same label are refused',
    '  dynamic "disk" {\n    for_each = ["a", "b"]\n    labels   = ["same"]\n    content {\n      size = "1GiB"\n    }\n  }\n',
    '',
    'main.xf.hcl:11:16: Duplicate disk block: A disk named "same" was already defined at main.xf.hcl:11,16',
  ],
  [
    'a generated argument the disk does not have is refused with a suggestion',
    '  dynamic "disk" {\n    for_each = ["a"]\n    labels   = ["x"]\n    content {\n      sise = "1GiB"\n    }\n  }\n',
    '',
    'main.xf.hcl:13:7: Unsupported argument: An argument named "sise" is not expected in a disk block. Did you mean "size"?',
  ],
  [
    'a generated argument with a bad value is reported where the content sets it',
    '  dynamic "disk" {\n    for_each = ["a"]\n    labels   = ["x"]\n    content {\n      size = "lots"\n    }\n  }\n',
    '',
    'main.xf.hcl:13:14: Invalid size: Invalid value for "disk.x.size"',
  ],
  [
    'a dynamic lifecycle block is refused',
    '  dynamic "lifecycle" {\n    for_each = ["a"]\n    content {}\n  }\n',
    '',
    'main.xf.hcl:9:11: Invalid dynamic block type: A lifecycle block holds meta-arguments and cannot be generated with a dynamic block; write it out.',
  ],
  [
    'a dynamic block of an unknown type gets a suggestion',
    '  dynamic "disks" {\n    for_each = ["a"]\n    content {}\n  }\n',
    '',
    'main.xf.hcl:9:11: Unsupported block type: A dynamic block cannot generate blocks of type "disks" here. Did you mean "disk"?',
  ],
  [
    'a generated boot block next to a written one is a duplicate',
    '  boot {\n    mode = "hvm"\n  }\n  dynamic "boot" {\n    for_each = [1]\n    content {\n      firmware = "uefi"\n    }\n  }\n',
    '',
    'main.xf.hcl:12:11: Duplicate boot block',
  ],
  [
    'a generated memory block next to a memory argument conflicts',
    '  dynamic "memory" {\n    for_each = [1]\n    content {\n      static_max = "2GiB"\n    }\n  }\n',
    '',
    'main.xf.hcl:9:11: Conflicting memory settings: "memory" is set both as an argument (at main.xf.hcl:8,3) and as a block',
  ],
];
for (const [name, body, extra, want] of mistakes) {
  t.test(name, async (t) => {
    const r = load(vm(body, extra));
    const errs = errors(r);
    t.ok(
      errs.some((e) => e.startsWith(want)),
      `${want} in ${JSON.stringify(errs)}`,
    );
    t.equal(r.config, null);
  });
}
