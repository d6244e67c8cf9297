// Asks for a key passphrase on the terminal without echoing it.
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

export function terminalAvailable(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY);
}

export function promptHidden(question: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _enc, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
    muted = true;
  });
}
