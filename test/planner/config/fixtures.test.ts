// The fixtures exercise every feature together, as a user's configuration would.
import path from 'node:path';
import { FIXTURES } from '../../support/paths.js';
import t from 'tap';
import { loadConfig } from '../../../planner/config/load.js';
import { configSource } from '../../../engine/config-source.js';
import { UNKNOWN } from '../../../planner/config/types.js';
import { describe } from './support.js';

const fixtures = path.join(FIXTURES, 'config');
const GiB = 1024 ** 3;

t.test('the full fixture evaluates every feature', async (t) => {
  const r = loadConfig({ dir: path.join(fixtures, 'full'), varFiles: ['prod.xfvars.hcl'], env: {}, known: { 'vm.db': { uuid: 'db-uuid' } }, source: configSource });
  t.same(r.diagnostics.map(describe), []);
  const c = r.config!;
  t.same(c.hosts.map((h) => [h.name, h.toolstack, h.simulator, h.max_parallel]), [
    ['lab', 'xapi', false, 2],
    ['edge', 'xl', true, 4],
  ]);
  t.same(c.vms.map((v) => v.address), ['vm.db', 'vm.web[0]', 'vm.web[1]', 'vm.web[2]', 'vm.site["blog"]', 'vm.site["shop"]']);
  const db = c.vms[0];
  t.equal(db.attributes.description, 'Database for prod, network 10.0.1.0/24');
  t.same(db.attributes.memory, { static_min: 2 * GiB, dynamic_min: 2 * GiB, dynamic_max: 4 * GiB, static_max: 4 * GiB });
  const web1 = c.vms[2];
  t.equal(web1.attributes.name, 'prod-web-1');
  t.equal(web1.attributes.power_state, 'halted');
  t.equal(web1.attributes.boot.args, 'console=hvc0 ip=10.0.1.11');
  t.same(web1.attributes.tags, ['managed', 'site-blog', 'site-shop']);
  t.equal(web1.attributes.other_config.db_uuid, 'db-uuid');
  t.equal(web1.restart_trigger, '{"db":"db","v":1}');
  t.same(web1.depends_on, ['vm.db']);
  t.equal(web1.shutdown.timeout_ms, 90_000);
  const shop = c.vms[5];
  t.same([shop.host, shop.attributes.name, shop.attributes.vcpus, shop.attributes.template], ['edge', 'site-shop', 2, '']);
  t.same(shop.depends_on, ['vm.web[0]']);
  t.same(shop.lifecycle.ignore_changes, ['tags', 'boot.args']);
  const out = Object.fromEntries(c.outputs.map((o) => [o.name, o.value]));
  t.same(out.web_names, ['prod-web-0', 'prod-web-1', 'prod-web-2']);
  t.equal(out.db_uuid, 'db-uuid');
  t.same(out.site_memory, { blog: GiB, shop: 2 * GiB });
  t.equal(out.banner, 'Welcome to prod\n* BLOG\n* SHOP\n');
  t.same(c.variables.admin_password, { value: 'hunter2', sensitive: true });
  t.equal(c.outputs.find((o) => o.name === 'password')!.sensitive, true);
});

t.test('without a known uuid, references to it are unknown until apply', async (t) => {
  const r = loadConfig({ dir: path.join(fixtures, 'full'), env: {}, source: configSource });
  t.same(r.diagnostics.map(describe), []);
  const c = r.config!;
  t.equal(c.vms.length, 2 + 1 + 2, 'the default web_count of 2 and the auto file env apply');
  t.equal(c.vms[1].attributes.other_config.db_uuid, UNKNOWN);
  t.equal(c.vms[1].attributes.name, 'staging-web-0');
  t.equal(c.outputs.find((o) => o.name === 'db_uuid')!.value, UNKNOWN);
});

t.test('the broken fixture reports every error with its place', async (t) => {
  const r = loadConfig({ dir: path.join(fixtures, 'broken'), env: {}, source: configSource });
  t.equal(r.config, null);
  t.same(r.diagnostics.map(describe), [
    'main.xf.hcl:7:7: Cycle in references: These values refer to each other in a cycle: local.a -> local.b -> local.a. Remove one of these references to break the cycle.',
    'main.xf.hcl:11:1: Missing required argument: The argument "memory" is required (a size like memory = "2GiB", or a memory block), but no definition was found.',
    'main.xf.hcl:14:3: Unsupported argument: An argument named "memroy" is not expected in a vm block. Did you mean "memory"?',
    'main.xf.hcl:15:17: Invalid value: "power_state" must be one of "running", "halted", "paused", "suspended"; got "stopped".',
    'main.xf.hcl:16:17: Incorrect attribute value type: Inappropriate value for attribute "vcpus": cannot convert "many" to number; given string must be a decimal representation of a number.',
    'main.xf.hcl:19:5: Unsupported argument: "kernel" applies only to PV boot (mode = "pv"); this boot block has mode = "hvm".',
    'main.xf.hcl:24:12: Reference to undeclared host: A host named "lba" has not been declared. Did you mean "lab"?',
    'main.xf.hcl:25:12: Invalid size: Invalid value for "memory": "2GB" uses the unit "GB": xenform sizes are binary; did you mean "2GiB"?',
    'main.xf.hcl:26:12: Call to unknown function: There is no function named "uper". Did you mean "upper"?',
    'main.xf.hcl:30:11: Reference to undeclared input variable: An input variable with the name "missing" has not been declared. This variable can be declared with a variable "missing" {} block.',
  ]);
});
