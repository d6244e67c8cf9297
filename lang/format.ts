// The canonical layout of a configuration file (`xenform fmt`), after `terraform fmt`:
// two spaces of indentation per open bracket, one space around binary operators and
// between words, none inside brackets and parentheses, `=` aligned across a run of
// consecutive one-line arguments, and trailing comments aligned with them.
//
// It works on the scanner's tokens rather than on the syntax tree: tokens keep every
// comment where it was, and layout is only about the space between tokens, so nothing
// the tree would have to carry (comments, the spelling of numbers and escapes, blank
// lines) can be lost. Quoted strings, heredocs and block comments are copied verbatim,
// which keeps their values byte for byte. Only files that parse are formatted.
import type { Diagnostic } from './diagnostics.js';
import { parse } from './syntax/parser.js';
import { scanTokens, T, type Token } from './syntax/scan_tokens.js';

export interface FormatResult {
  text: string; // the formatted text, or the input unchanged when it has errors
  diagnostics: Diagnostic[];
}

export function format(src: string, filename = 'input.hcl'): FormatResult {
  const { diagnostics } = parse(src, filename);
  if (diagnostics.some((d) => d.severity === 'error')) return { text: src, diagnostics };
  return { text: layout(src), diagnostics };
}

// A piece of a line: one token, or a verbatim run (a whole quoted string or heredoc).
interface Piece {
  type: T; // for a verbatim run, the type of its opening token
  text: string;
  comment: boolean;
}

interface Line {
  pieces: Piece[];
  depth: number; // indentation level
  comment?: Piece; // the trailing line comment of a one-line argument
  rendered?: string; // set for aligned lines
}

const OPENERS = new Set([T.OBrace, T.OBrack, T.OParen]);
const CLOSERS = new Set([T.CBrace, T.CBrack, T.CParen]);

