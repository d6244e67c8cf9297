// An example's simulated host turned into an SSH host: the host block points at a real sshd
// on 127.0.0.1 whose `xe` is the simulated one (test/support/sshd.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Sshd } from '../support/sshd.js';

export function overSsh(dir: string, sshd: Sshd, extra = ''): void {
  const file = path.join(dir, 'main.xf.hcl');
  const text = readFileSync(file, 'utf8');
  const block = [
    `  address       = "${sshd.host}"`,
    `  port          = ${sshd.port}`,
    `  user          = "${sshd.user}"`,
    `  identity_file = "${sshd.identityFile}"`,
    `  known_hosts   = "${sshd.knownHostsFile}"`,
    extra,
  ].join('\n');
  const replaced = text.replace(/  simulator = true\n/, `${block}\n`);
  if (replaced === text) throw new Error('the example no longer has `simulator = true`');
  writeFileSync(file, replaced);
}

// No agent, no ~/.ssh: only what the host block names.
export const SSH_ENV = { SSH_AUTH_SOCK: '', HOME: '/nonexistent-xenform-home' };
