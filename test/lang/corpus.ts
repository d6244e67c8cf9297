// A seeded generator of HCL files covering the whole native syntax, for the equivalence
// test against hcl2-parser, the mutation fuzz test and the formatter tests. The same seed
// always gives the same files.

import { seededRandom } from '../support/random.js';

export const rng = seededRandom;

const NAMES = ['a', 'b', 'name', 'vcpus', 'memory', 'web_count', 'host-name', '_private', 'x1', 'héllo', 'wörld', 'Ωmega', '日本', 'if', 'in', 'count', 'each', 'var', 'local', 'tags'];
const ROOTS = ['var', 'local', 'each', 'count', 'vm', 'host', 'module', 'self', 'héllo'];
const FUNCS = ['concat', 'format', 'lookup', 'max', 'upper', 'join', 'merge', 'jsonencode', 'length', 'f'];
const BLOCKS: [string, number][] = [['vm', 1], ['host', 1], ['variable', 1], ['boot', 0], ['disk', 1], ['network', 1], ['locals', 0], ['shutdown', 0], ['lifecycle', 0], ['resource', 2], ['nested', 0]];
const BINOPS = ['||', '&&', '==', '!=', '<', '<=', '>', '>=', '+', '-', '*', '/', '%'];
const STRING_BITS = [
  'web', 'hello world', 'a-b_c', '0', ' ', '  ', '\\n', '\\t', '\\r', '\\"', '\\\\', '\\u00e9', '\\U0001F600', '$${x}', '%%{y}', '$', '%', '$$', 'é', 'e\u0301',
  '日本語', '😀', '~', '{', '}', ':', '#', '//', '/*', 'x=1', '${', // '${' is only ever followed by an expression below
];
const COMMENTS = ['# a comment', '// another', '/* inline */', '# ${not interpolated}', '// "quoted"', '/* multi\nline */'];

