// The host and vm blocks: defaults, units, enumerations and the rules between fields.
import t from 'tap';
import { errors, load, warnings, HOST } from './support.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

const vm = (body: string, extra = '') => ({ 'main.xf.hcl': `${HOST}${extra}vm "web" {\n  host = host.lab\n${body}}\n` });

t.test('a minimal vm gets every default', async (t) => {
  const r = load(vm('  template = "Debian"\n  memory   = "2GiB"\n'));
  t.same(errors(r), []);
  const c = r.config!.vms[0];
  t.same(
    { ...c, range: undefined, attributeRanges: undefined },
    {
      address: 'vm.web',
      host: 'lab',
      attributes: {
        name: 'web',
        description: '',
        template: 'Debian',
        power_state: 'running',
        memory: { static_min: 2 * GiB, dynamic_min: 2 * GiB, dynamic_max: 2 * GiB, static_max: 2 * GiB },
        vcpus: 1,
        vcpus_max: 1,
        boot: { mode: 'pv', bootloader: '', kernel: '', ramdisk: '', args: '', bootloader_args: '', order: '', firmware: 'bios' },
        disks: [],
        networks: [],
        tags: [],
        other_config: {},
      },
      shutdown: { mode: 'clean', timeout_ms: 120_000, fallback: 'fail' },
      restart_trigger: null,
      depends_on: [],
      lifecycle: { prevent_destroy: false, ignore_changes: [], max_disruption: 'replace', apply_boot_changes: 'reboot', create_before_destroy: false },
      range: undefined,
      attributeRanges: undefined,
      boot_from_template: true,
    },
  );
  t.same(c.attributeRanges.memory?.start, { line: 8, column: 14, byte: c.attributeRanges.memory!.start.byte }, 'where memory was set is recorded');
});

t.test('a simulator host gets its defaults', async (t) => {
  const r = load({ 'main.xf.hcl': HOST });
  t.same(errors(r), []);
  t.same({ ...r.config!.hosts[0], range: undefined }, { name: 'lab', simulator: true, toolstack: 'xapi', max_parallel: 4, range: undefined });
});

const bootModes: [name: string, boot: string, mode: 'pv' | 'hvm', fromTemplate: boolean][] = [
  ['a vm with no boot block boots as its template does', '', 'pv', true],
  ['an empty boot block leaves the boot to the template', '  boot {}\n', 'pv', true],
  ['a boot block with only HVM fields is HVM', '  boot {\n    firmware = "uefi"\n  }\n', 'hvm', false],
  ['a boot block with only PV fields is PV', '  boot {\n    bootloader = "pygrub"\n  }\n', 'pv', false],
  ['a boot block that names its mode keeps it', '  boot {\n    mode = "hvm"\n  }\n', 'hvm', false],
];
for (const [name, boot, mode, fromTemplate] of bootModes) {
  t.test(name, async (t) => {
    const r = load(vm(`  template = "t"\n  memory = "1GiB"\n${boot}`));
    t.same(errors(r), []);
    const c = r.config!.vms[0];
    t.same([c.attributes.boot.mode, c.boot_from_template === true], [mode, fromTemplate]);
  });
}

