// Word from a command that takes long: while it runs, `onWaiting` hears every `everyMs`
// which command it is and how long it has been running, so that a hung host is never silent.
export type WaitingListener = (command: string, ms: number) => void;

export const WAITING_EVERY_MS = 5_000;

export function watched<T>(work: Promise<T>, command: string, onWaiting: WaitingListener | undefined, everyMs = WAITING_EVERY_MS): Promise<T> {
  if (!onWaiting) return work;
  const started = Date.now();
  const timer = setInterval(() => {
    try {
      onWaiting(command, Date.now() - started);
    } catch {
      // a listener's failure is not the command's
    }
  }, everyMs);
  timer.unref();
  return work.finally(() => clearInterval(timer));
}
