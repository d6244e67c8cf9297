// A lost state never leads to a second VM: the plan refuses to create a VM whose ownership
// marker is already on its host, and `state rebuild` records the VMs the markers name. Over a
// real sshd, for both toolstacks.
import t from 'tap';
import type { Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exampleCopy, xenform } from './cli.js';
import { startSshd, ssh, type Sshd } from '../support/sshd.js';
import { overSsh, SSH_ENV, xlGuestOverSsh } from '../support/ssh-config.js';
import { STATE_FILE } from '../../planner/model/state.js';

interface Case {
  name: string;
  setup(t: Test): Promise<{ dir: string; sshd: Sshd }>;
  address: string;
  host: string;
  count(sshd: Sshd): Promise<number>; // VMs on the host
}

const cases: Case[] = [
  {
    name: 'on an XAPI host',
    async setup(t) {
      const dir = exampleCopy('quickstart', t.teardown);
      const sshd = await startSshd({ env: { XENSIM_STATE: path.join(dir, 'dom0.json') } });
      t.teardown(() => sshd.stop());
      overSsh(dir, sshd);
      return { dir, sshd };
    },
    address: 'vm.web',
    host: 'demo',
    count: async (sshd) => (await ssh(sshd, 'xe vm-list is-control-domain=false --minimal')).stdout.trim().split(',').filter(Boolean).length,
  },
  {
    name: 'on an xl host',
    async setup(t) {
      const dir = mkdtempSync(path.join(tmpdir(), 'xenform-lost-xl-'));
      t.teardown(() => rmSync(dir, { recursive: true, force: true }));
      const sshd = await startSshd({ env: { XENSIM_STATE: path.join(dir, 'dom0.json'), XENSIM_TOOLSTACK: 'xl' } });
      t.teardown(() => sshd.stop());
      xlGuestOverSsh(dir, sshd);
      return { dir, sshd };
    },
    address: 'vm.tiny',
    host: 'edge',
    count: async (sshd) => (await ssh(sshd, 'xl list')).stdout.split('\n').filter((l) => /^tiny\s/.test(l)).length,
  },
];

const uuidOf = (dir: string, address: string): string =>
  (JSON.parse(xenform(dir, ['state', 'pull']).stdout) as { resources: { address: string; uuid: string }[] }).resources.find((r) => r.address === address)!.uuid;

for (const c of cases) {
  t.test(`a deleted state is refused, not duplicated, and state rebuild restores it ${c.name}`, async (t) => {
    const { dir, sshd } = await c.setup(t);
    const applied = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
    t.equal(applied.code, 0, `the first apply creates the VMs (${applied.stderr})`);
    const uuid = uuidOf(dir, c.address);
    const before = await c.count(sshd);
    rmSync(path.join(dir, STATE_FILE), { force: true });
    rmSync(path.join(dir, `${STATE_FILE}.backup`), { force: true });

    const plan = xenform(dir, ['plan'], SSH_ENV);
    t.equal(plan.code, 1, 'the plan is refused');
    t.match(plan.stderr, `${c.address} would be created on host "${c.host}", but VM ${uuid} on host "${c.host}"`, 'naming the address, the host and the uuid');
    t.match(plan.stderr, 'there is no state here');
    t.match(plan.stderr, 'xenform state rebuild');
    t.match(plan.stderr, `xenform import ${c.address} ${uuid}`);
    t.equal(xenform(dir, ['apply', '--auto-approve'], SSH_ENV).code, 1, 'apply is refused too');
    t.equal(await c.count(sshd), before, 'no second VM was made');

    const asked = xenform(dir, ['state', 'rebuild'], SSH_ENV);
    t.equal(asked.code, 1, 'without a terminal, rebuild wants --auto-approve');
    t.match(asked.stderr, /no terminal to confirm on.*--auto-approve/);

    const rebuilt = xenform(dir, ['state', 'rebuild', '--auto-approve'], SSH_ENV);
    t.equal(rebuilt.code, 0, `rebuild writes the state (${rebuilt.stderr})`);
    t.match(rebuilt.stdout, `${c.address}: VM ${uuid} on host "${c.host}"`, 'it shows what it writes');
    t.equal(uuidOf(dir, c.address), uuid, 'the VM is recorded under its address again');
    const again = xenform(dir, ['plan', '--detailed-exitcode'], SSH_ENV);
    t.equal(again.code, 0, `and the next plan has nothing to do (${again.stdout}${again.stderr})`);
  });
}

t.test('a deleted state with a backup of its lineage is refused at plan, naming the backup', async (t) => {
  const { dir, sshd } = await cases[0].setup(t);
  const applied = xenform(dir, ['apply', '--auto-approve'], SSH_ENV);
  t.equal(applied.code, 0, `the first apply creates the VMs (${applied.stderr})`);
  const lineage = (JSON.parse(xenform(dir, ['state', 'pull']).stdout) as { lineage: string }).lineage;
  const rm = xenform(dir, ['state', 'rm', 'vm.installer']);
  t.equal(rm.code, 0, `an edit leaves the applied state as the backup (${rm.stderr})`);
  rmSync(path.join(dir, STATE_FILE));
  const plan = xenform(dir, ['plan'], SSH_ENV);
  t.equal(plan.code, 1);
  t.match(plan.stderr, `${STATE_FILE}.backup holds lineage ${lineage}`);
  t.match(plan.stderr, /cp .*\.backup .*xenform\.state\.json/, 'and says how to restore it');
  const rebuilt = xenform(dir, ['state', 'rebuild', '--auto-approve'], SSH_ENV);
  t.equal(rebuilt.code, 0, rebuilt.stderr);
  t.equal((JSON.parse(xenform(dir, ['state', 'pull']).stdout) as { lineage: string }).lineage, lineage, 'rebuild keeps the lost lineage');
  t.equal(xenform(dir, ['plan', '--detailed-exitcode'], SSH_ENV).code, 0);
  t.equal(await cases[0].count(sshd), 2, 'still the two VMs of the quickstart');
});
