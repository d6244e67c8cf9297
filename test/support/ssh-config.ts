// Configurations for the simulated hosts behind a test sshd (test/support/sshd.ts): the
// quickstart's XAPI host turned into an SSH host, and a one-guest xl host.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exampleCopy } from '../e2e/cli.js';
import { ssh, startSshd, type Sshd } from './sshd.js';

// The client side of a test sshd: no agent, no user ssh_config.
export const SSH_ENV = { SSH_AUTH_SOCK: '', HOME: '/nonexistent-xenform-home' };

export function connection(sshd: Sshd): string {
  return [
    `  address       = "${sshd.host}"`,
    `  port          = ${sshd.port}`,
    `  user          = "${sshd.user}"`,
    `  identity_file = "${sshd.identityFile}"`,
    `  known_hosts   = "${sshd.knownHostsFile}"`,
  ].join('\n');
}

// An example's simulated host (in `dir`, a copy of the example), turned into an SSH host.
export function overSsh(dir: string, sshd: Sshd, extra = ''): void {
  const file = path.join(dir, 'main.xf.hcl');
  const text = readFileSync(file, 'utf8');
  const replaced = text.replace(/  simulator = true\n/, `${connection(sshd)}\n${extra}\n`);
  if (replaced === text) throw new Error('the example no longer has `simulator = true`');
  writeFileSync(file, replaced);
}

// One running PV guest, vm.tiny, on the xl host behind `sshd` (started with XENSIM_TOOLSTACK=xl).
export function xlGuestOverSsh(dir: string, sshd: Sshd): void {
  const etc = path.join(dir, 'host-etc-xen');
  const save = path.join(dir, 'host-save');
  const boot = path.join(dir, 'host-boot');
  for (const d of [etc, save, boot]) mkdirSync(d, { recursive: true });
  writeFileSync(path.join(boot, 'vmlinuz'), 'kernel');
  writeFileSync(path.join(boot, 'initrd.gz'), 'ramdisk');
  writeFileSync(
    path.join(dir, 'main.xf.hcl'),
    `host "edge" {\n  toolstack     = "xl"\n${connection(sshd)}\n  config_dir    = "${etc}"\n  suspend_dir   = "${save}"\n}\n\n` +
      `vm "tiny" {\n  host        = host.edge\n  name        = "tiny"\n  power_state = "running"\n  memory      = "128MiB"\n  vcpus       = 1\n\n` +
      `  boot {\n    mode    = "pv"\n    kernel  = "${boot}/vmlinuz"\n    ramdisk = "${boot}/initrd.gz"\n    args    = "console=hvc0"\n  }\n\n` +
      `  shutdown {\n    timeout  = "10s"\n    fallback = "hard"\n  }\n}\n`,
  );
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
