import t from 'tap';
import { GRAPHS, type GraphName } from '../../planner/lifecycle/graphs.js';
import { findPath, findRebootPath } from '../../planner/lifecycle/path.js';
import type { PowerState, ShutdownPolicy } from '../../planner/model/vm.js';
import { planOne } from './builders.js';

const CLEAN: ShutdownPolicy = { mode: 'clean', timeout_ms: 120_000, fallback: 'hard' };
const HARD: ShutdownPolicy = { mode: 'hard', timeout_ms: 0, fallback: 'hard' };

// from -> to: the exact operations, clean policy. "" means nothing to do.
const COMMON: Record<string, string> = {
  'halted>running': 'start',
  'halted>halted': '',
  'halted>paused': 'start pause',
  'halted>suspended': 'start suspend',
  'running>running': '',
  'running>halted': 'clean_shutdown',
  'running>paused': 'pause',
  'running>suspended': 'suspend',
  'paused>running': 'unpause',
  'paused>halted': 'unpause clean_shutdown',
  'paused>paused': '',
  'paused>suspended': 'unpause suspend',
  'suspended>running': 'resume',
  'suspended>halted': 'resume clean_shutdown',
  'suspended>paused': 'resume pause',
  'suspended>suspended': '',
};
const CRASHED: Record<string, string> = {
  'crashed>halted': 'hard_shutdown',
  'crashed>running': 'hard_shutdown start',
  'crashed>paused': 'hard_shutdown start pause',
  'crashed>suspended': 'hard_shutdown start suspend',
};
const EXPECTED: Record<GraphName, Record<string, string>> = {
  xapi: COMMON,
  xl: { ...COMMON, ...CRASHED },
  xenapi: { ...COMMON, ...CRASHED, 'paused>suspended': 'suspend' },
};
// With shutdown { mode = "hard" } the clean shutdown is replaced by a hard one.
const HARD_OVERRIDES: Record<string, string> = {
  'running>halted': 'hard_shutdown',
  'paused>halted': 'hard_shutdown',
  'suspended>halted': 'hard_shutdown',
};

const DESIRED: PowerState[] = ['running', 'halted', 'paused', 'suspended'];

for (const name of Object.keys(GRAPHS) as GraphName[]) {
  const graph = GRAPHS[name];
  t.test(`every observed and desired power state pair on the ${name} graph has the cheapest path`, async (t) => {
    for (const from of graph.states) {
      for (const to of DESIRED) {
        const key = `${from}>${to}`;
        t.equal(findPath(graph, from, to, CLEAN)?.steps.map((s) => s.op).join(' '), EXPECTED[name][key], `${key} (clean)`);
        const hard = HARD_OVERRIDES[key] ?? EXPECTED[name][key];
        t.equal(findPath(graph, from, to, HARD)?.steps.map((s) => s.op).join(' '), hard, `${key} (hard)`);
      }
    }
  });
}

t.test('a clean path never discards a suspended image or kills a guest', async (t) => {
  for (const graph of Object.values(GRAPHS)) {
    for (const from of graph.states) {
      for (const to of DESIRED) {
        const path = findPath(graph, from, to, CLEAN)!;
        t.equal(path.hard, from === 'crashed', `${graph.name} ${from} -> ${to} uses a hard operation only from crashed`);
      }
    }
  }
});

t.test('paths are annotated with the disruption the guest suffers', async (t) => {
  const g = GRAPHS.xapi;
  t.equal(findPath(g, 'halted', 'running', CLEAN)!.disruption, 'none', 'starting disrupts nothing');
  t.equal(findPath(g, 'running', 'halted', CLEAN)!.disruption, 'halt');
  t.equal(findPath(g, 'running', 'paused', CLEAN)!.disruption, 'halt', 'pausing a running guest stops its service');
  t.equal(findPath(g, 'suspended', 'running', CLEAN)!.disruption, 'none');
  t.equal(findRebootPath(g, 'running', 'running', CLEAN)!.disruption, 'reboot');
  t.equal(findPath(GRAPHS.xl, 'crashed', 'running', CLEAN)!.disruption, 'none', 'a crashed domain is already down');
});

t.test('a reboot of a paused VM unpauses, reboots and pauses again, or hard reboots when the policy is hard', async (t) => {
  t.same(findRebootPath(GRAPHS.xapi, 'paused', 'paused', CLEAN)!.steps.map((s) => s.op), ['unpause', 'clean_reboot', 'pause']);
  t.same(findRebootPath(GRAPHS.xapi, 'paused', 'paused', HARD)!.steps.map((s) => s.op), ['hard_reboot', 'pause']);
  t.same(findRebootPath(GRAPHS.xapi, 'suspended', 'running', CLEAN)!.steps.map((s) => s.op), ['resume', 'clean_reboot']);
});

t.test('the plan walks the same paths, with the shutdown policy on clean steps', async (t) => {
  for (const toolstack of ['xapi', 'xl'] as const) {
    const graph = GRAPHS[toolstack];
    for (const from of graph.states) {
      for (const to of DESIRED) {
        const out = planOne(from, { power_state: to as 'running' }, { toolstack });
        const steps = out.plan!.steps;
        t.equal(steps.map((s) => s.op).join(' '), EXPECTED[toolstack][`${from}>${to}`], `${toolstack} ${from} -> ${to}`);
        for (const s of steps) {
          if (s.op === 'clean_shutdown' || s.op === 'clean_reboot') t.same(s.args, { shutdown: { mode: 'clean', timeout_ms: 120_000, fallback: 'hard' } });
        }
        if (steps.length > 0) t.equal(steps[steps.length - 1].to, to, 'the last step reaches the desired state');
      }
    }
  }
});
