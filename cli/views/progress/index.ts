// Picks the progress view for where the output goes: Ink on a terminal, plain lines
// otherwise, JSON lines with --json. The engine only ever sees the returned sink.
import { createElement } from 'react';
import type { CliIO } from '../../context.js';
import type { EngineEvent, EventSink } from '../../../engine/events.js';
import { eventLine, jsonLine } from './lines.js';
import { emptyModel, reduce, type ProgressModel } from './model.js';

export interface ProgressOptions {
  json: boolean;
  tty: boolean;
  stdout?: NodeJS.WriteStream; // where Ink renders; default process.stdout
  planned?: Record<string, number>; // steps per VM address: the view tells a VM between steps from a finished one
}

export interface ProgressHandle {
  sink: EventSink;
  ready: Promise<void>; // the view can draw (Ink loads on first use)
  done(): Promise<void>; // the final frame is on screen (or every line written)
}

export function createProgressView(io: CliIO, opts: ProgressOptions): ProgressHandle {
  const now = Promise.resolve();
  if (opts.json) return { sink: (e) => io.stdout(`${jsonLine(e)}\n`), ready: now, done: async () => undefined };
  // The command prints the one summary, with where each VM is now: the views print none.
  if (!opts.tty) return { sink: (e) => e.type !== 'apply_done' && io.stdout(`${eventLine(e)}\n`), ready: now, done: async () => undefined };
  return inkView(opts.stdout ?? process.stdout, opts.planned ?? {});
}

function inkView(stdout: NodeJS.WriteStream, planned: Record<string, number>): ProgressHandle {
  let model: ProgressModel = emptyModel(planned);
  let instance: ReturnType<typeof import('ink').render> | null = null;
  let view: typeof import('./view.js').ProgressView | null = null;
  const pending: [EngineEvent, number][] = [];
  // Loaded only on a terminal: plain and JSON output never pay for Ink and its layout engine.
  const ready = Promise.all([import('ink'), import('./view.js')]).then(([{ render }, { ProgressView }]) => {
    view = ProgressView;
    for (const [e, at] of pending.splice(0)) model = reduce(model, e, at);
    instance = render(createElement(ProgressView, { model, now: Date.now() }), {
      stdout,
      exitOnCtrlC: false, // xenform's own SIGINT handler decides what an interrupt means
      patchConsole: false,
    });
  });
  const draw = () => {
    if (instance && view) instance.rerender(createElement(view, { model, now: Date.now() }));
  };
  const tick = setInterval(draw, 250); // elapsed times move even when no event arrives
  return {
    ready: ready.then(() => undefined),
    sink(e) {
      if (!instance) {
        pending.push([e, Date.now()]);
        return;
      }
      model = reduce(model, e, Date.now());
      draw();
    },
    async done() {
      await ready;
      clearInterval(tick);
      draw();
      const inst = instance!;
      inst.unmount();
      await inst.waitUntilExit();
    },
  };
}