function layout(src: string): string {
  const lines = splitLines(src);
  alignRuns(lines);
  // At most one blank line in a row, none at the start or the end.
  const out: string[] = [];
  for (const line of lines) {
    const text = render(line);
    if (text === '' && (out.length === 0 || out[out.length - 1] === '')) continue;
    out.push(text);
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.length === 0 ? '' : out.join('\n') + '\n';
}

// Indentation, as hclwrite does it: a line that leaves brackets open indents the lines
// after it by one level, however many it opened (`type = map(object({` is one level), and
// the line that closes the last of them returns to that line's level.
function splitLines(src: string): Line[] {
  const tokens = scanTokens(src);
  const lines: Line[] = [];
  let pieces: Piece[] = [];
  const open: number[] = []; // per indenting line, how many of its brackets are still open
  const endLine = () => {
    let lineOpen = 0;
    let depth = -1; // the level of the line: after its leading closers
    for (const p of pieces) {
      if (OPENERS.has(p.type)) lineOpen++;
      else if (CLOSERS.has(p.type)) {
        if (lineOpen > 0) lineOpen--;
        else if (open.length > 0 && --open[open.length - 1] === 0) open.pop();
      }
      if (depth < 0 && !CLOSERS.has(p.type)) depth = open.length;
    }
    lines.push({ pieces, depth: depth < 0 ? open.length : depth });
    if (lineOpen > 0) open.push(lineOpen);
    pieces = [];
  };
  for (let k = 0; k < tokens.length; k++) {
    const tok = tokens[k];
    switch (tok.type) {
      case T.EOF:
        if (pieces.length > 0) endLine();
        return lines;
      case T.Newline:
        endLine();
        continue;
      case T.Comment: {
        const raw = src.slice(tok.start, tok.end);
        if (raw.endsWith('\n')) {
          pieces.push({ type: T.Comment, text: raw.replace(/\r?\n$/, '').trimEnd(), comment: true });
          endLine();
        } else {
          pieces.push({ type: T.Comment, text: raw, comment: true });
        }
        continue;
      }
      case T.OQuote:
      case T.OHeredoc: {
        const end = closingOf(tokens, k);
        pieces.push({ type: tok.type, text: src.slice(tok.start, tokens[end].end), comment: false });
        k = end;
        continue;
      }
      default:
        pieces.push({ type: tok.type, text: src.slice(tok.start, tok.end), comment: false });
    }
  }
  return lines;
}

// The index of the token closing the string or heredoc opened at `k`, counting nested ones.
function closingOf(tokens: Token[], k: number): number {
  let nest = 0;
  for (let j = k; j < tokens.length; j++) {
    const t = tokens[j].type;
    if (t === T.OQuote || t === T.OHeredoc) nest++;
    else if (t === T.CQuote || t === T.CHeredoc) {
      nest--;
      if (nest === 0) return j;
    } else if (t === T.EOF) return j - 1;
  }
  return tokens.length - 1;
}

// Whether the piece at k can end an operand, so that a following `-` is binary and a
// following `[` or `(` an index or a call. `in`, `if` and `for` are keywords unless they
// name an attribute (`x.in`).
function endsOperand(ps: Piece[], k: number): boolean {
  const p = ps[k];
  if (p === undefined || p.comment) return false;
  if (p.type === T.Ident) return !(p.text === 'in' || p.text === 'if' || p.text === 'for') || ps[k - 1]?.type === T.Dot;
  return p.type === T.NumberLit || p.type === T.OQuote || p.type === T.OHeredoc || CLOSERS.has(p.type);
}

// The space between pieces k-1 and k.
function spaceBefore(ps: Piece[], k: number): string {
  const prev = ps[k - 1];
  const next = ps[k];
  if (next.comment || prev.comment) return ' ';
  const a = prev.type;
  const b = next.type;
  if (a === T.OParen || a === T.OBrack || a === T.Dot) return '';
  if (b === T.CParen || b === T.CBrack || b === T.Comma || b === T.Dot || b === T.Ellipsis) return '';
  if (a === T.OBrace) return b === T.CBrace ? '' : ' ';
  if (b === T.CBrace) return ' ';
  if ((a === T.Minus || a === T.Bang) && !endsOperand(ps, k - 2)) return ''; // a unary operator
  const splatStar = a === T.Star && (ps[k - 2]?.type === T.Dot || ps[k - 2]?.type === T.OBrack);
  if (b === T.OBrack || b === T.OParen) return endsOperand(ps, k - 1) || splatStar ? '' : ' ';
  if (splatStar) return '';
  return ' ';
}

function renderPieces(pieces: Piece[], from: number, to: number): string {
  let out = '';
  for (let k = from; k < to; k++) {
    if (k > from) out += spaceBefore(pieces, k);
    out += pieces[k].text;
  }
  return out;
}

const INDENT = '  ';

function render(line: Line): string {
  if (line.pieces.length === 0) return '';
  const indent = INDENT.repeat(line.depth);
  return (indent + (line.rendered ?? renderPieces(line.pieces, 0, line.pieces.length))).trimEnd();
}

// A one-line argument: `name = value` with its brackets balanced on the line, maybe with
// a trailing comment. Sets `equals` and `comment`.
function oneLineArgument(line: Line): boolean {
  const ps = line.pieces;
  if (ps.length < 3 || ps[1].type !== T.Equal || !(ps[0].type === T.Ident || ps[0].type === T.OQuote)) return false;
  let balance = 0;
  let end = ps.length;
  if (ps[end - 1].comment && ps[end - 1].text.startsWith('#') || (ps[end - 1].comment && ps[end - 1].text.startsWith('//'))) {
    line.comment = ps[end - 1];
    end--;
  }
  for (let k = 0; k < end; k++) {
    if (OPENERS.has(ps[k].type)) balance++;
    else if (CLOSERS.has(ps[k].type)) balance--;
    if (ps[k].type === T.OHeredoc) balance = 99; // a heredoc never ends on its line
  }
  if (balance !== 0) {
    line.comment = undefined;
    return false;
  }
  return true;
}

function width(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) i++;
    n++;
  }
  return n;
}

// Aligns `=` (and trailing comments) across each run of consecutive one-line arguments
// at one indentation level.
function alignRuns(lines: Line[]): void {
  let k = 0;
  while (k < lines.length) {
    if (!oneLineArgument(lines[k])) {
      k++;
      continue;
    }
    let end = k + 1;
    while (end < lines.length && lines[end].depth === lines[k].depth && oneLineArgument(lines[end])) end++;
    const run = lines.slice(k, end);
    const nameWidth = Math.max(...run.map((l) => width(l.pieces[0].text)));
    const bodies = run.map((l) => {
      const valueEnd = l.comment ? l.pieces.length - 1 : l.pieces.length;
      const name = l.pieces[0].text;
      return `${name}${' '.repeat(nameWidth - width(name))} = ${renderPieces(l.pieces, 2, valueEnd)}`;
    });
    const commentAt = Math.max(...bodies.map((b, j) => (run[j].comment ? width(b) : 0)));
    run.forEach((l, j) => {
      l.rendered = l.comment ? `${bodies[j]}${' '.repeat(commentAt - width(bodies[j]) + 1)}${l.comment.text}` : bodies[j];
    });
    k = end;
  }
}
