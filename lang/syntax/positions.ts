// Source positions: UTF-16 offsets (what the scanner works in) to line, column (code
// points) and byte (UTF-8) positions, computed on demand.
import type { Pos, Range } from './ast.js';

export class SourcePositions {
  private readonly lineStarts: number[] = [0];
  private readonly ascii: boolean;
  private lastLine = 0;
  private bytesBefore?: Int32Array; // UTF-8 bytes before each UTF-16 offset
  private cpsBefore?: Int32Array; // code points before each UTF-16 offset

  constructor(readonly src: string, readonly filename: string) {
    for (let i = src.indexOf('\n'); i >= 0; i = src.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
    this.ascii = !/[^\x00-\x7f]/.test(src);
  }

  pos(offset: number): Pos {
    const starts = this.lineStarts;
    let lo = this.lastLine;
    // The parser asks in roughly increasing order: try the last line and the next first.
    if (!(starts[lo] <= offset && (lo + 1 === starts.length || offset < starts[lo + 1]))) {
      if (lo + 2 <= starts.length && starts[lo + 1] <= offset && (lo + 2 === starts.length || offset < starts[lo + 2])) {
        lo++;
      } else {
        lo = 0;
        let hi = starts.length - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (starts[mid] <= offset) lo = mid;
          else hi = mid - 1;
        }
      }
      this.lastLine = lo;
    }
    const lineStart = starts[lo];
    if (this.ascii) return { line: lo + 1, column: offset - lineStart + 1, byte: offset };
    this.index();
    return {
      line: lo + 1,
      column: this.cpsBefore![offset] - this.cpsBefore![lineStart] + 1,
      byte: this.bytesBefore![offset],
    };
  }

  range(start: number, end: number): Range {
    return { filename: this.filename, start: this.pos(start), end: this.pos(end) };
  }

  // The UTF-8 length of the whole source.
  get byteLength(): number {
    if (this.ascii) return this.src.length;
    this.index();
    return this.bytesBefore![this.src.length];
  }

  private index(): void {
    if (this.bytesBefore) return;
    const src = this.src;
    const n = src.length;
    const bytes = new Int32Array(n + 1);
    const cps = new Int32Array(n + 1);
    let b = 0;
    let cp = 0;
    for (let i = 0; i < n; i++) {
      bytes[i] = b;
      cps[i] = cp;
      const c = src.charCodeAt(i);
      if (c < 0x80) b += 1;
      else if (c < 0x800) b += 2;
      else if (c >= 0xd800 && c <= 0xdbff && (src.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        // A surrogate pair: four bytes, one code point, both halves at the pair's start.
        bytes[i + 1] = b;
        cps[i + 1] = cp;
        b += 4;
        cp++;
        i++;
        continue;
      } else b += 3; // the rest of the BMP, and a lone surrogate (encoded as U+FFFD)
      cp++;
    }
    bytes[n] = b;
    cps[n] = cp;
    this.bytesBefore = bytes;
    this.cpsBefore = cps;
  }
}
