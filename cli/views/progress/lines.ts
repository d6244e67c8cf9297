// Not on a terminal: one plain line per event.
import type { EngineEvent } from '../../../engine/events.js';
import { formatMs, summaryLine, waitingLine } from './model.js';
import { maskStep } from '../../../planner/plan/sensitive.js';

const stepName = (s: { address: string; op: string }) => `${s.address}: ${s.op.replace(/_/g, ' ')}`;

export function eventLine(e: EngineEvent): string {
  switch (e.type) {
    case 'refresh_start':
      return `${e.host}: reading the host`;
    case 'refresh_done':
      return `${e.host}: read ${e.vms} VMs in ${formatMs(e.ms)}`;
    case 'refresh_failed':
      return e.error;
    case 'step_start':
      return `${stepName(e.step)} started`;
    case 'step_note':
      return `${stepName(e.step)}: ${e.message}`;
    case 'step_done':
      return `${stepName(e.step)} done in ${formatMs(e.ms)}`;
    case 'step_failed':
      return `${stepName(e.step)} FAILED: ${e.error}`;
    case 'step_skipped':
      return `${stepName(e.step)} skipped: ${e.reason}`;
    case 'vm_refused':
      return `${e.address}: refused: ${e.reason}`;
    case 'vm_restore':
      return e.ok ? `${e.address}: brought back to ${e.to}` : `${e.address}: could not bring it back to ${e.to}: ${e.error ?? 'unknown error'}`;
    case 'vm_left':
      return e.message;
    case 'waiting':
      return waitingLine(e);
    case 'interrupt':
      return e.message;
    case 'apply_done':
      return summaryLine(e);
    default: {
      const never: never = e;
      return never;
    }
  }
}

export function jsonLine(e: EngineEvent, now = new Date()): string {
  return JSON.stringify({ time: now.toISOString(), ...e, ...('step' in e ? { step: maskStep(e.step) } : {}) });
}
