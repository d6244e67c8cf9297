// `xenform { required_version = "..." }`: Terraform's constraint syntax checked against the
// running version, refused with one clear message before anything else is evaluated.
import t from 'tap';
import { rmSync } from 'node:fs';
import { xenform } from '../../e2e/cli.js';
import { writeDir } from '../../support/files.js';
import { versionSatisfies } from '../../../planner/config/required-version.js';
import { HOST, errors, load } from './support.js';

const constraints: { name: string; version: string; constraint: string; want: boolean | RegExp }[] = [
  { name: 'a version at the lower bound satisfies >=', version: '0.2.0', constraint: '>= 0.2', want: true },
  { name: 'a version below the lower bound does not satisfy >=', version: '0.1.0', constraint: '>= 0.2', want: false },
  { name: 'comma-separated parts must all hold', version: '0.3.1', constraint: '>= 0.2, < 0.3', want: false },
  { name: '~> with two parts lets the minor grow', version: '1.9.0', constraint: '~> 1.2', want: true },
  { name: '~> with two parts stops at the next major', version: '2.0.0', constraint: '~> 1.2', want: false },
  { name: '~> with three parts lets only the patch grow', version: '1.3.0', constraint: '~> 1.2.3', want: false },
  { name: 'a bare version means exactly that version', version: '0.1.0', constraint: '0.1', want: true },
  { name: '!= excludes one version', version: '0.1.1', constraint: '~> 0.1, != 0.1.1', want: false },
  { name: 'a prerelease is below its release', version: '0.2.0-rc.1', constraint: '>= 0.2.0', want: false },
  { name: 'words that are not a constraint are refused with the part they are in', version: '0.1.0', constraint: '>= 0.1, or so', want: /"or so" is not a version constraint/ },
];

for (const c of constraints) {
  t.test(c.name, async (t) => {
    const r = versionSatisfies(c.version, c.constraint);
    if (c.want instanceof RegExp) t.match(typeof r === 'boolean' ? '' : r.error, c.want);
    else t.equal(r, c.want);
  });
}

const settings = (value: string) => `xenform {\n  required_version = ${value}\n}\n`;
const broken = `${HOST}vm "web" {\n  host = host.lab\n  name = var.missing\n}\n`;

const loads: { name: string; files: Record<string, string>; version?: string; errors: string[] }[] = [
  {
    name: 'a configuration for a newer xenform is refused with one error at the constraint, before its other errors',
    files: { 'settings.xf.hcl': settings('">= 0.2"'), 'main.xf.hcl': broken },
    version: '0.1.0',
    errors: ['settings.xf.hcl:2:22: Unsupported xenform version: This configuration requires xenform >= 0.2, and this is xenform 0.1.0. Use a version of xenform that satisfies the constraint, or change required_version.'],
  },
  {
    name: 'a satisfied constraint lets the configuration be evaluated',
    files: { 'settings.xf.hcl': settings('">= 0.1, < 1.0"'), 'main.xf.hcl': HOST },
    version: '0.1.0',
    errors: [],
  },
  {
    name: 'a constraint that is not a string is refused',
    files: { 'settings.xf.hcl': settings('2'), 'main.xf.hcl': HOST },
    version: '0.1.0',
    errors: ['settings.xf.hcl:2:22: Incorrect attribute value type: Inappropriate value for attribute "required_version": a string is required, such as ">= 0.2".'],
  },
  {
    name: 'a constraint may not refer to variables',
    files: { 'settings.xf.hcl': settings('var.v'), 'main.xf.hcl': `variable "v" {\n  default = ">= 0.1"\n}\n${HOST}` },
    version: '0.1.0',
    errors: ['settings.xf.hcl:2:22: Variables not allowed: Variables may not be used here.'],
  },
];

for (const c of loads) {
  t.test(c.name, async (t) => {
    t.same(errors(load(c.files, { version: c.version })), c.errors);
  });
}

t.test('validate, plan and apply all refuse a configuration for a newer xenform', async (t) => {
  const dir = writeDir({ 'settings.xf.hcl': settings('">= 99.0"'), 'main.xf.hcl': HOST });
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const argv of [['validate'], ['plan'], ['apply', '--auto-approve']]) {
    const r = xenform(dir, argv);
    t.equal(r.code, 1, argv[0]);
    t.match(r.stderr, /Unsupported xenform version.*\n[^]*This configuration requires xenform >= 99\.0, and this is xenform \d+\.\d+\.\d+/, `${argv[0]} says which version is needed and which runs`);
  }
});
