import t from 'tap';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import xterm from '@xterm/headless';
import { eventLine, jsonLine } from '../../cli/views/progress/lines.js';
import { emptyModel, reduce } from '../../cli/views/progress/model.js';
import type { Step } from '../../planner/model/ops.js';
import { stepOf } from '../support/steps.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const driver = path.join(root, 'dist/test/cli/progress-driver.js');

function screenOf(raw: string, cols = 100, rows = 30): Promise<string[]> {
  const term = new xterm.Terminal({ cols, rows, allowProposedApi: true });
  return new Promise((resolve) => {
    term.write(raw.replace(/\n/g, '\r\n'), () => {
      const buf = term.buffer.active;
      const lines: string[] = [];
      for (let i = 0; i < buf.length; i++) lines.push(buf.getLine(i)!.translateToString(true));
      resolve(lines.filter((l) => l.trim() !== ''));
    });
  });
}

t.test('on a terminal, the Ink view shows one line per VM with its step, spinner and elapsed time', { skip: !fs.existsSync(driver) && 'run `npm run build` first' }, async (t) => {
  // `script` gives the driver a pseudo-terminal, so process.stdout.isTTY is true as in real use.
  // Ink draws only the final frame when it sees CI in the environment (is-in-ci), as CI logs
  // want; the terminal a person watches has no CI variable, so neither has this one.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k !== 'NO_COLOR' && k !== 'CI' && k !== 'CONTINUOUS_INTEGRATION' && !k.startsWith('CI_')),
  );
  const command = `stty cols 100 rows 30; ${JSON.stringify(process.execPath)} ${JSON.stringify(driver)}`;
  const r = spawnSync('script', ['-qfec', command, '/dev/null'], {
    encoding: 'utf8',
    env: { ...env, FORCE_COLOR: '1' },
    timeout: 20_000,
  });
  t.equal(r.status, 0, r.stderr);
  const raw = r.stdout;
  const plain = raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
  t.match(plain, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/, 'a spinner turned while steps ran');
  t.match(plain, /vm\.db\s+starting/, 'a running VM shows its current step');
  t.match(plain, /vm\.web\[0\]\s+shutting down/, 'and another one its own');
  t.match(plain, /· vm\.web\[0\]\s+1 of 2 steps done/, 'a VM between its steps waits for the next one');
  t.ok(plain.lastIndexOf('vm.web[0]') > plain.search(/vm\.web\[0\]\s+starting/), 'its next step shows');
  t.notMatch(plain.slice(0, plain.search(/vm\.web\[0\]\s+starting/)), /✔ vm\.web\[0\]/, 'it is not shown done before its last step');

  const screen = await screenOf(raw);
  const line = (address: string) => screen.find((l) => l.includes(address)) ?? '';
  t.match(line('vm.web[0]'), /✔ vm\.web\[0\]\s+done\s+\d\S*\s+no clean shutdown within 1s; forcing it/, 'the final screen shows the finished VM with its time and the shutdown fallback it needed');
  t.match(line('vm.db'), /✔ vm\.db\s+done/);
  t.match(line('vm.cache'), /✘ vm\.cache\s+failed \(set\)/, 'a failed VM says which step failed');
  t.match(screen.join('\n'), /vm\.cache.*brought back to running/, 'the restore is said in the output');
  t.notMatch(screen.join('\n'), /Apply (failed|stopped|complete)/, 'the view prints no summary: the command prints the one summary, with where each VM is');
  t.equal(screen.filter((l) => l.includes('vm.db')).length, 1, 'each VM has exactly one line on the final screen');
});

const s = (op: Step['op']): Step => stepOf({ op }, { address: 'vm.a', host: 'lab' });

t.test('not on a terminal, each event is one plain line', async (t) => {
  t.equal(eventLine({ type: 'step_start', step: s('clean_shutdown') }), 'vm.a: clean shutdown started');
  t.equal(eventLine({ type: 'step_failed', step: s('start'), error: 'VM_BAD_POWER_STATE' }), 'vm.a: start FAILED: VM_BAD_POWER_STATE');
  t.equal(eventLine({ type: 'vm_restore', address: 'vm.a', host: 'lab', to: 'running', ok: true }), 'vm.a: brought back to running');
  t.equal(eventLine({ type: 'apply_done', succeeded: 2, failed: 0, skipped: 1, ms: 2500 }), 'Apply stopped: 2 succeeded, 0 failed, 1 skipped in 2.5s.');
  t.notMatch(eventLine({ type: 'refresh_done', host: 'lab', vms: 3, ms: 12 }), /\n/);
});

t.test('with --json, each event is one JSON object with a time', async (t) => {
  const line = jsonLine({ type: 'step_done', step: s('start'), ms: 5 }, new Date('2026-01-01T00:00:00Z'));
  t.same(JSON.parse(line), { time: '2026-01-01T00:00:00.000Z', type: 'step_done', step: s('start'), ms: 5 });
});

t.test('the model keeps a failed VM failed when its later steps are skipped', async (t) => {
  let m = emptyModel();
  m = reduce(m, { type: 'step_start', step: s('set') }, 1000);
  m = reduce(m, { type: 'step_failed', step: s('set'), error: 'boom' }, 1500);
  m = reduce(m, { type: 'step_skipped', step: { ...s('start'), id: 's2' }, reason: 'an earlier step failed' }, 1600);
  t.equal(m.vms.length, 1);
  t.equal(m.vms[0].status, 'failed');
  t.equal(m.vms[0].note, 'boom');
});
