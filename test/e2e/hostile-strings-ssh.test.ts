// Thirty-two hostile but carriable strings (quotes, command substitutions, backticks, unicode,
// "; " in names, leading dashes, key=value look-alikes, text shaped like an xe record field) set
// as names, descriptions, tags and other_config values on VMs of the simulated XAPI host behind
// a real OpenSSH server, then read back byte for byte: the next plan shows no change, and xe
// itself holds exactly the configured bytes.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { xenform } from './cli.js';
import { startSshd, ssh, type Sshd } from '../support/sshd.js';
import { HOSTILE } from '../fuzz/hostile.js';


// An HCL quoted string that evaluates to `s`.
const hcl = (s: string): string =>
  `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$\{/g, () => '$${').replace(/%\{/g, '%%{')}"`;

// VM i carries strings 8i..8i+7: name, description, three tags, three other_config values.
function config(sshd: Sshd): string {
  const host = [
    'host "lab" {',
    '  toolstack     = "xapi"',
    `  address       = "${sshd.host}"`,
    `  port          = ${sshd.port}`,
    `  user          = "${sshd.user}"`,
    `  identity_file = "${sshd.identityFile}"`,
    `  known_hosts   = "${sshd.knownHostsFile}"`,
    '}',
  ].join('\n');
  const vms = [0, 1, 2, 3].map((i) => {
    const s = HOSTILE.slice(8 * i, 8 * i + 8).map(hcl);
    return [
      `vm "v${i}" {`,
      '  host        = host.lab',
      '  template    = "Debian Bookworm 12"',
      '  power_state = "halted"',
      '  memory      = "512MiB"',
      `  name        = ${s[0]}`,
      `  description = ${s[1]}`,
      `  tags        = [${s[2]}, ${s[3]}, ${s[4]}]`,
      `  other_config = { h1 = ${s[5]}, h2 = ${s[6]}, h3 = ${s[7]} }`,
      '}',
    ].join('\n');
  });
  return [host, ...vms].join('\n\n') + '\n';
}

const ENV = { SSH_AUTH_SOCK: '', HOME: '/nonexistent-xenform-home' };

t.test('32 hostile strings are set over SSH and read back byte for byte', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'xenform-hostile-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const sshd = await startSshd({ env: { XENSIM_STATE: path.join(dir, 'dom0.json') } });
  t.teardown(() => sshd.stop());
  writeFileSync(path.join(dir, 'main.xf.hcl'), config(sshd));

  const valid = xenform(dir, ['validate']);
  t.equal(valid.code, 0, `every string is accepted${valid.code ? `: ${valid.stderr}` : ''}`);
  const apply = xenform(dir, ['apply', '--auto-approve'], ENV);
  t.equal(apply.code, 0, `apply succeeds${apply.code ? `: ${apply.stdout.slice(-2000)}${apply.stderr}` : ''}`);
  const again = xenform(dir, ['plan', '--detailed-exitcode'], ENV);
  t.equal(again.code, 0, `the next plan shows no change${again.code ? `: ${again.stdout.slice(-3000)}${again.stderr}` : ''}`);

  // What the host holds, read through xe's unambiguous single-value output.
  const state = JSON.parse(readFileSync(path.join(dir, 'xenform.state.json'), 'utf8')) as { resources: { address: string; uuid: string }[] };
  const get = async (uuid: string, param: string, key?: string): Promise<string> => {
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const r = await ssh(sshd, `xe vm-param-get uuid=${uuid} param-name=${param}${key ? ` param-key=${q(key)}` : ''}`);
    return r.stdout.replace(/\n$/, '');
  };
  let readBack = 0;
  for (let i = 0; i < 4; i++) {
    const uuid = state.resources.find((r) => r.address === `vm.v${i}`)?.uuid;
    t.ok(uuid, `vm.v${i} is in the state`);
    if (!uuid) continue;
    const s = HOSTILE.slice(8 * i, 8 * i + 8);
    const tags = (await get(uuid, 'tags')).split(', ');
    const got = [
      await get(uuid, 'name-label'),
      await get(uuid, 'name-description'),
      ...s.slice(2, 5).map((tag) => (tags.includes(tag) ? tag : `(missing from ${JSON.stringify(tags)})`)),
      await get(uuid, 'other-config', 'h1'),
      await get(uuid, 'other-config', 'h2'),
      await get(uuid, 'other-config', 'h3'),
    ];
    for (let k = 0; k < 8; k++) if (got[k] === s[k]) readBack++;
    t.same(got, s, `vm.v${i} holds its eight strings exactly`);
  }
  t.equal(readBack, 32, 'hostile strings read back correctly: 32 of 32');
});
