// Parser for HCL native syntax (hashicorp/hcl hclsyntax/spec.md): recursive descent over
// the scanner's tokens, with a peeker that hides comments and, where the grammar says so,
// newlines. Errors are diagnostics: after one, the parser skips to a place where it can
// resume (the end of the bracket, or of the body item) and carries on, so every body item
// of a file gets its own diagnostics. No input makes it throw.
import type { Diagnostic } from '../diagnostics.js';
import type {
  AnonSymbolExpr,
  Attribute,
  BinaryOperator,
  Block,
  Body,
  Expression,
  LiteralValue,
  ParseResult,
  Range,
  RelativeTraversalExpr,
  Traverser,
} from './ast.js';
import { SourcePositions } from './positions.js';
import { badEncoding, buildTemplate, decodeHeredoc, decodeQuoted, flushHeredoc, type FlatPart } from './parser_template.js';
import { scanTokens, T, type Token } from './scan_tokens.js';
import { suggest } from '../didyoumean.js';

export function parse(src: string, filename: string): ParseResult {
  const parser = new Parser(src, filename);
  const body = parser.parseFile();
  return { file: { filename, bytes: src, body }, diagnostics: parser.diags };
}

// Binary operators by precedence, loosest first; all associate to the left.
const BINARY_LEVELS: Partial<Record<T, BinaryOperator>>[] = [
  { [T.Or]: '||' },
  { [T.And]: '&&' },
  { [T.EqualOp]: '==', [T.NotEqual]: '!=' },
  { [T.GreaterThan]: '>', [T.GreaterThanEq]: '>=', [T.LessThan]: '<', [T.LessThanEq]: '<=' },
  { [T.Plus]: '+', [T.Minus]: '-' },
  { [T.Star]: '*', [T.Slash]: '/', [T.Percent]: '%' },
];
const BINARY_OPS: Partial<Record<T, { op: BinaryOperator; level: number }>> = {};
BINARY_LEVELS.forEach((ops, level) => {
  for (const [t, op] of Object.entries(ops)) BINARY_OPS[Number(t) as T] = { op: op!, level };
});

// How deep expressions and blocks may nest, each operator of a chain (`a + b + c`) and each
// branch of a conditional counting as a level: far beyond any real configuration, and well
// within the stack of the parser, the evaluator and every walk over the syntax tree.
export const MAX_DEPTH = 500;
export const TOO_DEEP = `Expression nested too deeply (more than ${MAX_DEPTH} levels)`;

