// SIGINT, SIGTERM (what CI sends on cancel) and SIGHUP, for the whole run. Outside an apply's
// steps they end the process through process.exit(), so the `exit` listeners run and the state
// lock is released; while steps run, the apply's own handler takes them (finish the steps in
// flight, then stop; a second signal aborts them).
import { constants } from 'node:os';

export const HANDLED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type HandledSignal = (typeof HANDLED_SIGNALS)[number];

let during: ((signal: HandledSignal) => void) | null = null;
let installed = false;

export function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  for (const signal of HANDLED_SIGNALS) {
    process.on(signal, () => {
      if (during) return during(signal);
      process.stderr.write(`\n${signal} received: stopping (no step was in progress); the state lock is released.\n`);
      process.exit(128 + constants.signals[signal]);
    });
  }
}

// Hands the signals to `handler` until the returned function is called.
export function whileApplying(handler: (signal: HandledSignal) => void): () => void {
  during = handler;
  return () => {
    if (during === handler) during = null;
  };
}
