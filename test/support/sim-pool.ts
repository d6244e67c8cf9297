// A simulated XAPI pool of three members (xcp-01, xcp-02, xcp-03) behind a real sshd, for the
// pool tests: a configuration directory that reaches it, and xe run over ssh.
import type { Test } from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { overSsh } from './ssh-config.js';
import { ssh, startSshd, type Sshd } from './sshd.js';

const MEMBERS = 'xcp-01,xcp-02,xcp-03';

export async function poolOverSsh(t: Test, vms: string, faults?: string): Promise<{ dir: string; sshd: Sshd; statePath: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'xenform-pool-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'main.xf.hcl'), `host "pool" {\n  simulator = true\n  toolstack = "xapi"\n}\n\n${vms}`);
  const sshd = await startSshd({ env: { XENSIM_STATE: path.join(dir, 'pool.json'), XENSIM_HOSTS: MEMBERS, ...(faults ? { XENSIM_FAULTS: faults } : {}) } });
  t.teardown(() => sshd.stop());
  overSsh(dir, sshd);
  return { dir, sshd, statePath: path.join(dir, 'pool.json') };
}

export async function xe(sshd: Sshd, command: string): Promise<string> {
  const r = await ssh(sshd, `xe ${command}`);
  if (r.code !== 0) throw new Error(`xe ${command}: ${r.stderr}`);
  return r.stdout.replace(/\n$/, '');
}

export async function residentOn(sshd: Sshd, name: string): Promise<string> {
  const host = await xe(sshd, `vm-list name-label=${name} params=resident-on --minimal`);
  return xe(sshd, `host-param-get uuid=${host} param-name=name-label`);
}

