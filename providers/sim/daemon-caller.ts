// The process a simulated command runs for. An `xe`/`xl` executable that runs the simulator
// itself is that process; the simulator daemon (daemon.ts) runs each command for a client
// process, and a command must then behave as if it ran in the client: its operations are
// marked with the client's pid (an operation whose process is dead is completed by the next
// command, context.ts `settle`), the `kill_during` fault kills the client, and a client that
// died stops its command at its next access to the host, as a killed process would have.
// The caller is carried by the command's async context, so the simulator's commands need no
// parameter for it.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface Caller {
  pid: number;
  gone: boolean; // the client died (its connection closed before the answer)
  killed: boolean; // `kill_during` chose this command: the client must die by SIGKILL
}

const current = new AsyncLocalStorage<Caller>();

export function runFor<T>(caller: Caller, fn: () => T): T {
  return current.run(caller, fn);
}

export function currentCaller(): Caller | undefined {
  return current.getStore();
}

// The pid an operation started now is marked with.
export function callerPid(): number {
  return current.getStore()?.pid ?? process.pid;
}

// The `kill_during` fault: the process the command runs for dies abruptly.
export function killCaller(): void {
  const caller = current.getStore();
  if (caller) caller.killed = true;
  else process.kill(process.pid, 'SIGKILL');
}

export class CallerGone extends Error {
  constructor(pid: number) {
    super(`the client process ${pid} died`);
  }
}
