// Watching a simulated host while a command runs against it (xenformInBackground in
// test/e2e/cli.ts): which xe commands run, and waiting for a state.
import { simCommands } from './sshd-sessions.js';

// Whether a simulated `xe <command>` runs for the host whose state is at `statePath`.
export const xeRunning = (statePath: string, command: string): boolean => simCommands(statePath).some((args) => args.includes(`bin/xe ${command}`));

// Waits (polling the process table, never for a fixed time) until `ready` holds.
export async function until(ready: () => boolean, what: string, limitMs = 120_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
