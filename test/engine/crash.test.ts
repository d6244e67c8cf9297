// Kills `xenform apply` with SIGKILL at random moments against the simulated host behind a
// real OpenSSH server, and checks after each kill that nothing was lost or duplicated and
// that the next apply converges. XENFORM_CRASH_SEED replays a sequence; XENFORM_CRASH_RUNS
// changes how many kills (default 50).
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { parseState } from '../../engine/state/format.js';
import { STATE_FILE } from '../../planner/model/state.js';
import { startSshd, type Sshd } from '../support/sshd.js';
import { BUILT, cli, hostBlock, inventory, random, sshdAvailable, WEB_BLOCK } from './crash-support.js';

const RUNS = Number(process.env.XENFORM_CRASH_RUNS ?? 50);
const SEED = Number(process.env.XENFORM_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const MiB = 2 ** 20;

t.test('apply killed at random moments never loses or duplicates a VM, and the next apply converges', {
  skip: !sshdAvailable() ? 'sshd is not installed (apt-get install openssh-server)' : !BUILT ? 'run `npm run build` first' : false,
  timeout: 1_500_000,
}, async (t) => {
  t.comment(`crash test seed ${SEED} (replay with XENFORM_CRASH_SEED=${SEED})`);
  const rand = random(SEED);
  const dir = t.testdir();
  const simState = path.join(dir, 'sim-lab.json');
  // Latency on every command widens the windows between a step's commands.
  const sshd: Sshd = await startSshd({ env: { XENSIM_STATE: simState, XENSIM_FAULTS: JSON.stringify({ latency_ms: { '*': 10 } }) } });
  t.teardown(() => sshd.stop());
  fs.writeFileSync(path.join(dir, 'main.xf.hcl'), hostBlock(sshd) + WEB_BLOCK);
  // One apply left to finish measures how long one takes here; kills land anywhere in it.
  const first = await cli(dir, ['apply', '--auto-approve', '--var', 'n=3']);
  t.equal(first.code, 0, `an apply that is not killed succeeds: ${first.stderr}`);
  const window = Math.max(500, first.ms);
  t.comment(`an apply of 3 VMs takes ${first.ms} ms here; kills land within ${window} ms`);

  for (let run = 1; run <= RUNS; run++) {
    const n = 1 + Math.floor(rand() * 3);
    const power = rand() < 0.7 ? 'running' : 'halted';
    const mem = rand() < 0.5 ? '256MiB' : '512MiB';
    const killAfterMs = Math.floor(rand() * window);
    const vars = ['--var', `n=${n}`, '--var', `power=${power}`, '--var', `mem=${mem}`];
    const what = `run ${run} (seed ${SEED}): n=${n} power=${power} mem=${mem}, killed after ${killAfterMs} ms`;

    const killed = await cli(dir, ['apply', '--auto-approve', ...vars], { killAfterMs });

    const stateFile = path.join(dir, STATE_FILE);
    if (fs.existsSync(stateFile)) {
      let parsed = true;
      try {
        parseState(fs.readFileSync(stateFile, 'utf8'));
      } catch {
        parsed = false;
      }
      if (!parsed) {
        t.fail(`${what}: the state file does not parse`);
        break;
      }
    }

    let again = await cli(dir, ['apply', '--auto-approve', ...vars]);
    const stale = /xenform force-unlock (\S+)/.exec(again.stderr + again.stdout);
    if (again.code !== 0 && stale && killed.signal === 'SIGKILL') {
      // What a user does after a crash: the error names the stale lock and the command.
      const unlock = await cli(dir, ['force-unlock', '--force', stale[1]]);
      if (unlock.code !== 0) t.fail(`${what}: force-unlock failed: ${unlock.stderr}`);
      again = await cli(dir, ['apply', '--auto-approve', ...vars]);
    }
    if (again.code !== 0) {
      t.fail(`${what}: the second apply failed (exit ${again.code}):\n${again.stderr}\n${again.stdout.slice(-2000)}`);
      break;
    }

    const inv = await inventory(sshd, dir);
    const state = parseState(fs.readFileSync(stateFile, 'utf8'));
    const names = inv.vms.map((v) => v.attributes.name).sort();
    const expected = Array.from({ length: n }, (_, i) => `web-${i}`).sort();
    const problems: string[] = [];
    if (new Set(names).size !== names.length) problems.push(`a VM exists twice: ${names.join(', ')}`);
    if (JSON.stringify(names) !== JSON.stringify(expected)) problems.push(`the host has ${names.join(', ') || 'no VMs'}, configured ${expected.join(', ')}`);
    for (const vm of inv.vms) {
      if (vm.attributes.power_state !== power) problems.push(`${vm.attributes.name} is ${vm.attributes.power_state}, configured ${power}`);
      if (vm.attributes.memory.static_max !== (mem === '256MiB' ? 256 : 512) * MiB) problems.push(`${vm.attributes.name} has ${vm.attributes.memory.static_max / MiB} MiB, configured ${mem}`);
    }
    const onHost = new Set(inv.vms.map((v) => v.uuid));
    for (const r of state.resources) if (!onHost.has(r.uuid)) problems.push(`${r.address} (${r.uuid}) is in the state but not on the host`);
    const recorded = new Set(state.resources.map((r) => r.uuid));
    for (const vm of inv.vms) if (!recorded.has(vm.uuid)) problems.push(`VM ${vm.attributes.name} (${vm.uuid}) is on the host but not in the state: lost from management`);
    if (problems.length) {
      t.fail(`${what}:\n  ${problems.join('\n  ')}`);
      break;
    }
    t.pass(`${what}: converged (${inv.vms.length} VMs)`);
  }
});
