// The simulator's power history is what tests use to prove a change never halted a guest:
// it must record every power state a VM entered, and a reboot as a stop and a start.
import t from 'tap';
import { runSim } from '../../../providers/sim/index.js';
import { install, powerHistory, tempHost } from '../../support/sim-host.js';

const cases: { name: string; commands: string[]; history: string[] }[] = [
  { name: 'a new VM has entered no state yet', commands: [], history: [] },
  { name: 'a start enters running', commands: ['vm-start'], history: ['running'] },
  { name: 'a reboot is recorded as a stop and a start', commands: ['vm-start', 'vm-reboot'], history: ['running', 'halted', 'running'] },
  { name: 'a hard reboot is recorded as a stop and a start', commands: ['vm-start', 'vm-reboot --force'], history: ['running', 'halted', 'running'] },
  { name: 'pause and unpause keep the domain', commands: ['vm-start', 'vm-pause', 'vm-unpause'], history: ['running', 'paused', 'running'] },
  { name: 'suspend and resume', commands: ['vm-start', 'vm-suspend', 'vm-resume'], history: ['running', 'suspended', 'running'] },
  { name: 'a clean shutdown enters halted', commands: ['vm-start', 'vm-shutdown'], history: ['running', 'halted'] },
  { name: 'a forced power-state reset enters halted', commands: ['vm-start', 'vm-reset-powerstate --force'], history: ['running', 'halted'] },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const { opts } = tempHost(t);
    const uuid = await install(opts, 'app');
    for (const cmd of c.commands) {
      const r = await runSim(['xe', ...cmd.split(' '), `uuid=${uuid}`], opts);
      t.equal(r.code, 0, `${cmd}: ${r.stderr}`);
    }
    t.same(powerHistory(opts.statePath, uuid), c.history);
  });
}

t.test('a copy of a VM starts with no history of its own', async (t) => {
  const { opts } = tempHost(t);
  const uuid = await install(opts, 'app');
  await runSim(['xe', 'vm-start', `uuid=${uuid}`], opts);
  await runSim(['xe', 'vm-shutdown', `uuid=${uuid}`], opts);
  const copy = (await runSim(['xe', 'vm-clone', `uuid=${uuid}`, 'new-name-label=twin'], opts)).stdout.trim();
  t.same(powerHistory(opts.statePath, copy), []);
});
