import t from 'tap';
import { SourcePositions } from '../../lang/syntax/positions.js';
import { rng } from './corpus.js';

// Line, column (code points) and UTF-8 byte of a UTF-16 offset, the slow obvious way.
function naive(src: string, offset: number) {
  const before = src.slice(0, offset);
  const lines = before.split('\n');
  return { line: lines.length, column: Array.from(lines[lines.length - 1]).length + 1, byte: Buffer.byteLength(before, 'utf8') };
}

const sources: { name: string; src: string }[] = [
  { name: 'ASCII text', src: 'a = 1\nbb = "two"\n\n  c = [3]\n' },
  { name: 'text with accents, CJK and emoji', src: 'namé = "é"\n日本 = "😀x"\n\n😀😀 = 1' },
  { name: 'text with Windows line endings', src: 'a = 1\r\nb = 2\r\n' },
];

for (const { name, src } of sources) {
  t.test(`positions in ${name} match a direct count, in any order of asking`, async (t) => {
    const positions = new SourcePositions(src, 'f.hcl');
    const r = rng(99);
    const offsets = Array.from({ length: 300 }, () => Math.floor(r() * (src.length + 1)))
      .filter((o) => !(src.charCodeAt(o) >= 0xdc00 && src.charCodeAt(o) <= 0xdfff)); // never inside a surrogate pair
    for (const o of [...offsets, ...offsets.sort((a, b) => a - b), src.length, 0]) t.same(positions.pos(o), naive(src, o), `offset ${o}`);
    t.equal(positions.byteLength, Buffer.byteLength(src, 'utf8'));
  });
}
