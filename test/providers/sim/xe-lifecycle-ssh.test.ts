// Every lifecycle command from every power state, through the `xe` executable over a
// real SSH connection, against spec §1.2 (resulting state) and §1.4 (error text, exit 1).
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSshd, ssh } from '../../support/sshd.js';

type State = 'halted' | 'running' | 'paused' | 'suspended';

// How to bring a freshly installed (halted) VM into each state.
const SETUP: Record<State, string[]> = {
  halted: [],
  running: ['vm-start'],
  paused: ['vm-start --paused'],
  suspended: ['vm-start', 'vm-suspend'],
};

interface Case {
  command: string;
  outcome: Record<State, State | 'gone' | { expected: string }>;
}

// The rows of spec §1.2; `expected` is the §1.4 parameter for a wrong state.
const CASES: Case[] = [
  { command: 'vm-start', outcome: { halted: 'running', running: { expected: 'halted' }, paused: { expected: 'halted' }, suspended: { expected: 'halted' } } },
  { command: 'vm-start --paused', outcome: { halted: 'paused', running: { expected: 'halted' }, paused: { expected: 'halted' }, suspended: { expected: 'halted' } } },
  { command: 'vm-start paused=true', outcome: { halted: 'paused', running: { expected: 'halted' }, paused: { expected: 'halted' }, suspended: { expected: 'halted' } } },
  { command: 'vm-shutdown', outcome: { halted: { expected: 'running' }, running: 'halted', paused: { expected: 'running' }, suspended: { expected: 'running' } } },
  {
    command: 'vm-shutdown --force',
    outcome: { halted: { expected: 'paused, suspended, running' }, running: 'halted', paused: 'halted', suspended: 'halted' },
  },
  { command: 'vm-shutdown force=true', outcome: { halted: { expected: 'paused, suspended, running' }, running: 'halted', paused: 'halted', suspended: 'halted' } },
  { command: 'vm-reboot', outcome: { halted: { expected: 'running' }, running: 'running', paused: { expected: 'running' }, suspended: { expected: 'running' } } },
  { command: 'vm-reboot --force', outcome: { halted: { expected: 'paused, running' }, running: 'running', paused: 'running', suspended: { expected: 'paused, running' } } },
  { command: 'vm-pause', outcome: { halted: { expected: 'running' }, running: 'paused', paused: { expected: 'running' }, suspended: { expected: 'running' } } },
  { command: 'vm-unpause', outcome: { halted: { expected: 'paused' }, running: { expected: 'paused' }, paused: 'running', suspended: { expected: 'paused' } } },
  { command: 'vm-suspend', outcome: { halted: { expected: 'running' }, running: 'suspended', paused: { expected: 'running' }, suspended: { expected: 'running' } } },
  { command: 'vm-resume', outcome: { halted: { expected: 'suspended' }, running: { expected: 'suspended' }, paused: { expected: 'suspended' }, suspended: 'running' } },
  { command: 'vm-destroy', outcome: { halted: 'gone', running: { expected: 'halted, suspended' }, paused: { expected: 'halted, suspended' }, suspended: 'gone' } },
];

const BAD_POWER_STATE_DOC =
  "You attempted an operation on a VM that was not in an appropriate power state at the time; for example, you attempted to start a VM that was already running. The parameters returned are the VM's handle, and the expected and actual VM state at the time of the call.";

interface Observed {
  uuid: string;
  name: string;
  code: number;
  stdout: string;
  stderr: string;
  domidBefore: string;
  power: string;
  domid: string;
  residentOn: string;
  suspendVdi: string;
}

// One shell script per source state: install a VM per case, bring it to the state,
// run the command, report everything base64-encoded on one line.
function script(from: State): string {
  const lines = ['set -u', 'tmp=$(mktemp -d)', 'b() { base64 -w0 < "$1"; }'];
  CASES.forEach((c, i) => {
    const name = `${from}-${i}`;
    lines.push(`U=$(xe vm-install template='Debian Bookworm 12' new-name-label=${name})`);
    for (const s of SETUP[from]) lines.push(`xe ${s} uuid=$U`);
    lines.push(from === 'running' || from === 'paused' ? `D0=$(xe vm-param-get uuid=$U param-name=dom-id)` : 'D0=-1');
    lines.push(`xe ${c.command} uuid=$U >$tmp/o 2>$tmp/e; rc=$?`);
    // One call reads everything back; a destroyed VM leaves an empty list.
    lines.push(`xe vm-list uuid=$U params=power-state,dom-id,resident-on,suspend-VDI-uuid >$tmp/s 2>&1`);
    lines.push(`echo "CASE ${i} $U ${name} $rc $(b $tmp/o)/ $(b $tmp/e)/ $D0 $(b $tmp/s)/"`);
  });
  lines.push('rm -rf "$tmp"');
  return lines.join('\n');
}

