// Run by progress-view.test.ts under a pseudo-terminal: drives the Ink view with a scripted
// apply (as the engine would emit it) and exits once the final frame is drawn.
import { createProgressView } from '../../cli/views/progress/index.js';
import type { EngineEvent } from '../../engine/events.js';
import type { Step } from '../../planner/model/ops.js';
import { stepOf } from '../support/steps.js';

const step = (id: string, address: string, op: Step['op']): Step => stepOf({ op }, { id, address, host: 'lab' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const view = createProgressView(
  { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s), stdinIsTTY: true, stdoutIsTTY: true, env: process.env, cwd: process.cwd() },
  { json: false, tty: Boolean(process.stdout.isTTY), planned: { 'vm.web[0]': 2, 'vm.db': 1, 'vm.cache': 1 } },
);
await view.ready;
const script: [number, EngineEvent][] = [
  [0, { type: 'step_start', step: step('s1', 'vm.web[0]', 'clean_shutdown') }],
  [0, { type: 'step_start', step: step('s2', 'vm.db', 'start') }],
  [0, { type: 'step_start', step: step('s3', 'vm.cache', 'set') }],
  [400, { type: 'step_note', step: step('s1', 'vm.web[0]', 'clean_shutdown'), message: 'no clean shutdown within 1s; forcing it (fallback = "hard")' }],
  [200, { type: 'step_done', step: step('s1', 'vm.web[0]', 'clean_shutdown'), ms: 600 }],
  [300, { type: 'step_start', step: step('s4', 'vm.web[0]', 'start') }],
  [0, { type: 'step_failed', step: step('s3', 'vm.cache', 'set'), error: 'MEMORY_CONSTRAINT_VIOLATION' }],
  [0, { type: 'vm_restore', address: 'vm.cache', host: 'lab', to: 'running', ok: true }],
  [200, { type: 'step_done', step: step('s2', 'vm.db', 'start'), ms: 1100 }],
  [200, { type: 'step_done', step: step('s4', 'vm.web[0]', 'start'), ms: 700 }],
  [0, { type: 'apply_done', succeeded: 3, failed: 1, skipped: 0, ms: 1300 }],
];
for (const [delay, event] of script) {
  await sleep(delay);
  view.sink(event);
}
await view.done();
