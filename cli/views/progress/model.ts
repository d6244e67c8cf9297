// What the progress views show, folded from engine events. Pure: views render it, never compute it.
import type { EngineEvent } from '../../../engine/events.js';
import type { StepOp } from '../../../planner/model/ops.js';

export type VmStatus = 'waiting' | 'running' | 'done' | 'failed' | 'refused' | 'skipped';

export interface VmLine {
  address: string;
  host: string;
  status: VmStatus;
  op: StepOp | null; // the current (or last) step
  stepsDone: number;
  since: number; // when the current step started (ms epoch)
  firstStarted: number | null;
  lastEnded: number | null;
  note: string | null; // latest step note, refusal, failure or restore
}

export interface ProgressModel {
  planned: Record<string, number>; // steps per VM address, when the plan is known
  vms: VmLine[]; // in order of first appearance
  hosts: { host: string; state: 'reading' | 'done' | 'failed'; vms: number; ms: number; error?: string }[];
  messages: string[]; // interrupts and restores, in order
  summary: { succeeded: number; failed: number; skipped: number; ms: number } | null;
}

export const emptyModel = (planned: Record<string, number> = {}): ProgressModel => ({ planned, vms: [], hosts: [], messages: [], summary: null });

function vmLine(m: ProgressModel, address: string, host: string): [ProgressModel, VmLine] {
  const existing = m.vms.find((v) => v.address === address);
  if (existing) return [m, existing];
  const line: VmLine = { address, host, status: 'waiting', op: null, stepsDone: 0, since: 0, firstStarted: null, lastEnded: null, note: null };
  return [{ ...m, vms: [...m.vms, line] }, line];
}

function update(m: ProgressModel, address: string, host: string, change: (v: VmLine) => Partial<VmLine>): ProgressModel {
  const [withLine, line] = vmLine(m, address, host);
  const next = { ...line, ...change(line) };
  return { ...withLine, vms: withLine.vms.map((v) => (v.address === address ? next : v)) };
}

// A host's waiting line goes once it answers.
function withoutWaiting(m: ProgressModel, host: string): ProgressModel {
  const prefix = waitingLine({ host, command: '', ms: 0 }).split(':')[0] + ':';
  return m.messages.some((x) => x.startsWith(prefix)) ? { ...m, messages: m.messages.filter((x) => !x.startsWith(prefix)) } : m;
}

export function reduce(m: ProgressModel, e: EngineEvent, now: number): ProgressModel {
  const next = fold(m, e, now);
  if (e.type === 'refresh_done' || e.type === 'refresh_failed') return withoutWaiting(next, e.host);
  if (e.type === 'step_done' || e.type === 'step_failed') return withoutWaiting(next, e.step.host);
  return next;
}

function fold(m: ProgressModel, e: EngineEvent, now: number): ProgressModel {
  switch (e.type) {
    case 'refresh_start':
      return { ...m, hosts: [...m.hosts.filter((h) => h.host !== e.host), { host: e.host, state: 'reading', vms: 0, ms: 0 }] };
    case 'refresh_done':
      return { ...m, hosts: m.hosts.map((h) => (h.host === e.host ? { ...h, state: 'done', vms: e.vms, ms: e.ms } : h)) };
    case 'refresh_failed':
      return { ...m, hosts: m.hosts.map((h) => (h.host === e.host ? { ...h, state: 'failed', error: e.error } : h)) };
    case 'step_start':
      return update(m, e.step.address, e.step.host, (v) => ({
        status: 'running',
        op: e.step.op,
        since: now,
        firstStarted: v.firstStarted ?? now, // a note stays until a newer one: the final screen keeps it
      }));
    case 'step_note':
      return update(m, e.step.address, e.step.host, () => ({ note: e.message }));
    case 'step_done':
      // Between two steps of one VM it waits for the next, and is done after its last.
      return update(m, e.step.address, e.step.host, (v) => ({
        status: v.stepsDone + 1 < (m.planned[e.step.address] ?? 0) ? 'waiting' : 'done',
        stepsDone: v.stepsDone + 1,
        lastEnded: now,
      }));
    case 'step_failed':
      return update(m, e.step.address, e.step.host, () => ({ status: 'failed', op: e.step.op, note: e.error, lastEnded: now }));
    case 'step_skipped':
      return update(m, e.step.address, e.step.host, (v) =>
        // The op is the step that did not run, never the last one that did (a finished shutdown).
        v.status === 'failed' || v.status === 'refused' || v.status === 'skipped' ? {} : { status: 'skipped', op: e.step.op, note: e.reason },
      );
    case 'vm_refused':
      return update(m, e.address, e.host, () => ({ status: 'refused', note: e.reason }));
    case 'vm_restore': {
      const note = e.ok ? `brought back to ${e.to}` : `could not bring it back to ${e.to}: ${e.error ?? 'unknown error'}`;
      return update(m, e.address, e.host, () => ({ note }));
    }
    case 'vm_left':
      return update(m, e.address, e.host, () => ({ note: e.message }));
    case 'waiting': // one line per host, replaced as the wait goes on
      return { ...m, messages: [...withoutWaiting(m, e.host).messages, waitingLine(e)] };
    case 'interrupt':
      return { ...m, messages: [...m.messages, e.message] };
    case 'apply_done':
      return { ...m, summary: { succeeded: e.succeeded, failed: e.failed, skipped: e.skipped, ms: e.ms } };
    default: {
      const never: never = e;
      return never;
    }
  }
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}


export function waitingLine(e: { host: string; command: string; ms: number }): string {
  return `host "${e.host}" still running: \`${e.command}\` (${formatMs(e.ms)} so far)`;
}

export function summaryLine(s: NonNullable<ProgressModel['summary']>): string {
  const status = s.failed > 0 ? 'Apply failed' : s.skipped > 0 ? 'Apply stopped' : 'Apply complete';
  return `${status}: ${s.succeeded} succeeded, ${s.failed} failed, ${s.skipped} skipped in ${formatMs(s.ms)}.`;
}