// The values of a one-record vm-list, by field name.
function fields(record: string): { power: string; domid: string; residentOn: string; suspendVdi: string } {
  const v = (name: string) => new RegExp(`^ *${name} \\( R[OW]\\) *: (.*)$`, 'm').exec(record)?.[1] ?? '';
  return { power: record === '' ? 'gone' : v('power-state'), domid: v('dom-id'), residentOn: v('resident-on'), suspendVdi: v('suspend-VDI-uuid') };
}

function parse(stdout: string): Map<number, Observed> {
  const out = new Map<number, Observed>();
  const dec = (s: string) => Buffer.from(s.slice(0, -1), 'base64').toString();
  for (const line of stdout.split('\n')) {
    const f = line.split(' ');
    if (f[0] !== 'CASE') continue;
    out.set(Number(f[1]), {
      uuid: f[2], name: f[3], code: Number(f[4]), stdout: dec(f[5]), stderr: dec(f[6]), domidBefore: f[7],
      ...fields(dec(f[8])),
    });
  }
  return out;
}

t.test('every lifecycle command from every power state, through xe over SSH', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xensim-lc-'));
  const sshd = await startSshd({ env: { XENSIM_STATE: join(dir, 'host.json'), XENSIM_HOSTNAME: 'xcp1' } });
  t.teardown(async () => {
    await sshd.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const states: State[] = ['halted', 'running', 'paused', 'suspended'];
  const runs = await Promise.all(states.map((s) => ssh(sshd, script(s))));
  states.forEach((from, si) => {
    const r = runs[si];
    t.equal(r.code, 0, `the ${from} batch ran (stderr: ${r.stderr})`);
    const observed = parse(r.stdout);
    CASES.forEach((c, i) => {
      const want = c.outcome[from];
      const o = observed.get(i);
      const label = typeof want === 'string' ? (want === 'gone' ? 'removes it' : `leaves it ${want}`) : `fails with VM_BAD_POWER_STATE (expected ${want.expected})`;
      t.test(`xe ${c.command} on a ${from} VM ${label}`, async (t) => {
        if (!o) return t.fail('the case produced no report');
        if (typeof want === 'object') {
          t.equal(o.code, 1, 'exit code 1');
          t.equal(o.stdout, '', 'nothing on stdout');
          t.equal(o.stderr, `${BAD_POWER_STATE_DOC}\nvm: ${o.uuid} (${o.name})\nexpected: ${want.expected}\nactual: ${from}\n`, 'the exact error text');
          t.equal(o.power, from, 'the VM keeps its state');
          return;
        }
        t.equal(o.code, 0, `exit code 0 (stderr: ${o.stderr})`);
        t.equal(o.stdout, '', 'lifecycle commands print nothing');
        if (want === 'gone') {
          t.equal(o.power, 'gone', 'the VM record is gone');
          return;
        }
        t.equal(o.power, want, `power-state is ${want}`);
        if (want === 'halted' || want === 'suspended') {
          t.equal(o.domid, '-1', 'no domain: dom-id -1');
          t.equal(o.residentOn, '<not in database>', 'resident-on is empty');
        } else {
          t.ok(Number(o.domid) > 0, 'a domain exists');
          t.match(o.residentOn, /^[0-9a-f-]{36}$/, 'resident on the host');
          const rebuilt = c.command.startsWith('vm-reboot') || c.command.startsWith('vm-start') || c.command === 'vm-resume';
          if (rebuilt) t.not(o.domid, o.domidBefore, 'a new domain was built');
          else t.equal(o.domid, o.domidBefore, 'pause and unpause keep the domain');
        }
        if (want === 'suspended') t.match(o.suspendVdi, /^[0-9a-f-]{36}$/, 'the suspend image is recorded');
        else t.equal(o.suspendVdi, '<not in database>', 'no suspend image');
      });
    });
  });
});
