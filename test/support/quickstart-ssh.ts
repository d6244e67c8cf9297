// The quickstart example with its simulated host behind a real OpenSSH server on 127.0.0.1.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exampleCopy } from '../e2e/cli.js';
import { ssh, startSshd, type Sshd } from './sshd.js';

// No agent and no ~/.ssh: the host block's identity_file and known_hosts are all there is.
export const SSH_ENV = { SSH_AUTH_SOCK: '', HOME: '/nonexistent-xenform-home' };

// Turns the quickstart's simulated host into an SSH host.
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
  if (replaced === text) throw new Error('the quickstart no longer has `simulator = true`');
  writeFileSync(file, replaced);
}

// A copy of the quickstart reaching its host through a fresh sshd, both removed when the test ends.
export async function quickstartOverSsh(t: { teardown: (fn: () => void | Promise<void>) => void }, env: Record<string, string> = {}): Promise<{ dir: string; sshd: Sshd }> {
  const dir = exampleCopy('quickstart', t.teardown);
  const sshd = await startSshd({ env: { XENSIM_STATE: path.join(dir, 'dom0.json'), ...env } });
  t.teardown(() => sshd.stop());
  overSsh(dir, sshd);
  return { dir, sshd };
}

// A parameter of the VM named `name`, as the host's xe reports it.
export async function vmParam(sshd: Sshd, name: string, param: string): Promise<string> {
  const r = await ssh(sshd, `xe vm-list name-label=${name} params=${param} --minimal`);
  return r.stdout.trim();
}

export function editConfig(dir: string, from: string, to: string, all = false): void {
  const file = path.join(dir, 'main.xf.hcl');
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`the configuration does not contain ${from}`);
  writeFileSync(file, all ? text.split(from).join(to) : text.replace(from, to));
}
