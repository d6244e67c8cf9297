// What the engine reports while it works. Views (Ink, plain lines, JSON lines)
// subscribe; the engine never imports a view.
import type { Step } from '../planner/model/ops.js';

export type EngineEvent =
  | { type: 'refresh_start'; host: string }
  | { type: 'refresh_done'; host: string; vms: number; ms: number }
  | { type: 'refresh_failed'; host: string; error: string }
  | { type: 'vm_refused'; address: string; host: string; reason: string }
  | { type: 'step_start'; step: Step }
  | { type: 'step_done'; step: Step; ms: number }
  | { type: 'step_failed'; step: Step; error: string }
  | { type: 'step_note'; step: Step; message: string } // e.g. the shutdown policy's fallback
  | { type: 'step_skipped'; step: Step; reason: string }
  | { type: 'vm_restore'; address: string; host: string; to: string; ok: boolean; error?: string }
  | { type: 'vm_left'; address: string; host: string; message: string } // not restored: read again and reported as it is
  // A command has been running this long (every `progress_ms`, see transport/progress.ts).
  | { type: 'waiting'; host: string; command: string; ms: number }
  | { type: 'interrupt'; count: number; message: string }
  | { type: 'apply_done'; succeeded: number; failed: number; skipped: number; ms: number };

export type EventSink = (event: EngineEvent) => void;
