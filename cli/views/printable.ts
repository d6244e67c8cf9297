// Text for a terminal: control characters a host or a file could carry (a VM name with an escape
// sequence, a bidi override) are shown as escapes, never sent raw. With color, the renderers'
// own SGR sequences (ESC [ n m) are kept.
const SGR = /^\u001b\[[0-9;]*m/;

const hex = (code: number): string => (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);

// Control characters (newline and tab excepted), C1 controls, bidi embeddings and isolates:
// found by the regular expression engine, so a plan of plain text costs one scan, not a call per character.
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string, opts: { color: boolean }): string {
  let out = '';
  let from = 0;
  UNPRINTABLE.lastIndex = 0;
  for (let m = UNPRINTABLE.exec(text); m !== null; m = UNPRINTABLE.exec(text)) {
    const i = m.index;
    const code = text.charCodeAt(i);
    if (code === 0x1b && opts.color) {
      const sgr = SGR.exec(text.slice(i, i + 16));
      if (sgr) {
        UNPRINTABLE.lastIndex = i + sgr[0].length;
        continue;
      }
    }
    out += text.slice(from, i) + hex(code);
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}
