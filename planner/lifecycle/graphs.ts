// The VM power-state machines, one per toolstack, as data. The path search and the
// property tests read these tables; nothing else hard-codes which operation is legal where.
import type { PowerState, Toolstack } from '../model/vm.js';
import { OPS, type LifecycleOp } from '../model/ops.js';

export type GraphName = Toolstack | 'xenapi';

export interface Transition {
  op: LifecycleOp;
  from: PowerState;
  to: PowerState;
  hard: boolean; // kills the guest or discards its memory image
}

export interface LifecycleGraph {
  name: GraphName;
  description: string;
  states: readonly PowerState[];
  transitions: readonly Transition[];
  // States from which `destroy` may be called directly.
  destroyFrom: readonly PowerState[];
  // States a `create` leaves the VM in.
  createdState: PowerState;
}

const t = (op: LifecycleOp, from: PowerState, to: PowerState): Transition => ({ op, from, to, hard: OPS[op].hard });

// XAPI (research/xapi-spec.md §1.2): no Crashed state; hard_reboot is allowed from Paused;
// resume through xe always ends Running; suspend needs Running.
export const XAPI_GRAPH: LifecycleGraph = {
  name: 'xapi',
  description: 'XAPI through xe (XenServer, XCP-ng)',
  states: ['halted', 'running', 'paused', 'suspended'],
  transitions: [
    t('start', 'halted', 'running'),
    t('clean_shutdown', 'running', 'halted'),
    t('hard_shutdown', 'running', 'halted'),
    t('hard_shutdown', 'paused', 'halted'),
    t('hard_shutdown', 'suspended', 'halted'),
    t('clean_reboot', 'running', 'running'),
    t('hard_reboot', 'running', 'running'),
    t('hard_reboot', 'paused', 'running'),
    t('pause', 'running', 'paused'),
    t('unpause', 'paused', 'running'),
    t('suspend', 'running', 'suspended'),
    t('resume', 'suspended', 'running'),
  ],
  destroyFrom: ['halted', 'suspended'],
  createdState: 'halted',
};

// Plain Xen through xl (§5): halted is a configuration file without a domain, suspended is a
// save file (xl save / xl restore), and crashed domains exist until destroyed (xl destroy).
// Otherwise the same operations as XAPI.
export const XL_GRAPH: LifecycleGraph = {
  name: 'xl',
  description: 'plain Xen through xl',
  states: ['halted', 'running', 'paused', 'suspended', 'crashed'],
  transitions: [...XAPI_GRAPH.transitions, t('hard_shutdown', 'crashed', 'halted')],
  destroyFrom: ['halted', 'suspended'],
  createdState: 'halted',
};

// The seed's Xen-API 1.0 lifecycle: Crashed exists and only a hard shutdown leaves it;
// a paused VM may be suspended.
export const XENAPI_GRAPH: LifecycleGraph = {
  name: 'xenapi',
  description: 'the Xen-API 1.0 VM lifecycle',
  states: ['halted', 'running', 'paused', 'suspended', 'crashed'],
  transitions: [
    t('start', 'halted', 'running'),
    t('clean_shutdown', 'running', 'halted'),
    t('hard_shutdown', 'running', 'halted'),
    t('hard_shutdown', 'paused', 'halted'),
    t('hard_shutdown', 'suspended', 'halted'),
    t('hard_shutdown', 'crashed', 'halted'),
    t('clean_reboot', 'running', 'running'),
    t('hard_reboot', 'running', 'running'),
    t('pause', 'running', 'paused'),
    t('unpause', 'paused', 'running'),
    t('suspend', 'running', 'suspended'),
    t('suspend', 'paused', 'suspended'),
    t('resume', 'suspended', 'running'),
  ],
  destroyFrom: ['halted'],
  createdState: 'halted',
};

export const GRAPHS: Record<GraphName, LifecycleGraph> = { xapi: XAPI_GRAPH, xl: XL_GRAPH, xenapi: XENAPI_GRAPH };

export function graphFor(toolstack: Toolstack): LifecycleGraph {
  return GRAPHS[toolstack];
}

export function findTransition(graph: LifecycleGraph, op: LifecycleOp, from: PowerState): Transition | undefined {
  return graph.transitions.find((tr) => tr.op === op && tr.from === from);
}
