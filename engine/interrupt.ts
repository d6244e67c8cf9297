// Ctrl-C in two stages: the first stops new steps (the ones in flight finish), the second
// aborts what is in flight. The cli calls interrupt() from its SIGINT handler.
export interface Interrupter {
  readonly signal: AbortSignal; // aborted by the first interrupt
  readonly abortSignal: AbortSignal; // aborted by the second
  interrupt(): number; // how many interrupts so far
}

export function createInterrupter(): Interrupter {
  const first = new AbortController();
  const second = new AbortController();
  let count = 0;
  return {
    signal: first.signal,
    abortSignal: second.signal,
    interrupt() {
      count++;
      if (count === 1) first.abort();
      else second.abort();
      return count;
    },
  };
}