t.test('a fully specified vm keeps every setting', async (t) => {
  const r = load(
    vm(`  name        = "web-1"
  description = "front"
  template    = "Debian"
  power_state = "halted"
  vcpus       = 2
  vcpus_max   = 4
  group       = "front"
  memory {
    static_max  = "4GiB"
    dynamic_min = "1.5GiB"
  }
  boot {
    mode     = "hvm"
    order    = "dc"
    firmware = "uefi"
  }
  disk "root" {
    size     = "20GiB"
    bootable = true
  }
  disk "data" {
    size = "1MiB"
    sr   = "NFS"
  }
  network "eth0" {
    network = "xenbr0"
    mac     = "00:16:3E:AA:BB:CC"
  }
  tags         = ["web", "prod"]
  other_config = { team = "ops" }
  shutdown {
    mode     = "hard"
    timeout  = "1h30m"
    fallback = "hard"
  }
  restart_trigger = { v = 1 }
  lifecycle {
    prevent_destroy    = true
    ignore_changes     = [tags, boot.order, other_config["team"]]
    max_disruption     = "halt"
    apply_boot_changes = "next_boot"
  }
`),
  );
  t.same(errors(r), []);
  const c = r.config!.vms[0];
  t.equal(c.attributes.name, 'web-1');
  t.same(c.attributes.memory, { static_min: 1.5 * GiB, dynamic_min: 1.5 * GiB, dynamic_max: 4 * GiB, static_max: 4 * GiB });
  t.same(c.attributes.boot, { mode: 'hvm', bootloader: '', kernel: '', ramdisk: '', args: '', bootloader_args: '', order: 'dc', firmware: 'uefi' });
  t.same(c.attributes.disks, [
    { name: 'root', size: 20 * GiB, sr: 'Local storage', bootable: true },
    { name: 'data', size: MiB, sr: 'NFS', bootable: false },
  ]);
  t.same(c.attributes.networks, [{ name: 'eth0', network: 'xenbr0', mac: '00:16:3e:aa:bb:cc' }]);
  t.same([c.attributes.vcpus, c.attributes.vcpus_max, c.group, c.attributes.power_state], [2, 4, 'front', 'halted']);
  t.same(c.shutdown, { mode: 'hard', timeout_ms: 5_400_000, fallback: 'hard' });
  t.equal(c.restart_trigger, '{"v":1}');
  t.same(c.lifecycle, { prevent_destroy: true, ignore_changes: ['tags', 'boot.order', 'other_config.team'], max_disruption: 'halt', apply_boot_changes: 'next_boot', create_before_destroy: false });
});

t.test('count makes numbered instances with their own names', async (t) => {
  const r = load(vm('  count    = 3\n  template = "Debian"\n  memory   = "1GiB"\n  description = "n${count.index}"\n'));
  t.same(errors(r), []);
  t.same(
    r.config!.vms.map((v) => [v.address, v.attributes.name, v.attributes.description]),
    [
      ['vm.web[0]', 'web-0', 'n0'],
      ['vm.web[1]', 'web-1', 'n1'],
      ['vm.web[2]', 'web-2', 'n2'],
    ],
  );
});

t.test('for_each makes keyed instances with each.key and each.value', async (t) => {
  const r = load(vm('  for_each = { a = 1, b = 2 }\n  template = "Debian"\n  memory   = "1GiB"\n  vcpus    = each.value\n'));
  t.same(errors(r), []);
  t.same(
    r.config!.vms.map((v) => [v.address, v.attributes.name, v.attributes.vcpus]),
    [
      ['vm.web["a"]', 'web-a', 1],
      ['vm.web["b"]', 'web-b', 2],
    ],
  );
});

t.test('for_each over a set of strings uses each string as key and value', async (t) => {
  const r = load(vm('  for_each = toset(["x", "y"])\n  template = each.value\n  memory   = "1GiB"\n'));
  t.same(errors(r), []);
  t.same(r.config!.vms.map((v) => [v.address, v.attributes.template]), [['vm.web["x"]', 'x'], ['vm.web["y"]', 'y']]);
});

t.test('references and depends_on both become dependencies', async (t) => {
  const r = load({
    'main.xf.hcl': `${HOST}
vm "db" {
  count    = 2
  host     = "lab"
  template = "Debian"
  memory   = "1GiB"
}
vm "cache" {
  host     = host.lab
  template = "Debian"
  memory   = "1GiB"
}
vm "web" {
  host         = host.lab
  template     = "Debian"
  memory       = "1GiB"
  other_config = { db = vm.db[1].uuid, db_name = vm.db[0].name }
  depends_on   = [vm.cache]
}
`,
  }, { known: { 'vm.db[1]': { uuid: 'u-1' } } });
  t.same(errors(r), []);
  const web = r.config!.vms.find((v) => v.address === 'vm.web')!;
  t.same(web.depends_on, ['vm.cache', 'vm.db[1]', 'vm.db[0]']);
  t.same(web.attributes.other_config, { db: 'u-1', db_name: 'db-0' });
});

t.test('an xl host does not need a template', async (t) => {
  const r = load({ 'main.xf.hcl': 'host "x" {\n  simulator = true\n  toolstack = "xl"\n}\nvm "a" {\n  host   = host.x\n  memory = \"1GiB\"\n}\n' });
  t.same(errors(r), []);
  t.equal(r.config!.vms[0].attributes.template, '');
});

