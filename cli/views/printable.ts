// Text for a terminal: control characters a host or a file could carry (a VM name with an escape
// sequence, a bidi override) are shown as escapes, never sent raw. With color, the renderers'
// own SGR sequences (ESC [ n m) are kept.
const SGR = /^\u001b\[[0-9;]*m/;

const hex = (code: number): string => (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);

function unprintable(code: number): boolean {
  if (code === 0x0a || code === 0x09) return false; // newline, tab
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
}

export function printable(text: string, opts: { color: boolean }): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!unprintable(code)) continue;
    if (code === 0x1b && opts.color) {
      const m = SGR.exec(text.slice(i, i + 16));
      if (m) {
        i += m[0].length - 1;
        continue;
      }
    }
    out += text.slice(from, i) + hex(code);
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}