export class Gen {
  private readonly r: () => number;
  private flat = 0; // inside a heredoc line: no newlines anywhere
  constructor(seed: number) {
    this.r = rng(seed);
  }

  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }

  name(): string {
    return this.pick(NAMES);
  }

  number(): string {
    switch (this.int(8)) {
      case 0: return String(this.int(10));
      case 1: return String(this.int(100000));
      case 2: return `${this.int(100)}.${this.int(1000)}`;
      case 3: return `${this.int(10)}e${this.int(5)}`;
      case 4: return `${this.int(10)}.5E-${this.int(4)}`;
      case 5: return `0${this.int(10)}`;
      case 6: return '12345678901234567890';
      default: return `${this.int(10)}.${this.int(10)}e+${this.int(3)}`;
    }
  }

  space(): string {
    return this.pick(['', ' ', ' ', ' ', '  ']);
  }

  // Whitespace where a newline is allowed (inside brackets, parentheses and function calls).
  gap(): string {
    const r = this.int(10);
    if (this.flat > 0) return r < 8 ? this.space() : ' /* c */ ';
    if (r < 6) return this.space();
    if (r < 8) return '\n  ';
    if (r < 9) return ' /* c */ ';
    return ' # c\n  ';
  }

  stringBody(depth: number, inHeredoc: boolean): string {
    let out = '';
    const n = this.int(4);
    for (let k = 0; k < n; k++) {
      const r = this.int(10);
      if (r < 5 || depth > 2) {
        let bit = this.pick(STRING_BITS);
        if (bit === '${') bit = '$${';
        if (inHeredoc && bit.startsWith('\\')) bit = bit.slice(1);
        out += bit;
      } else if (r < 8) {
        const strip = this.int(4);
        out += `\${${strip & 1 ? '~' : ''}${this.space()}${this.expr(depth + 1, false)}${this.space()}${strip & 2 ? '~' : ''}}`;
      } else if (r < 9) {
        out += `%{${this.chance(0.2) ? '~' : ''} if ${this.expr(depth + 1, false)} }${this.stringBody(depth + 1, inHeredoc)}`;
        if (this.chance(0.5)) out += `%{ else ${this.chance(0.2) ? '~' : ''}}${this.stringBody(depth + 1, inHeredoc)}`;
        out += '%{ endif }';
      } else {
        const kv = this.chance(0.5) ? `${this.name()}, ${this.name()}` : this.name();
        out += `%{ for ${kv} in ${this.expr(depth + 1, false)} }${this.stringBody(depth + 1, inHeredoc)}%{${this.chance(0.2) ? '~' : ''} endfor }`;
      }
    }
    return out;
  }

  heredoc(depth: number): string {
    const marker = this.pick(['EOT', 'EOF', 'END_OF_TEXT', 'DOC']);
    const indent = this.chance(0.5);
    const lines: string[] = [];
    const n = 1 + this.int(4);
    for (let k = 0; k < n; k++) {
      const pad = ' '.repeat(this.int(3) * 2 + (indent ? 2 : 0));
      this.flat++;
      lines.push(this.chance(0.15) ? '' : pad + this.stringBody(depth + 1, true));
      this.flat--;
    }
    const closePad = indent ? ' '.repeat(this.int(3)) : this.chance(0.2) ? '  ' : '';
    return `<<${indent ? '-' : ''}${marker}\n${lines.join('\n')}\n${closePad}${marker}\n`;
  }

  traversal(depth: number): string {
    let out = this.pick(ROOTS);
    const n = this.int(4);
    for (let k = 0; k < n; k++) {
      switch (this.int(7)) {
        case 0: case 1: out += '.' + this.name(); break;
        case 2: out += `[${this.int(5)}]`; break;
        case 3: out += `["${this.pick(['k', 'a b', 'é'])}"]`; break;
        case 4: out += '.' + this.int(4); break;
        case 5: out += depth < 3 ? `[${this.expr(depth + 1, false)}]` : '[0]'; break;
        default: out += this.chance(0.5) ? `[*].${this.name()}` : `.*.${this.name()}`; break;
      }
    }
    return out;
  }

  // An expression; `top` when it is a whole attribute value (so a trailing heredoc, which
  // ends its line, is allowed).
  expr(depth: number, top: boolean): string {
    const leaf = depth > 3;
    const r = leaf ? this.int(5) : this.int(22);
    switch (r) {
      case 0: return this.number();
      case 1: return this.pick(['true', 'false', 'null']);
      case 2: return `"${this.stringBody(depth, false)}"`;
      case 3: return this.traversal(depth);
      case 4: return `-${this.number()}`;
      case 5: return `!${this.pick(['true', 'false', this.traversal(depth)])}`;
      case 6: {
        const n = this.int(4);
        const items = Array.from({ length: n }, () => this.gap() + this.expr(depth + 1, false));
        return `[${items.join(',')}${n > 0 && this.chance(0.3) ? ',' : ''}${this.gap()}]`;
      }
      case 7: {
        const n = this.int(4);
        const multiline = this.flat === 0 && this.chance(0.5);
        const items: string[] = [];
        const used = new Set<string>();
        for (let k = 0; k < n; k++) {
          let key = this.objectKey(depth);
          if (used.has(key)) continue;
          used.add(key);
          items.push(`${key}${this.space()}${this.pick(['=', ':'])}${this.space()}${this.expr(depth + 1, false)}`);
        }
        if (multiline) return `{\n${items.map((i) => `    ${i}${this.chance(0.3) ? ',' : ''}\n`).join('')}  }`;
        return `{${this.space()}${items.join(`,${this.space()}`)}${this.space()}}`;
      }
      case 8: return `${this.expr(depth + 1, false)} ${this.pick(BINOPS)} ${this.expr(depth + 1, false)}`;
      case 9: return `${this.expr(depth + 1, false)}${this.space()}${this.pick(BINOPS)}${this.space()}${this.expr(depth + 1, false)} ${this.pick(BINOPS)} ${this.expr(depth + 1, false)}`;
      case 10: return `${this.expr(depth + 1, false)} ? ${this.expr(depth + 1, false)} : ${this.expr(depth + 1, false)}`;
      case 11: return `(${this.gap()}${this.expr(depth + 1, false)}${this.gap()})`;
      case 12: {
        const n = this.int(4);
        const args = Array.from({ length: n }, () => this.gap() + this.expr(depth + 1, false));
        const expand = n > 0 && this.chance(0.3);
        return `${this.pick(FUNCS)}(${args.join(',')}${expand ? '...' : n > 0 && this.chance(0.2) ? ',' : ''}${this.gap()})`;
      }
      case 13: {
        const kv = this.chance(0.5) ? `${this.pick(['k', 'i'])}, ${this.pick(['v', 'x'])}` : this.pick(['v', 'x', 'héllo']);
        const cond = this.chance(0.4) ? ` if ${this.expr(depth + 1, false)}` : '';
        return `[for ${kv} in ${this.expr(depth + 1, false)} :${this.gap()}${this.expr(depth + 1, false)}${cond}]`;
      }
      case 14: {
        const kv = this.chance(0.5) ? 'k, v' : 'v';
        const cond = this.chance(0.4) ? ` if ${this.expr(depth + 1, false)}` : '';
        return `{for ${kv} in ${this.expr(depth + 1, false)} : ${this.expr(depth + 1, false)} => ${this.expr(depth + 1, false)}${this.chance(0.3) ? '...' : ''}${cond}}`;
      }
      case 15:
        if (this.flat > 0) return this.number();
        return top ? this.heredoc(depth) : `[${this.heredoc(depth)}]`;
      case 16: return `${this.traversal(depth)}${this.pick(['[*]', '.*'])}${this.chance(0.5) ? '.' + this.name() : ''}`;
      case 17: return `"\${${this.space()}${this.expr(depth + 1, false)}${this.space()}}"`;
      case 18: return `${this.pick(['-', '!'])}${this.traversal(depth)}`;
      case 19: return `${this.expr(depth + 1, false)} /* mid */ ${this.pick(BINOPS)} ${this.expr(depth + 1, false)}`;
      case 20: return `[${this.expr(depth + 1, false)}][0]`;
      default: return `${this.pick(FUNCS)}(${this.expr(depth + 1, false)}).${this.name()}`;
    }
  }

  objectKey(depth: number): string {
    switch (this.int(7)) {
      case 0: case 1: return this.name();
      case 2: return `"${this.pick(['quoted key', 'a.b', 'x', 'é'])}"`;
      case 3: return `(${this.traversal(depth)})`;
      case 4: return this.number();
      case 5: return `"\${${this.traversal(depth)}}-k"`;
      default: return `${this.pick(ROOTS)}.${this.name()}`;
    }
  }

  body(depth: number, indent: string): string {
    let out = '';
    const attrs = new Set<string>();
    const n = 1 + this.int(depth === 0 ? 6 : 4);
    for (let k = 0; k < n; k++) {
      const r = this.int(10);
      if (r < 2) {
        out += `${indent}${this.pick(COMMENTS).replace(/\n/g, `\n${indent}`)}\n`;
      } else if (r < 4 && depth < 3) {
        const [type, labels] = this.pick(BLOCKS);
        const ls = Array.from({ length: labels }, () => (this.chance(0.8) ? `"${this.pick(['web', 'db', 'a b', 'é', 'x'])}"` : this.name()));
        const header = [type, ...ls].join(' ');
        if (this.chance(0.2)) {
          out += `${indent}${header} {${this.chance(0.5) ? '' : ` ${this.name()} = ${this.expr(3, false)} `}}\n`;
        } else {
          out += `${indent}${header} {${this.chance(0.2) ? ' # opens' : ''}\n${this.body(depth + 1, indent + '  ')}${indent}}\n`;
        }
      } else {
        let name = this.name();
        if (attrs.has(name)) name = `${name}_${k}`;
        attrs.add(name);
        const value = this.expr(0, true);
        const trailer = value.endsWith('\n') ? '' : this.chance(0.2) ? ` ${this.pick(COMMENTS.slice(0, 3))}\n` : '\n';
        out += `${indent}${name}${this.space() || ' '}=${this.space()}${value}${trailer}`;
      }
    }
    if (depth === 0 && this.chance(0.2)) out += '\n\n';
    return out;
  }

  file(): string {
    const src = this.body(0, '');
    const ending = this.int(10);
    if (ending === 0) return src.replace(/\n$/, ''); // no final newline
    if (ending === 1) return src.replace(/\n/g, '\r\n');
    return src;
  }
}

// Files with one deliberate syntax error each, made from valid ones.
export function breakFile(g: Gen, src: string): string {
  const at = g.int(src.length + 1);
  const cuts: (() => string)[] = [
    () => src.slice(0, at) + g.pick(['{', '}', '[', '(', '"', '${', '%{', '<<EOT', ',', '=', ';', "'", '&', '~', '\\', '1.2.3', '..']) + src.slice(at),
    () => src.replace(/\}(?![\s\S]*\})/, ''), // the last closing brace removed
    () => src.replace(/"/, ''), // the first quote removed
    () => src.replace(/=/, ''), // the first equals sign removed
    () => src.replace(/\]/, ''),
    () => src.replace(/\n/, ' '), // two items on one line
    () => src + '\nx = ',
    () => src + '\nblock "l" {\n',
    () => src + '\na = "%{ if x }"\n',
    () => src + '\na = "%{ endfor }"\n',
    () => src + '\na = [for x in y : x => x]\n',
    () => src + '\na = b.0.1\n',
    () => src + '\na = "\\q"\n',
    () => src + '\na = <<EOT\nno end\n',
    () => src + '\nvm { a = 1 b = 2 }\n',
    () => src + '\n/* unterminated',
  ];
  return g.pick(cuts)();
}