const NUMBER = /^[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?$/;
const TEMPLATE_KEYWORDS = ['if', 'else', 'endif', 'for', 'endfor'];

const OPPOSITE: Partial<Record<T, T>> = {
  [T.OBrace]: T.CBrace, [T.CBrace]: T.OBrace,
  [T.OBrack]: T.CBrack, [T.CBrack]: T.OBrack,
  [T.OParen]: T.CParen, [T.CParen]: T.OParen,
  [T.OQuote]: T.CQuote, [T.CQuote]: T.OQuote,
  [T.OHeredoc]: T.CHeredoc, [T.CHeredoc]: T.OHeredoc,
  [T.TemplateInterp]: T.TemplateSeqEnd, [T.TemplateSeqEnd]: T.TemplateInterp,
};

// What a token is called in a diagnostic.
function describe(t: T): string {
  switch (t) {
    case T.EOF: return 'the end of the file';
    case T.Newline: return 'a newline';
    case T.Ident: return 'a name';
    case T.NumberLit: return 'a number';
    case T.OQuote: return 'a string';
    case T.OHeredoc: return 'a heredoc';
    case T.OBrace: return 'an opening brace';
    case T.CBrace: return 'a closing brace';
    case T.OBrack: return 'an opening bracket';
    case T.CBrack: return 'a closing bracket';
    case T.OParen: return 'an opening parenthesis';
    case T.CParen: return 'a closing parenthesis';
    case T.Comma: return 'a comma';
    case T.Equal: return 'an equals sign';
    default: return 'an unexpected symbol';
  }
}

class Parser {
  readonly diags: Diagnostic[] = [];
  private readonly tokens: Token[];
  private readonly positions: SourcePositions;
  private readonly filename: string;
  private i = 0;
  private newlines: boolean[] = [true];
  private recovery = false;
  private depth = 0;
  private prev: Token;
  private errors = 0;
  private readonly reported = new Set<number>(); // offsets of tokens already diagnosed by the token check

  constructor(private readonly src: string, filename: string) {
    this.filename = filename;
    this.positions = new SourcePositions(src, filename);
    this.tokens = scanTokens(src);
    this.prev = this.tokens[0];
    this.checkTokens();
  }

  // ---- diagnostics ----

  private range(tok: Token): Range {
    return this.positions.range(tok.start, tok.end);
  }

  private between(a: Range, b: Range): Range {
    return { filename: this.filename, start: a.start, end: b.end };
  }

  private error(summary: string, detail: string, subject: Range | Token, context?: Range): void {
    if (!('filename' in subject)) {
      if (this.reported.has(subject.start)) {
        this.errors++;
        return;
      }
      subject = this.range(subject);
    }
    this.errors++;
    this.diags.push({ severity: 'error', summary, detail, subject, ...(context ? { context } : {}) });
  }

  // Reports every character the language does not use, up front, as HCL does.
  private checkTokens(): void {
    for (const tok of this.tokens) {
      let summary = 'Invalid character';
      let detail: string;
      switch (tok.type) {
        case T.BitwiseAnd: summary = 'Unsupported operator'; detail = 'Bitwise operators are not supported. Did you mean boolean AND ("&&")?'; break;
        case T.BitwiseOr: summary = 'Unsupported operator'; detail = 'Bitwise operators are not supported. Did you mean boolean OR ("||")?'; break;
        case T.BitwiseNot: summary = 'Unsupported operator'; detail = 'Bitwise operators are not supported. Did you mean boolean NOT ("!")?'; break;
        case T.BitwiseXor: summary = 'Unsupported operator'; detail = 'Bitwise operators are not supported.'; break;
        case T.Apostrophe: detail = 'Single quotes are not valid. Use double quotes (") to enclose strings.'; break;
        case T.Backtick: detail = 'The "`" character is not valid. To write a string over several lines, use the heredoc syntax, like "<<EOT".'; break;
        case T.Semicolon: detail = 'The ";" character is not valid. Use newlines to separate arguments and blocks, and commas to separate items in collection values.'; break;
        case T.Invalid: detail = 'This character is not used within the language.'; break;
        case T.UnterminatedComment:
          summary = 'Unterminated comment';
          detail = 'This comment has no closing "*/". Close it, or use "#" for a comment that ends with the line.';
          this.diags.push({ severity: 'error', summary, detail, subject: this.positions.range(tok.start, tok.start + 2) });
          this.errors++;
          this.reported.add(tok.start);
          continue;
        case T.BadUTF8:
          this.diags.push(badEncoding(this.range(tok)));
          this.errors++;
          this.reported.add(tok.start);
          continue;
        default:
          continue;
      }
      this.diags.push({ severity: 'error', summary, detail, subject: this.range(tok) });
      this.errors++;
      this.reported.add(tok.start);
    }
  }

  // ---- the peeker ----

  private includeNewlines(): boolean {
    return this.newlines[this.newlines.length - 1];
  }

  private pushNewlines(include: boolean): void {
    this.newlines.push(include);
  }

  private popNewlines(): void {
    if (this.newlines.length > 1) this.newlines.pop();
  }

  // The index of the next significant token, and whether it is a line comment standing
  // for the newline it ends with.
  private seek(): number {
    const tokens = this.tokens;
    const nl = this.includeNewlines();
    let i = this.i;
    for (;;) {
      const tok = tokens[i];
      if (tok.type === T.Comment || tok.type === T.UnterminatedComment) {
        if (nl && this.src.charCodeAt(tok.end - 1) === 10 && tok.type === T.Comment) return -(i + 1);
        i++;
        continue;
      }
      if (tok.type === T.Newline && !nl) {
        i++;
        continue;
      }
      return i;
    }
  }

  peek(): Token {
    const k = this.seek();
    if (k >= 0) return this.tokens[k];
    const comment = this.tokens[-k - 1];
    return { type: T.Newline, start: comment.end - 1, end: comment.end };
  }

  read(): Token {
    const k = this.seek();
    let tok: Token;
    if (k >= 0) {
      tok = this.tokens[k];
      if (tok.type !== T.EOF) this.i = k + 1;
    } else {
      const comment = this.tokens[-k - 1];
      tok = { type: T.Newline, start: comment.end - 1, end: comment.end };
      this.i = -k;
    }
    this.prev = tok;
    return tok;
  }

  private prevRange(): Range {
    return this.range(this.prev);
  }

  // Skips to just after the token closing the bracket we are inside (or to the end of
  // the file) and returns it.
  private recover(end: T): Token {
    const start = OPPOSITE[end];
    this.recovery = true;
    let nest = 0;
    for (;;) {
      const tok = this.read();
      let ty = tok.type;
      if (end === T.TemplateSeqEnd && ty === T.TemplateControl) ty = T.TemplateInterp;
      if (ty === start) nest++;
      else if (ty === end) {
        if (nest < 1) return tok;
        nest--;
      } else if (ty === T.EOF) return tok;
    }
  }

  // Skips the rest of a body item: to just after the next newline outside brackets, or to
  // just before a closing brace that would close the body.
  private recoverAfterBodyItem(): void {
    this.recovery = true;
    const open: T[] = [];
    for (;;) {
      const tok = this.peek();
      switch (tok.type) {
        case T.EOF:
          return;
        case T.Newline:
          this.read();
          if (open.length === 0) return;
          continue;
        case T.OBrace: case T.OBrack: case T.OParen: case T.OQuote: case T.OHeredoc:
        case T.TemplateInterp: case T.TemplateControl:
          open.push(tok.type);
          break;
        case T.CBrace: case T.CBrack: case T.CParen: case T.CQuote: case T.CHeredoc: case T.TemplateSeqEnd: {
          if (open.length === 0 && tok.type === T.CBrace) return;
          const opener = OPPOSITE[tok.type]!;
          const matches = (t: T) => t === opener || (tok.type === T.TemplateSeqEnd && t === T.TemplateControl);
          while (open.length > 0 && !matches(open[open.length - 1])) open.pop();
          open.pop();
          break;
        }
      }
      this.read();
    }
  }

  // ---- structure ----

  parseFile(): Body {
    const body = this.parseBody(T.EOF, 0);
    const eof = this.positions.range(this.src.length, this.src.length);
    body.range = this.positions.range(0, this.src.length);
    body.endRange = eof;
    return body;
  }

  // The items of a body up to `end` (the end of the file, or a closing brace, which is
  // left for the caller).
  private parseBody(end: T.EOF | T.CBrace, startOffset: number): Body {
    const items: (Attribute | Block)[] = [];
    const attrs = new Map<string, Attribute>();
    for (;;) {
      const next = this.peek();
      if (next.type === end || next.type === T.EOF) break;
      if (next.type === T.Newline) {
        this.read();
        continue;
      }
      this.recovery = false;
      if (next.type === T.Ident) {
        const item = this.parseBodyItem();
        if (!item) continue;
        if (item.kind === 'Attribute') {
          const existing = attrs.get(item.name);
          if (existing) {
            this.errors++;
            this.diags.push({
              severity: 'error',
              summary: 'Attribute redefined',
              detail: `The argument "${item.name}" was already set at ${where(existing.nameRange)}. Each argument may be set only once.`,
              subject: item.nameRange,
            });
          } else {
            attrs.set(item.name, item);
          }
        }
        items.push(item);
        continue;
      }
      const bad = this.read();
      if (bad.type === T.OQuote) {
        this.error('Invalid argument name', 'Argument names must not be quoted.', bad);
      } else {
        this.error(
          'Argument or block definition required',
          'An argument or block definition is required here. An argument is a name, "=" and a value; a block is a type, optional labels and a body in braces.',
          bad,
        );
      }
      this.recoverAfterBodyItem();
    }
    const here = this.peek();
    const endRange = this.range(here);
    return { kind: 'Body', items, range: this.positions.range(startOffset, here.start), endRange };
  }

  private parseBodyItem(): Attribute | Block | undefined {
    const ident = this.read();
    const next = this.peek();
    switch (next.type) {
      case T.Equal:
        return this.finishAttribute(ident, false);
      case T.OQuote:
      case T.OBrace:
      case T.Ident:
        return this.finishBlock(ident);
      default:
        this.error(
          'Argument or block definition required',
          `"${this.text(ident)}" must be followed by "=" and a value to set an argument, or by labels and "{" to start a block.`,
          next.type === T.Newline || next.type === T.EOF ? ident : next,
        );
        this.recoverAfterBodyItem();
        return undefined;
    }
  }

  private text(tok: Token): string {
    return this.src.slice(tok.start, tok.end);
  }

  private finishAttribute(ident: Token, singleLine: boolean): Attribute {
    const eq = this.read();
    const mark = this.errors;
    const expr = this.parseExpression();
    const nameRange = this.range(ident);
    const attr: Attribute = {
      kind: 'Attribute',
      name: this.text(ident),
      expr,
      range: this.between(nameRange, expr.range),
      nameRange,
      equalsRange: this.range(eq),
    };
    if (this.recovery && this.errors > mark) {
      this.recoverAfterBodyItem();
    } else if (!singleLine) {
      const end = this.peek();
      if (end.type === T.Newline) {
        this.read();
      } else if (end.type !== T.EOF) {
        if (end.type === T.Comma) {
          this.error('Unexpected comma after argument', 'Argument definitions must be separated by newlines, not commas. Put the next argument on a line of its own.', end);
        } else {
          this.error('Missing newline after argument', 'An argument definition must end with a newline. Put what follows on a line of its own.', end);
        }
        this.recoverAfterBodyItem();
      }
    }
    return attr;
  }

  private finishBlock(ident: Token): Block | undefined {
    if (this.depth >= MAX_DEPTH) {
      this.tooDeep();
      this.recover(T.CBrace);
      return undefined;
    }
    this.depth++;
    const block = this.finishBlockInner(ident);
    this.depth--;
    return block;
  }

  private finishBlockInner(ident: Token): Block | undefined {
    const labels: string[] = [];
    const labelRanges: Range[] = [];
    for (;;) {
      const tok = this.peek();
      if (tok.type === T.Ident) {
        this.read();
        labels.push(this.text(tok));
        labelRanges.push(this.range(tok));
        continue;
      }
      if (tok.type === T.OQuote) {
        const { value, range } = this.parseStringLiteral();
        labels.push(value);
        labelRanges.push(range);
        continue;
      }
      break;
    }
    const open = this.peek();
    if (open.type !== T.OBrace) {
      if (open.type === T.Equal) {
        this.error('Invalid block definition', 'The equals sign "=" marks an argument definition and must not be used when defining a block. Remove the labels to set an argument, or the "=" to define a block.', open);
      } else if (open.type === T.Newline || open.type === T.EOF) {
        this.error('Invalid block definition', 'A block definition must have its body delimited by "{" and "}", starting on the same line as the block header.', open.type === T.EOF ? this.prev : open);
      } else {
        this.error('Invalid block definition', 'Either a quoted string block label or an opening brace ("{") is expected here.', open);
      }
      this.recoverAfterBodyItem();
      return undefined;
    }
    this.read();
    const openRange = this.range(open);
    const first = this.peek();
    let body: Body;
    if (first.type === T.Newline || first.type === T.EOF || first.type === T.CBrace) {
      body = this.parseBody(T.CBrace, open.start);
    } else {
      body = this.parseSingleAttrBody(open);
    }
    const close = this.peek();
    let closeRange: Range;
    if (close.type === T.CBrace) {
      this.read();
      closeRange = this.range(close);
    } else {
      if (close.type === T.EOF) {
        this.error(
          'Unclosed configuration block',
          'There is no closing brace for this block before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.',
          openRange,
        );
      } else {
        this.error(
          'Invalid single-argument block definition',
          'A block written on one line holds a single argument and ends with "}" right after it. Put each argument on a line of its own.',
          close,
        );
        this.skipRestOfLine();
      }
      closeRange = this.positions.range(this.prev.end, this.prev.end);
    }
    body.range = this.between(openRange, closeRange);
    body.endRange = closeRange;
    const typeRange = this.range(ident);
    const block: Block = {
      kind: 'Block',
      type: this.text(ident),
      labels,
      body,
      range: this.between(typeRange, closeRange),
      typeRange,
      labelRanges,
      openBraceRange: openRange,
      closeBraceRange: closeRange,
    };
    const eol = this.peek();
    if (eol.type === T.Newline) {
      this.read();
    } else if (eol.type !== T.EOF) {
      this.error('Missing newline after block definition', 'A block definition must end with a newline. Put what follows on a line of its own.', eol);
      this.recoverAfterBodyItem();
    }
    return block;
  }

  // After a bad single-line block: skips to its closing brace on this line, if any.
  private skipRestOfLine(): void {
    this.recovery = true;
    let nest = 0;
    for (;;) {
      const tok = this.peek();
      if (tok.type === T.EOF || (tok.type === T.Newline && nest === 0)) return;
      if (tok.type === T.CBrace && nest === 0) return;
      if (tok.type === T.OBrace || tok.type === T.OBrack || tok.type === T.OParen) nest++;
      if (tok.type === T.CBrace || tok.type === T.CBrack || tok.type === T.CParen) nest--;
      this.read();
    }
  }

  private parseSingleAttrBody(open: Token): Body {
    const ident = this.read();
    const items: (Attribute | Block)[] = [];
    if (ident.type !== T.Ident) {
      this.error('Argument or block definition required', 'A block written on one line holds a single argument: a name, "=" and a value.', ident);
      this.skipRestOfLine();
    } else {
      const next = this.peek();
      if (next.type === T.Equal) {
        items.push(this.finishAttribute(ident, true));
      } else if (next.type === T.OQuote || next.type === T.OBrace || next.type === T.Ident) {
        this.error(
          'Argument definition required',
          `A block written on one line can hold only a single argument. To define the nested block "${this.text(ident)}", put it on a line of its own within its parent block.`,
          ident,
        );
        this.skipRestOfLine();
      } else {
        this.error('Argument or block definition required', `"${this.text(ident)}" must be followed by "=" and a value.`, next);
        this.skipRestOfLine();
      }
    }
    const r = this.positions.range(open.start, this.prev.end);
    return { kind: 'Body', items, range: r, endRange: r };
  }

  // A quoted string without templates: a block label.
  private parseStringLiteral(): { value: string; range: Range } {
    const open = this.read();
    let value = '';
    for (;;) {
      const tok = this.peek();
      if (tok.type === T.CQuote) {
        this.read();
        break;
      }
      if (tok.type === T.QuotedLit) {
        this.read();
        value += decodeQuoted(this.text(tok), tok.start, (s, e) => this.positions.range(s, e), this.diags);
        continue;
      }
      if (tok.type === T.TemplateInterp || tok.type === T.TemplateControl) {
        this.read();
        this.error(
          'Invalid string literal',
          'Template sequences are not allowed in this string. To include a literal "$" or "%" followed by "{", double it (as "$${" or "%%{").',
          tok,
        );
        this.recover(T.TemplateSeqEnd);
        continue;
      }
      if (tok.type === T.BadUTF8) {
        this.read();
        continue;
      }
      this.error('Unterminated string', 'This string has no closing quote on its line. Add the closing ".', this.range(open));
      if (tok.type === T.QuotedNewline) this.read();
      break;
    }
    return { value, range: this.positions.range(open.start, this.prev.end) };
  }

  // ---- expressions ----

  parseExpression(): Expression {
    const mark = this.errors;
    const cond = this.parseBinary(0);
    if (this.recovery && this.errors > mark) return cond;
    if (this.peek().type !== T.Question) return cond;
    this.read();
    const trueResult = this.nested(() => this.parseExpression());
    if (this.recovery && this.errors > mark) return trueResult;
    const colon = this.peek();
    if (colon.type !== T.Colon) {
      if (!this.recovery) {
        this.error(
          'Missing false expression in conditional',
          'The conditional operator (...?...:...) requires a false expression, delimited by a colon.',
          colon,
          this.between(cond.range, this.range(colon)),
        );
      }
      this.recovery = true;
      return { kind: 'ConditionalExpr', condition: cond, trueResult, falseResult: this.placeholder(this.range(colon)), range: this.between(cond.range, trueResult.range) };
    }
    this.read();
    const falseResult = this.nested(() => this.parseExpression());
    return { kind: 'ConditionalExpr', condition: cond, trueResult, falseResult, range: this.between(cond.range, falseResult.range) };
  }

  // Precedence climbing: operators of one level associate to the left. Each operator nests
  // the chain so far one level deeper in the tree, so it counts against MAX_DEPTH.
  private parseBinary(minLevel: number): Expression {
    const mark = this.errors;
    const outer = this.depth;
    try {
      let lhs = this.parseExpressionWithTraversals();
      if (this.recovery && this.errors > mark) return lhs;
      for (;;) {
        const opTok = this.peek();
        const op = BINARY_OPS[opTok.type];
        if (op === undefined || op.level < minLevel) return lhs;
        if (this.depth >= MAX_DEPTH) return this.tooDeep();
        this.depth++;
        this.read();
        const rhs = this.parseBinary(op.level + 1);
        lhs = { kind: 'BinaryOpExpr', op: op.op, lhs, rhs, range: this.between(lhs.range, rhs.range), opRange: this.range(opTok) };
        if (this.recovery && this.errors > mark) return lhs;
      }
    } finally {
      this.depth = outer;
    }
  }

  private nested(parse: () => Expression): Expression {
    if (this.depth >= MAX_DEPTH) return this.tooDeep();
    this.depth++;
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  // Every nested expression passes here, so this is where runaway nesting is stopped
  // before it exhausts the stack.
  private parseExpressionWithTraversals(): Expression {
    if (this.depth >= MAX_DEPTH) return this.tooDeep();
    this.depth++;
    const term = this.parseExpressionTerm();
    const expr = this.parseTraversals(term);
    this.depth--;
    return expr;
  }

  private tooDeep(): Expression {
    const tok = this.peek();
    if (!this.recovery) {
      this.error(TOO_DEEP, `Expressions and blocks may nest at most ${MAX_DEPTH} levels deep, each operator of a chain and each branch of a conditional counting as one. Split this one into locals.`, tok);
    }
    this.recovery = true;
    return this.placeholder(this.range(tok));
  }

  private placeholder(range: Range): LiteralValue {
    return { kind: 'LiteralValue', value: null, range };
  }

  private parseExpressionTerm(): Expression {
    const start = this.peek();
    switch (start.type) {
      case T.OParen: {
        this.read();
        this.pushNewlines(false);
        const mark = this.errors;
        const expr = this.parseExpression();
        if (this.errors > mark) {
          const close = this.recover(T.CParen);
          this.popNewlines();
          return { kind: 'ParenthesesExpr', expr, range: this.positions.range(start.start, close.end) };
        }
        const close = this.peek();
        if (close.type !== T.CParen) {
          this.error(
            'Unbalanced parentheses',
            'Expected a closing parenthesis to end the expression.',
            close,
            this.positions.range(start.start, close.end),
          );
          this.recovery = true;
          this.popNewlines();
          return { kind: 'ParenthesesExpr', expr, range: this.positions.range(start.start, this.prev.end) };
        }
        this.read();
        this.popNewlines();
        return { kind: 'ParenthesesExpr', expr, range: this.positions.range(start.start, close.end) };
      }
      case T.NumberLit: {
        this.read();
        return { kind: 'LiteralValue', value: this.numberValue(start), range: this.range(start) };
      }
      case T.Ident: {
        this.read();
        if (this.peek().type === T.OParen) return this.finishFunctionCall(start);
        const name = this.text(start);
        const range = this.range(start);
        switch (name) {
          case 'true': return { kind: 'LiteralValue', value: true, range };
          case 'false': return { kind: 'LiteralValue', value: false, range };
          case 'null': return { kind: 'LiteralValue', value: null, range };
        }
        return { kind: 'ScopeTraversalExpr', root: name, rootRange: range, traversal: [], range };
      }
      case T.OQuote:
      case T.OHeredoc:
        return this.parseTemplate();
      case T.Minus:
      case T.Bang: {
        this.read();
        const operand = this.parseExpressionWithTraversals();
        const opRange = this.range(start);
        return { kind: 'UnaryOpExpr', op: start.type === T.Minus ? '-' : '!', operand, range: this.between(opRange, operand.range), opRange };
      }
      case T.OBrack:
        return this.parseTuple();
      case T.OBrace:
        return this.parseObject();
      default: {
        if (!this.recovery) {
          if (start.type === T.EOF) {
            this.error('Missing expression', 'Expected the start of an expression, but found the end of the file.', start);
          } else if (start.type === T.Newline) {
            this.error('Missing expression', 'Expected the start of an expression, but found the end of the line.', start);
          } else {
            this.error('Invalid expression', `Expected the start of an expression, but found ${describe(start.type)}.`, start);
          }
        }
        this.recovery = true;
        return this.placeholder(this.range(start));
      }
    }
  }

  private numberValue(tok: Token): number | null {
    const text = this.text(tok);
    if (!NUMBER.test(text)) {
      this.error('Invalid number literal', `"${text}" is not a number. Numbers are digits with an optional fraction and exponent, like 12, 1.5 or 2e10.`, tok);
      return null;
    }
    return Number(text);
  }

  private finishFunctionCall(name: Token): Expression {
    const open = this.read();
    this.pushNewlines(false);
    const args: Expression[] = [];
    let expandFinal = false;
    let close: Token | undefined;
    for (;;) {
      const tok = this.peek();
      if (tok.type === T.CParen) {
        close = this.read();
        break;
      }
      const mark = this.errors;
      const arg = this.parseExpression();
      args.push(arg);
      if (this.recovery && this.errors > mark) {
        close = this.recover(T.CParen);
        break;
      }
      const sep = this.peek();
      if (sep.type === T.CParen) {
        close = this.read();
        break;
      }
      if (sep.type === T.Ellipsis) {
        this.read();
        expandFinal = true;
        if (this.peek().type !== T.CParen) {
          if (!this.recovery) {
            this.error('Missing closing parenthesis', 'An expanded function argument (with ...) must be immediately followed by a closing parenthesis.', this.peek());
          }
          close = this.recover(T.CParen);
        } else {
          close = this.read();
        }
        break;
      }
      if (sep.type !== T.Comma) {
        if (!this.recovery) {
          this.error('Missing argument separator', 'A comma is required to separate each function argument from the next.', sep, this.positions.range(name.start, sep.end));
        }
        close = this.recover(T.CParen);
        break;
      }
      this.read();
      if (this.peek().type === T.CParen) {
        close = this.read();
        break;
      }
    }
    this.popNewlines();
    const nameRange = this.range(name);
    const closeRange = this.range(close);
    return {
      kind: 'FunctionCallExpr',
      name: this.text(name),
      nameRange,
      args,
      expandFinal,
      range: this.between(nameRange, closeRange),
      openParenRange: this.range(open),
      closeParenRange: closeRange,
    };
  }

  private extend(expr: Expression, step: Traverser): Expression {
    if (expr.kind === 'ScopeTraversalExpr' || expr.kind === 'RelativeTraversalExpr') {
      expr.traversal.push(step);
      expr.range = this.between(expr.range, step.range);
      return expr;
    }
    const rel: RelativeTraversalExpr = { kind: 'RelativeTraversalExpr', source: expr, traversal: [step], range: this.between(expr.range, step.range) };
    return rel;
  }

  // Attribute access, indexing and splats after a term.
  private parseTraversals(from: Expression): Expression {
    let ret = from;
    for (;;) {
      const next = this.peek();
      if (next.type === T.Dot) {
        const dot = this.read();
        const dotRange = this.range(dot);
        const attr = this.peek();
        if (attr.type === T.Ident) {
          this.read();
          ret = this.extend(ret, { kind: 'GetAttr', name: this.text(attr), range: this.between(dotRange, this.range(attr)) });
          continue;
        }
        if (attr.type === T.NumberLit) {
          this.read();
          ret = this.extend(ret, this.legacyIndex(attr, dotRange));
          continue;
        }
        if (attr.type === T.Star) {
          ret = this.finishLegacySplat(ret, dotRange);
          continue;
        }
        if (!this.recovery) this.error('Invalid attribute name', 'An attribute name is required after a dot.', attr);
        this.recovery = true;
        return ret;
      }
      if (next.type === T.OBrack) {
        const open = this.read();
        const openRange = this.range(open);
        if (this.peek().type === T.Star) {
          this.read();
          let close = this.read();
          if (close.type !== T.CBrack && !this.recovery) {
            this.error('Missing close bracket on splat index', 'The star of a full splat operator must be immediately followed by a closing bracket ("]").', close);
            close = this.recover(T.CBrack);
          }
          const marker = this.between(openRange, this.range(close));
          const item: AnonSymbolExpr = { kind: 'AnonSymbolExpr', range: marker };
          const each = this.parseTraversals(item);
          ret = { kind: 'SplatExpr', source: ret, each, item, legacy: false, range: this.between(ret.range, each.range), markerRange: marker };
          continue;
        }
        this.pushNewlines(false);
        const mark = this.errors;
        const key = this.parseExpression();
        let close: Token;
        if (this.recovery && this.errors > mark) {
          close = this.recover(T.CBrack);
        } else {
          close = this.read();
          if (close.type !== T.CBrack && !this.recovery) {
            this.error('Missing close bracket on index', 'The index operator must end with a closing bracket ("]").', close);
            close = this.recover(T.CBrack);
          }
        }
        this.popNewlines();
        const bracketRange = this.between(openRange, this.range(close));
        if (key.kind === 'LiteralValue') {
          ret = this.extend(ret, { kind: 'Index', key, range: bracketRange });
        } else if (key.kind === 'TemplateExpr' && key.parts.length === 1 && key.parts[0].kind === 'TemplateLiteral') {
          ret = this.extend(ret, { kind: 'Index', key: { kind: 'LiteralValue', value: key.parts[0].value, range: key.range }, range: bracketRange });
        } else {
          ret = { kind: 'IndexExpr', collection: ret, key, range: this.between(ret.range, bracketRange), openRange };
        }
        continue;
      }
      return ret;
    }
  }

  // `a.0`, inherited from HIL. `a.0.1` scans as the number 0.1 and is refused.
  private legacyIndex(num: Token, dotRange: Range): Traverser {
    const text = this.text(num);
    const range = this.between(dotRange, this.range(num));
    const dot = text.indexOf('.');
    if (dot >= 0) {
      this.error(
        'Invalid legacy index syntax',
        `When using the legacy index syntax, chaining two indexes together is not permitted. Use the proper index syntax instead, like [${text.slice(0, dot)}][${text.slice(dot + 1)}].`,
        num,
      );
      return { kind: 'Index', key: this.placeholder(this.range(num)), range };
    }
    return { kind: 'Index', key: { kind: 'LiteralValue', value: this.numberValue(num), range: this.range(num) }, range };
  }

  // `source.*.a.b`: the attribute-only splat, which takes the attribute and legacy index
  // steps that follow it.
  private finishLegacySplat(source: Expression, dotRange: Range): Expression {
    const star = this.read();
    const marker = this.between(dotRange, this.range(star));
    const item: AnonSymbolExpr = { kind: 'AnonSymbolExpr', range: marker };
    const steps: Traverser[] = [];
    let last = marker;
    while (this.peek().type === T.Dot) {
      const dot = this.read();
      const stepDot = this.range(dot);
      const next = this.peek();
      if (next.type === T.NumberLit) {
        this.read();
        const step = this.legacyIndex(next, stepDot);
        steps.push(step);
        last = step.range;
        continue;
      }
      if (next.type !== T.Ident) {
        if (!this.recovery) {
          if (next.type === T.Star) {
            this.error('Nested splat expression not allowed', 'A splat expression (*) cannot be used inside another attribute-only splat expression.', next);
          } else {
            this.error('Invalid attribute name', 'An attribute name is required after a dot.', next);
          }
        }
        this.recovery = true;
        break;
      }
      this.read();
      const step: Traverser = { kind: 'GetAttr', name: this.text(next), range: this.between(stepDot, this.range(next)) };
      steps.push(step);
      last = step.range;
    }
    const each: Expression =
      steps.length === 0 ? item : { kind: 'RelativeTraversalExpr', source: item, traversal: steps, range: this.between(steps[0].range, last) };
    return { kind: 'SplatExpr', source, each, item, legacy: true, range: this.between(source.range, last), markerRange: marker };
  }

  private parseTuple(): Expression {
    const open = this.read();
    this.pushNewlines(false);
    try {
      if (this.isKeyword(this.peek(), 'for')) return this.finishFor(open);
      const exprs: Expression[] = [];
      let close: Token;
      for (;;) {
        if (this.peek().type === T.CBrack) {
          close = this.read();
          break;
        }
        const mark = this.errors;
        const expr = this.parseExpression();
        exprs.push(expr);
        if (this.recovery && this.errors > mark) {
          close = this.recover(T.CBrack);
          break;
        }
        const next = this.peek();
        if (next.type === T.CBrack) {
          close = this.read();
          break;
        }
        if (next.type !== T.Comma) {
          if (!this.recovery) {
            this.error('Missing item separator', 'Expected a comma to mark the beginning of the next item.', next, this.positions.range(open.start, next.end));
          }
          close = this.recover(T.CBrack);
          break;
        }
        this.read();
      }
      return { kind: 'TupleConsExpr', exprs, range: this.positions.range(open.start, close.end) };
    } finally {
      this.popNewlines();
    }
  }

  private parseObject(): Expression {
    const open = this.read();
    this.pushNewlines(false);
    const isFor = this.isKeyword(this.peek(), 'for');
    this.popNewlines();
    if (isFor) {
      this.pushNewlines(false);
      const expr = this.finishFor(open);
      this.popNewlines();
      return expr;
    }
    this.pushNewlines(true);
    const items: { key: Expression; value: Expression }[] = [];
    let close: Token;
    for (;;) {
      const next = this.peek();
      if (next.type === T.Newline) {
        this.read();
        continue;
      }
      if (next.type === T.CBrace) {
        close = this.read();
        break;
      }
      const mark = this.errors;
      const key = this.parseExpression();
      if (this.recovery && this.errors > mark) {
        close = this.recover(T.CBrace);
        break;
      }
      const sep = this.peek();
      if (sep.type !== T.Equal && sep.type !== T.Colon) {
        if (!this.recovery) {
          if (sep.type === T.Newline || sep.type === T.Comma) {
            this.error('Missing attribute value', 'Expected an attribute value, introduced by an equals sign ("=").', sep);
          } else if (sep.type === T.Ident) {
            this.error(
              'Missing key/value separator',
              'Expected an equals sign ("=") to mark the beginning of the attribute value. If you intended to give an attribute name containing periods or spaces, write the name in quotes to create a string literal.',
              sep,
            );
          } else {
            this.error('Missing key/value separator', 'Expected an equals sign ("=") to mark the beginning of the attribute value.', sep);
          }
        }
        close = this.recover(T.CBrace);
        break;
      }
      this.read();
      const value = this.parseExpression();
      items.push({
        key: { kind: 'ObjectConsKeyExpr', wrapped: key, forceNonLiteral: key.kind === 'ParenthesesExpr', range: key.range },
        value,
      });
      if (this.recovery && this.errors > mark) {
        close = this.recover(T.CBrace);
        break;
      }
      const after = this.peek();
      if (after.type === T.CBrace) {
        close = this.read();
        break;
      }
      if (after.type !== T.Comma && after.type !== T.Newline) {
        if (!this.recovery) {
          this.error('Missing attribute separator', 'Expected a newline or comma to mark the beginning of the next attribute.', after, this.positions.range(open.start, after.end));
        }
        close = this.recover(T.CBrace);
        break;
      }
      this.read();
    }
    this.popNewlines();
    return { kind: 'ObjectConsExpr', items, range: this.positions.range(open.start, close.end) };
  }

  private isKeyword(tok: Token, word: string): boolean {
    return tok.type === T.Ident && tok.end - tok.start === word.length && this.src.startsWith(word, tok.start);
  }

  // `[for …]` and `{for …}`, after the opening bracket.
  private finishFor(open: Token): Expression {
    this.pushNewlines(false);
    try {
      this.read(); // `for`
      const makeObject = open.type === T.OBrace;
      const closeType = makeObject ? T.CBrace : T.CBrack;
      const fail = (summary: string, detail: string, at: Token | Range): Expression => {
        if (!this.recovery) this.error(summary, detail, at);
        const close = this.recover(closeType);
        return this.placeholder(this.positions.range(open.start, close.end));
      };
      const first = this.peek();
      if (first.type !== T.Ident) return fail("Invalid 'for' expression", "A 'for' expression requires a variable name after 'for'.", first);
      this.read();
      let valueVar = this.text(first);
      let keyVar: string | undefined;
      if (this.peek().type === T.Comma) {
        this.read();
        const second = this.peek();
        if (second.type !== T.Ident) return fail("Invalid 'for' expression", "A 'for' expression requires a value variable name after the comma.", second);
        this.read();
        keyVar = valueVar;
        valueVar = this.text(second);
      }
      const inTok = this.peek();
      if (!this.isKeyword(inTok, 'in')) return fail("Invalid 'for' expression", "A 'for' expression requires the 'in' keyword after its variable names.", inTok);
      this.read();
      const mark = this.errors;
      const collExpr = this.parseExpression();
      if (this.recovery && this.errors > mark) return fail('', '', this.peek());
      const colon = this.peek();
      if (colon.type !== T.Colon) return fail("Invalid 'for' expression", "A 'for' expression requires a colon after the collection expression.", colon);
      this.read();
      let valExpr = this.parseExpression();
      let keyExpr: Expression | undefined;
      if (this.peek().type === T.FatArrow) {
        this.read();
        keyExpr = valExpr;
        valExpr = this.parseExpression();
      }
      if (this.recovery && this.errors > mark) return fail('', '', this.peek());
      let group = false;
      let ellipsis: Token | undefined;
      if (this.peek().type === T.Ellipsis) {
        ellipsis = this.read();
        group = true;
      }
      let condExpr: Expression | undefined;
      if (this.isKeyword(this.peek(), 'if')) {
        this.read();
        condExpr = this.parseExpression();
        if (this.recovery && this.errors > mark) return fail('', '', this.peek());
      }
      let close = this.peek();
      if (close.type === closeType) {
        this.read();
      } else {
        if (!this.recovery) this.error("Invalid 'for' expression", "Extra characters after the end of the 'for' expression. Close it here, or add 'if' before a condition.", close);
        close = this.recover(closeType);
      }
      if (!makeObject) {
        if (keyExpr) this.error("Invalid 'for' expression", 'A key expression (with "=>") is only valid when building an object: use braces, or remove the key.', keyExpr.range);
        if (ellipsis) this.error("Invalid 'for' expression", 'The grouping ellipsis (...) is only valid when building an object: use braces, or remove it.', ellipsis);
      } else if (!keyExpr) {
        this.error("Invalid 'for' expression", 'A key expression is required when building an object, like {for k, v in m : k => v}.', valExpr.range);
      }
      return {
        kind: 'ForExpr',
        keyVar,
        valueVar,
        collExpr,
        keyExpr,
        valExpr,
        condExpr,
        group,
        range: this.positions.range(open.start, close.end),
        openRange: this.range(open),
        closeRange: this.range(close),
      };
    } finally {
      this.popNewlines();
    }
  }

  // ---- templates ----

  private parseTemplate(): Expression {
    const open = this.read();
    const heredoc = open.type === T.OHeredoc;
    const closer = heredoc ? T.CHeredoc : T.CQuote;
    this.pushNewlines(true);
    const parts: FlatPart[] = [];
    let ltrimNext = false;
    let lastWasLiteral = false;
    let end = open.end;
    let closed = false;
    const rangeOf = (s: number, e: number) => this.positions.range(s, e);
    loop: for (;;) {
      const tok = this.peek();
      const ltrim = ltrimNext;
      ltrimNext = false;
      const canTrimPrev = lastWasLiteral;
      lastWasLiteral = false;
      switch (tok.type) {
        case closer:
          this.read();
          end = tok.end;
          closed = true;
          break loop;
        case T.QuotedLit:
        case T.StringLit: {
          this.read();
          const text = this.text(tok);
          let value = tok.type === T.QuotedLit ? decodeQuoted(text, tok.start, rangeOf, this.diags) : decodeHeredoc(text);
          if (ltrim) value = value.trimStart();
          parts.push({ kind: 'lit', value, range: this.range(tok) });
          lastWasLiteral = true;
          end = tok.end;
          continue;
        }
        case T.TemplateInterp:
        case T.TemplateControl: {
          this.read();
          const stripLeft = tok.end - tok.start === 3;
          if (stripLeft && canTrimPrev) {
            const prev = parts[parts.length - 1];
            if (prev.kind === 'lit') prev.value = prev.value.trimEnd();
          }
          const part = tok.type === T.TemplateInterp ? this.parseInterp(tok, stripLeft) : this.parseDirective(tok);
          if (part) {
            parts.push(part.part);
            ltrimNext = part.stripRight;
          }
          end = this.prev.end;
          continue;
        }
        case T.BadUTF8:
        case T.Invalid:
          this.read();
          end = tok.end;
          continue;
        default:
          break loop;
      }
    }
    this.popNewlines();
    if (!closed) {
      const tok = this.peek();
      if (heredoc) {
        const marker = this.text(open).replace(/^<<-?/, '').trim();
        this.error('Unterminated heredoc', `There is no closing marker "${marker}" for this heredoc. Put ${marker} on a line of its own to end it.`, this.range(open));
      } else {
        this.error(
          'Unterminated template string',
          tok.type === T.QuotedNewline
            ? 'A quoted string must end on the line where it begins. To write a string over several lines, use the \\n escape or a heredoc (<<EOT).'
            : 'This string has no closing quote. Add the closing ".',
          this.positions.range(open.start, Math.max(open.end, end)),
        );
      }
      if (tok.type === T.QuotedNewline) this.read();
      this.recovery = true;
    }
    if (heredoc && open.start + 2 < this.src.length && this.src.charCodeAt(open.start + 2) === 45 /* - */) flushHeredoc(parts);
    const range = this.positions.range(open.start, end);
    if (parts.length === 1 && parts[0].kind === 'interp') {
      return { kind: 'TemplateWrapExpr', wrapped: parts[0].expr, range };
    }
    const tree = buildTemplate(parts, this.diags);
    if (heredoc) {
      const intro = this.text(open);
      const indent = intro.charCodeAt(2) === 45;
      return { kind: 'TemplateExpr', parts: tree, heredoc: { marker: intro.slice(indent ? 3 : 2).trim(), indent }, range };
    }
    return { kind: 'TemplateExpr', parts: tree, range };
  }

  // Reads up to and including the `}` or `~}` ending a template sequence; true when it was `~}`.
  private closeSequence(what: string): boolean {
    const close = this.peek();
    if (close.type !== T.TemplateSeqEnd) {
      if (!this.recovery) {
        this.error(`Extra characters after ${what}`, `Expected a closing brace to end the ${what}, but found ${describe(close.type)}.`, close);
      }
      const end = this.recover(T.TemplateSeqEnd);
      return end.type === T.TemplateSeqEnd && this.src.charCodeAt(end.start) === 126;
    }
    this.read();
    return this.src.charCodeAt(close.start) === 126; // `~}`
  }

  private parseInterp(open: Token, stripLeft: boolean): { part: FlatPart; stripRight: boolean } {
    this.pushNewlines(false);
    const expr = this.parseExpression();
    const stripRight = this.closeSequence('interpolation expression');
    this.popNewlines();
    return { part: { kind: 'interp', expr, stripLeft, stripRight, range: this.positions.range(open.start, this.prev.end) }, stripRight };
  }

  private parseDirective(open: Token): { part: FlatPart; stripRight: boolean } | undefined {
    this.pushNewlines(false);
    try {
      const kw = this.peek();
      if (kw.type !== T.Ident) {
        if (!this.recovery) {
          this.error('Invalid template directive', 'A template directive keyword ("if", "for", etc) is expected at the beginning of a %{ sequence.', kw);
        }
        this.recover(T.TemplateSeqEnd);
        return undefined;
      }
      this.read();
      const word = this.text(kw);
      const rangeTo = () => this.positions.range(open.start, this.prev.end);
      switch (word) {
        case 'if': {
          const cond = this.parseExpression();
          const stripRight = this.closeSequence('"if" directive');
          return { part: { kind: 'if', cond, range: rangeTo() }, stripRight };
        }
        case 'else':
        case 'endif':
        case 'endfor': {
          const stripRight = this.closeSequence(`"${word}" directive`);
          return { part: { kind: word, range: rangeTo() }, stripRight };
        }
        case 'for': {
          const first = this.peek();
          if (first.type !== T.Ident) {
            if (!this.recovery) this.error("Invalid 'for' directive", "A 'for' directive requires a variable name.", first);
            this.recover(T.TemplateSeqEnd);
            return undefined;
          }
          this.read();
          let valueVar = this.text(first);
          let keyVar: string | undefined;
          if (this.peek().type === T.Comma) {
            this.read();
            const second = this.peek();
            if (second.type !== T.Ident) {
              if (!this.recovery) this.error("Invalid 'for' directive", 'After a comma, a second variable name is required.', second);
              this.recover(T.TemplateSeqEnd);
              return undefined;
            }
            this.read();
            keyVar = valueVar;
            valueVar = this.text(second);
          }
          const inTok = this.peek();
          if (!this.isKeyword(inTok, 'in')) {
            if (!this.recovery) this.error("Invalid 'for' directive", "The 'in' keyword is required after the variable name(s).", inTok);
            this.recover(T.TemplateSeqEnd);
            return undefined;
          }
          this.read();
          const coll = this.parseExpression();
          const stripRight = this.closeSequence('"for" directive');
          return { part: { kind: 'for', keyVar, valueVar, coll, range: rangeTo() }, stripRight };
        }
        default: {
          if (!this.recovery) {
            const s = suggest(word, TEMPLATE_KEYWORDS);
            this.error(
              'Invalid template control keyword',
              `"${word}" is not a valid template control keyword.${s ? ` Did you mean "${s}"?` : ' Use if, else, endif, for or endfor.'}`,
              kw,
            );
          }
          this.recover(T.TemplateSeqEnd);
          return undefined;
        }
      }
    } finally {
      this.popNewlines();
    }
  }
}

function where(r: Range): string {
  return `${r.filename}:${r.start.line},${r.start.column}-${r.end.column}`;
}

