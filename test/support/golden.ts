// Golden files: expected output kept in the source tree and reviewed like code.
// `UPDATE_GOLDEN=1` rewrites them from what the test produced.
import fs from 'node:fs';
import path from 'node:path';
import type { Test } from 'tap';

export interface GoldenOptions {
  // A hand-written golden (copied from a specification, say) is never rewritten.
  handWritten?: boolean;
}

export function golden(t: Test, file: string, actual: string, opts: GoldenOptions = {}): void {
  if (process.env.UPDATE_GOLDEN === '1' && !opts.handWritten) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, actual);
  }
  t.equal(actual, fs.readFileSync(file, 'utf8'), `${path.basename(file)} matches its golden file${opts.handWritten ? '' : ' (UPDATE_GOLDEN=1 rewrites it)'}`);
}