t.test('two VMs with the same name on one host are warned about', async (t) => {
  const r = load({
    'main.xf.hcl': `${HOST}vm "a" {\n  host = host.lab\n  name = "same"\n  template = "t"\n  memory = "1GiB"\n}\nvm "b" {\n  host = host.lab\n  name = "same"\n  template = "t"\n  memory = "1GiB"\n}\n`,
  });
  t.same(errors(r), []);
  t.same(warnings(r), [
    'main.xf.hcl:13:10: Duplicate VM name: vm.a and vm.b both have the name "same" on host "lab". The host allows it, but the two VMs can then be told apart only by uuid.',
  ]);
});

// The host block takes lines 1-4, `vm "web" {` is line 5 and the body starts on line 7.
const failures: [string, string, string[]][] = [
  ['an unknown argument suggests the closest one', '  template = "t"\n  memroy = "1GiB"\n', [
    'main.xf.hcl:5:1: Missing required argument: The argument "memory" is required (a size like memory = "2GiB", or a memory block), but no definition was found.',
    'main.xf.hcl:8:3: Unsupported argument: An argument named "memroy" is not expected in a vm block. Did you mean "memory"?',
  ]],
  ['an unknown block type suggests the closest one', '  template = "t"\n  memory = "1GiB"\n  disks "a" {\n    size = 1\n  }\n', [
    'main.xf.hcl:9:3: Unsupported block type: Blocks of type "disks" are not expected in a vm block. Did you mean "disk"?',
  ]],
  ['a misspelt enumeration value suggests the closest one', '  template = "t"\n  memory = "1GiB"\n  power_state = "runing"\n', [
    'main.xf.hcl:9:17: Invalid value: "power_state" must be one of "running", "halted", "paused", "suspended"; got "runing". Did you mean "running"?',
  ]],
  ['a size in decimal units is refused with the binary unit it means', '  template = "t"\n  memory = "2GB"\n', [
    'main.xf.hcl:8:12: Invalid size: Invalid value for "memory": "2GB" uses the unit "GB": xenform sizes are binary; did you mean "2GiB"?',
  ]],
  ['a duration without a unit is refused', '  template = "t"\n  memory = "1GiB"\n  shutdown {\n    timeout = "90"\n  }\n', [
    'main.xf.hcl:10:15: Invalid duration: Invalid value for "shutdown.timeout": "90" is not a duration: use a string such as "90s", "2m" or "1h30m" (units: ms, s, m, h).',
  ]],
  ['an HVM boot order with other letters is refused', '  template = "t"\n  memory = "1GiB"\n  boot {\n    mode  = "hvm"\n    order = "cx"\n  }\n', [
    'main.xf.hcl:11:13: Invalid value: "boot.order" must be made of the letters c (disk), d (CD-ROM) and n (network), like "dc"; got "cx".',
  ]],
  ['PV fields in an HVM boot block are refused', '  template = "t"\n  memory = "1GiB"\n  boot {\n    mode   = "hvm"\n    kernel = "/boot/vmlinuz"\n  }\n', [
    'main.xf.hcl:11:5: Unsupported argument: "kernel" applies only to PV boot (mode = "pv"); this boot block has mode = "hvm".',
  ]],
  ['HVM fields in a PV boot block are refused', '  template = "t"\n  memory = "1GiB"\n  boot {\n    mode     = "pv"\n    firmware = "uefi"\n  }\n', [
    'main.xf.hcl:11:5: Unsupported argument: "firmware" applies only to HVM boot (mode = "hvm"); this boot block has mode = "pv".',
  ]],
  ['memory out of order is refused', '  template = "t"\n  memory {\n    static_max  = "1GiB"\n    dynamic_max = "2GiB"\n  }\n', [
    'main.xf.hcl:9:19: Invalid memory settings: Memory must satisfy static_min <= dynamic_min <= dynamic_max <= static_max, but dynamic_max (2GiB) is greater than static_max (1GiB).',
  ]],
  ['more vcpus than vcpus_max is refused', '  template = "t"\n  memory = "1GiB"\n  vcpus = 4\n  vcpus_max = 2\n', [
    'main.xf.hcl:9:11: Invalid vcpus: "vcpus" (4) must not exceed "vcpus_max" (2).',
  ]],
  ['a vm on a xapi host needs a template', '  memory = "1GiB"\n', [
    'main.xf.hcl:5:1: Missing required argument: The argument "template" is required for VMs on host "lab" (toolstack = "xapi"), but no definition was found.',
  ]],
  ['a wrong type is reported with the expected one', '  template = ["t"]\n  memory = "1GiB"\n', [
    'main.xf.hcl:7:14: Incorrect attribute value type: Inappropriate value for attribute "template": string required.',
  ]],
  ['a disk needs a size', '  template = "t"\n  memory = "1GiB"\n  disk "root" {\n    sr = "x"\n  }\n', [
    'main.xf.hcl:9:3: Missing required argument: The argument "size" is required in disk "root" (like "20GiB"), but no definition was found.',
  ]],
  ['count and for_each together are refused', '  template = "t"\n  memory = "1GiB"\n  count = 1\n  for_each = {}\n', [
    'main.xf.hcl:10:3: Invalid combination of "count" and "for_each": The "count" and "for_each" arguments are mutually exclusive: use only one of them.',
  ]],
  ['for_each over a list is refused', '  template = "t"\n  memory = "1GiB"\n  for_each = ["a"]\n', [
    'main.xf.hcl:9:14: Invalid for_each argument: The given "for_each" argument value is unsuitable: the "for_each" argument must be a map, or set of strings, and you have provided a value of type tuple. Use toset(...) to convert a list of strings.',
  ]],
  ['an ignore_changes path that does not exist suggests one', '  template = "t"\n  memory = "1GiB"\n  lifecycle {\n    ignore_changes = [tag]\n  }\n', [
    'main.xf.hcl:10:23: Invalid ignore_changes path: "tag" is not an attribute of a vm. Did you mean "tags"? Use paths like tags, boot.args, memory.static_max or other_config.KEY.',
  ]],
  ['reserved other_config keys are refused', '  template = "t"\n  memory = "1GiB"\n  other_config = { "xenform-address" = "x" }\n', [
    'main.xf.hcl:9:18: Reserved other_config key: The other_config key "xenform-address" is reserved: keys starting with "xenform-" hold xenform\'s ownership markers.',
  ]],
];

for (const [name, body, expected] of failures) {
  t.test(name, async (t) => {
    const r = load(vm(body));
    t.same(errors(r), expected);
  });
}

t.test('a count known only after apply is refused', async (t) => {
  const r = load({
    'main.xf.hcl': `${HOST}vm "a" {\n  host = host.lab\n  template = "t"\n  memory = "1GiB"\n}\nvm "b" {\n  host = host.lab\n  template = "t"\n  memory = "1GiB"\n  count = length(vm.a.uuid)\n}\n`,
  });
  t.same(errors(r), [
    'main.xf.hcl:14:11: Invalid count argument: The "count" value depends on values known only after apply, such as the uuid of a VM yet to be created, so xenform cannot tell how many instances to plan.',
  ]);
});

t.test('a vm on an undeclared host suggests the closest', async (t) => {
  const r = load({ 'main.xf.hcl': `${HOST}vm "a" {\n  host = host.lob\n  template = "t"\n  memory = "1GiB"\n}\nvm "b" {\n  host = "lob"\n  template = "t"\n  memory = "1GiB"\n}\n` });
  t.same(errors(r), [
    'main.xf.hcl:6:10: Reference to undeclared host: A host named "lob" has not been declared. Did you mean "lab"?',
    'main.xf.hcl:11:10: Reference to undeclared host: No host named "lob" is declared. Did you mean "lab"?',
  ]);
});

t.test('a host needs a toolstack and, unless simulated, an address', async (t) => {
  const r = load({ 'main.xf.hcl': 'host "h" {\n  user = "admin"\n  port = 70000\n}\n' });
  t.same(errors(r), [
    'main.xf.hcl:1:1: Missing required argument: The argument "toolstack" is required ("xapi" or "xl"), but no definition was found.',
    'main.xf.hcl:1:1: Missing required argument: The argument "address" is required for a host that is not a simulator, but no definition was found.',
    'main.xf.hcl:3:10: Invalid value: "port" must be at most 65535; got 70000.',
  ]);
});

t.test('an error in every instance of a counted vm is reported once', async (t) => {
  const r = load(vm('  count = 5\n  template = "t"\n  memory = "lots"\n'));
  t.equal(errors(r).length, 1, errors(r).join('\n'));
});
