// The scanner: source text to tokens, after hclsyntax's scan_tokens. It is modal like
// HCL's: ordinary expression syntax, the inside of a quoted template and the inside of a
// heredoc, with a stack so that `${ … }` and `%{ … }` nest. Tokens hold UTF-16 offsets;
// positions (line, column, byte) are computed from them only when a range is needed.
// The scanner never fails: characters the language does not use become tokens of their
// own kinds and are reported by the parser.

export enum T {
  EOF,
  Newline,
  Comment,
  Ident,
  NumberLit,
  OBrace, CBrace, OBrack, CBrack, OParen, CParen,
  OQuote, CQuote, OHeredoc, CHeredoc,
  TemplateInterp, TemplateControl, TemplateSeqEnd,
  QuotedLit, // a run of quoted template text, escapes not yet decoded
  StringLit, // a run of heredoc text, one line at most
  QuotedNewline, // a newline inside a quoted string (an error); zero width, ends the string
  Equal, Colon, Comma, Dot, Ellipsis, FatArrow, Question,
  Plus, Minus, Star, Slash, Percent,
  EqualOp, NotEqual, LessThan, LessThanEq, GreaterThan, GreaterThanEq,
  And, Or, Bang,
  DoubleColon,
  // Characters and sequences the language reserves or does not use.
  BitwiseAnd, BitwiseOr, BitwiseNot, BitwiseXor, Apostrophe, Backtick, Semicolon,
  Invalid,
  BadUTF8,
  UnterminatedComment,
}

export interface Token {
  type: T;
  start: number; // UTF-16 offset
  end: number; // exclusive
}

const enum Mode {
  Main,
  Quoted,
  Heredoc,
}

interface Frame {
  mode: Mode;
  braces: number; // Main: open braces since the frame began
  inTemplate: boolean; // Main: the frame began at `${` or `%{` and ends at its `}`
  marker: string; // Heredoc: the closing marker
  startOfLine: boolean; // Heredoc: the next text begins a line
}

const C_TAB = 9, C_LF = 10, C_CR = 13, C_SPACE = 32, C_BANG = 33, C_QUOTE = 34, C_HASH = 35,
  C_DOLLAR = 36, C_PERCENT = 37, C_AMP = 38, C_APOS = 39, C_LPAREN = 40, C_RPAREN = 41,
  C_STAR = 42, C_PLUS = 43, C_COMMA = 44, C_MINUS = 45, C_DOT = 46, C_SLASH = 47,
  C_0 = 48, C_9 = 57, C_COLON = 58, C_SEMI = 59, C_LT = 60, C_EQ = 61, C_GT = 62,
  C_QUESTION = 63, C_LBRACK = 91, C_BACKSLASH = 92, C_RBRACK = 93, C_CARET = 94,
  C_UNDERSCORE = 95, C_BACKTICK = 96, C_LBRACE = 123, C_PIPE = 124, C_RBRACE = 125,
  C_TILDE = 126, C_E = 69, C_e = 101;

const ID_START = /\p{ID_Start}/u;
const ID_CONTINUE = /\p{ID_Continue}/u;

function isDigit(c: number): boolean {
  return c >= C_0 && c <= C_9;
}

// The length in UTF-16 units of an identifier-start character at i, or 0.
export function identStartLength(src: string, i: number): number {
  const c = src.charCodeAt(i);
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === C_UNDERSCORE) return 1;
  if (c < 128 || Number.isNaN(c)) return 0;
  const cp = src.codePointAt(i)!;
  if (cp >= 0xd800 && cp <= 0xdfff) return 0; // a lone surrogate
  const ch = String.fromCodePoint(cp);
  return ID_START.test(ch) ? ch.length : 0;
}

function identContinueLength(src: string, i: number): number {
  const c = src.charCodeAt(i);
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= C_0 && c <= C_9) || c === C_UNDERSCORE || c === C_MINUS) return 1;
  if (c < 128 || Number.isNaN(c)) return 0;
  const cp = src.codePointAt(i)!;
  if (cp >= 0xd800 && cp <= 0xdfff) return 0;
  const ch = String.fromCodePoint(cp);
  return ID_CONTINUE.test(ch) ? ch.length : 0;
}

// The end of an identifier starting at i (which must be an identifier start).
export function scanIdent(src: string, i: number): number {
  i += identStartLength(src, i);
  for (;;) {
    const n = identContinueLength(src, i);
    if (n === 0) return i;
    i += n;
  }
}

function isLoneSurrogate(src: string, i: number): boolean {
  const c = src.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = src.charCodeAt(i + 1);
    return !(d >= 0xdc00 && d <= 0xdfff);
  }
  if (c >= 0xdc00 && c <= 0xdfff) {
    const b = src.charCodeAt(i - 1);
    return !(b >= 0xd800 && b <= 0xdbff);
  }
  return false;
}

// The length of one code point at i (1 or 2 UTF-16 units).
function cpLength(src: string, i: number): number {
  const c = src.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = src.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 2;
  }
  return 1;
}

// A number literal as HCL's scanner sees it: a digit, then digits, dots and exponents
// (`e`, an optional sign and a digit) in any order, never ending in a dot. Whether the
// text is a valid number is the parser's business.
function scanNumber(src: string, i: number): number {
  let end = i + 1;
  let j = i + 1;
  for (;;) {
    const c = src.charCodeAt(j);
    if (isDigit(c)) {
      j++;
      end = j;
    } else if (c === C_DOT) {
      j++;
    } else if (c === C_e || c === C_E) {
      let k = j + 1;
      const s = src.charCodeAt(k);
      if (s === C_PLUS || s === C_MINUS) k++;
      if (!isDigit(src.charCodeAt(k))) break;
      j = k + 1;
      end = j;
    } else {
      break;
    }
  }
  return end;
}

// `<<` or `<<-`, an identifier and a newline, starting at i: the end of the introducer
// (after the newline) and the marker, or undefined.
function scanHeredocIntro(src: string, i: number): { end: number; marker: string } | undefined {
  let j = i + 2;
  if (src.charCodeAt(j) === C_MINUS) j++;
  if (identStartLength(src, j) === 0) return undefined;
  const identEnd = scanIdent(src, j);
  let k = identEnd;
  if (src.charCodeAt(k) === C_CR) k++;
  if (src.charCodeAt(k) !== C_LF) return undefined;
  return { end: k + 1, marker: src.slice(j, identEnd) };
}

export function scanTokens(src: string): Token[] {
  const tokens: Token[] = [];
  const n = src.length;
  const stack: Frame[] = [{ mode: Mode.Main, braces: 0, inTemplate: false, marker: '', startOfLine: false }];
  let i = src.charCodeAt(0) === 0xfeff ? 1 : 0; // a byte order mark is skipped
  const emit = (type: T, start: number, end: number) => {
    tokens.push({ type, start, end });
  };
  const pushMain = () => stack.push({ mode: Mode.Main, braces: 0, inTemplate: true, marker: '', startOfLine: false });

  while (i < n) {
    const frame = stack[stack.length - 1];
    const c = src.charCodeAt(i);

    if (frame.mode === Mode.Quoted) {
      if (c === C_QUOTE) {
        emit(T.CQuote, i, i + 1);
        i++;
        stack.pop();
        continue;
      }
      if ((c === C_DOLLAR || c === C_PERCENT) && src.charCodeAt(i + 1) === C_LBRACE) {
        const len = src.charCodeAt(i + 2) === C_TILDE ? 3 : 2;
        emit(c === C_DOLLAR ? T.TemplateInterp : T.TemplateControl, i, i + len);
        i += len;
        pushMain();
        continue;
      }
      if (c === C_LF || c === C_CR) {
        emit(T.QuotedNewline, i, i);
        stack.pop();
        continue;
      }
      if (isLoneSurrogate(src, i)) {
        emit(T.BadUTF8, i, i + 1);
        i++;
        continue;
      }
      const start = i;
      while (i < n) {
        const d = src.charCodeAt(i);
        if (d === C_QUOTE || d === C_LF || d === C_CR) break;
        if (d === C_DOLLAR || d === C_PERCENT) {
          const e = src.charCodeAt(i + 1);
          if (e === C_LBRACE) break;
          if (e === d && src.charCodeAt(i + 2) === C_LBRACE) {
            i += 3; // `$${` and `%%{` are escapes, decoded later
            continue;
          }
          i++;
          continue;
        }
        if (d === C_BACKSLASH) {
          const e = src.charCodeAt(i + 1);
          if (e === C_LF || e === C_CR || i + 1 >= n) {
            i++;
            continue;
          }
          i += 1 + cpLength(src, i + 1);
          continue;
        }
        if (d >= 0xd800 && d <= 0xdfff && isLoneSurrogate(src, i)) break;
        i++;
      }
      emit(T.QuotedLit, start, i);
      continue;
    }

    if (frame.mode === Mode.Heredoc) {
      if ((c === C_DOLLAR || c === C_PERCENT) && src.charCodeAt(i + 1) === C_LBRACE) {
        const len = src.charCodeAt(i + 2) === C_TILDE ? 3 : 2;
        emit(c === C_DOLLAR ? T.TemplateInterp : T.TemplateControl, i, i + len);
        i += len;
        frame.startOfLine = false;
        pushMain();
        continue;
      }
      if (isLoneSurrogate(src, i)) {
        emit(T.BadUTF8, i, i + 1);
        i++;
        frame.startOfLine = false;
        continue;
      }
      const start = i;
      let sawTemplate = false;
      while (i < n) {
        const d = src.charCodeAt(i);
        if (d === C_LF) break;
        if (d === C_CR && src.charCodeAt(i + 1) === C_LF) break;
        if (d === C_DOLLAR || d === C_PERCENT) {
          const e = src.charCodeAt(i + 1);
          if (e === C_LBRACE) {
            sawTemplate = true;
            break;
          }
          if (e === d && src.charCodeAt(i + 2) === C_LBRACE) {
            i += 3;
            continue;
          }
        }
        if (d >= 0xd800 && d <= 0xdfff && isLoneSurrogate(src, i)) break;
        if (d === C_CR) break; // a carriage return on its own is not text
        i++;
      }
      const d = src.charCodeAt(i);
      if (!sawTemplate && i < n && (d === C_LF || (d === C_CR && src.charCodeAt(i + 1) === C_LF))) {
        const nl = d === C_CR ? 2 : 1;
        if (frame.startOfLine && src.slice(start, i).trim() === frame.marker) {
          emit(T.CHeredoc, start, i);
          emit(T.Newline, i, i + nl);
          i += nl;
          stack.pop();
          continue;
        }
        i += nl;
        emit(T.StringLit, start, i);
        frame.startOfLine = true;
        continue;
      }
      if (i > start) {
        emit(T.StringLit, start, i);
        frame.startOfLine = false;
        continue;
      }
      if (d === C_CR) {
        emit(T.Invalid, i, i + 1);
        i++;
        frame.startOfLine = false;
        continue;
      }
      continue; // a template sequence or a bad character follows; the loop handles it
    }

    // Main mode.
    if (c === C_SPACE || c === C_TAB) {
      i++;
      continue;
    }
    if (c === C_LF) {
      emit(T.Newline, i, i + 1);
      i++;
      continue;
    }
    if (c === C_CR) {
      if (src.charCodeAt(i + 1) === C_LF) {
        emit(T.Newline, i, i + 2);
        i += 2;
      } else {
        emit(T.Invalid, i, i + 1);
        i++;
      }
      continue;
    }
    if (isDigit(c)) {
      const end = scanNumber(src, i);
      emit(T.NumberLit, i, end);
      i = end;
      continue;
    }
    const identLen = identStartLength(src, i);
    if (identLen > 0) {
      const end = scanIdent(src, i);
      emit(T.Ident, i, end);
      i = end;
      continue;
    }
    const c1 = src.charCodeAt(i + 1);
    switch (c) {
      case C_HASH:
        i = lineCommentEnd(src, i, tokens);
        continue;
      case C_SLASH:
        if (c1 === C_SLASH) {
          i = lineCommentEnd(src, i, tokens);
          continue;
        }
        if (c1 === C_STAR) {
          const close = src.indexOf('*/', i + 2);
          if (close < 0) {
            emit(T.UnterminatedComment, i, n);
            i = n;
          } else {
            emit(T.Comment, i, close + 2);
            i = close + 2;
          }
          continue;
        }
        emit(T.Slash, i, i + 1);
        i++;
        continue;
      case C_QUOTE:
        emit(T.OQuote, i, i + 1);
        i++;
        stack.push({ mode: Mode.Quoted, braces: 0, inTemplate: false, marker: '', startOfLine: false });
        continue;
      case C_LT:
        if (c1 === C_LT) {
          const intro = scanHeredocIntro(src, i);
          if (intro) {
            emit(T.OHeredoc, i, intro.end);
            i = intro.end;
            stack.push({ mode: Mode.Heredoc, braces: 0, inTemplate: false, marker: intro.marker, startOfLine: true });
            continue;
          }
        }
        if (c1 === C_EQ) {
          emit(T.LessThanEq, i, i + 2);
          i += 2;
        } else {
          emit(T.LessThan, i, i + 1);
          i++;
        }
        continue;
      case C_LBRACE:
        frame.braces++;
        emit(T.OBrace, i, i + 1);
        i++;
        continue;
      case C_RBRACE:
        if (frame.inTemplate && frame.braces === 0) {
          emit(T.TemplateSeqEnd, i, i + 1);
          stack.pop();
        } else {
          emit(T.CBrace, i, i + 1);
          if (frame.braces > 0) frame.braces--;
        }
        i++;
        continue;
      case C_TILDE:
        if (c1 === C_RBRACE) {
          // `~}` always closes a template sequence; used to close an ordinary brace it
          // is a syntax error that the parser reports.
          emit(T.TemplateSeqEnd, i, i + 2);
          if (frame.inTemplate && frame.braces === 0) stack.pop();
          else if (frame.braces > 0) frame.braces--;
          i += 2;
          continue;
        }
        emit(T.BitwiseNot, i, i + 1);
        i++;
        continue;
      case C_EQ:
        if (c1 === C_EQ) {
          emit(T.EqualOp, i, i + 2);
          i += 2;
        } else if (c1 === C_GT) {
          emit(T.FatArrow, i, i + 2);
          i += 2;
        } else {
          emit(T.Equal, i, i + 1);
          i++;
        }
        continue;
      case C_BANG:
        if (c1 === C_EQ) {
          emit(T.NotEqual, i, i + 2);
          i += 2;
        } else {
          emit(T.Bang, i, i + 1);
          i++;
        }
        continue;
      case C_GT:
        if (c1 === C_EQ) {
          emit(T.GreaterThanEq, i, i + 2);
          i += 2;
        } else {
          emit(T.GreaterThan, i, i + 1);
          i++;
        }
        continue;
      case C_AMP:
        if (c1 === C_AMP) {
          emit(T.And, i, i + 2);
          i += 2;
        } else {
          emit(T.BitwiseAnd, i, i + 1);
          i++;
        }
        continue;
      case C_PIPE:
        if (c1 === C_PIPE) {
          emit(T.Or, i, i + 2);
          i += 2;
        } else {
          emit(T.BitwiseOr, i, i + 1);
          i++;
        }
        continue;
      case C_COLON:
        if (c1 === C_COLON) {
          emit(T.DoubleColon, i, i + 2);
          i += 2;
        } else {
          emit(T.Colon, i, i + 1);
          i++;
        }
        continue;
      case C_DOT:
        if (c1 === C_DOT && src.charCodeAt(i + 2) === C_DOT) {
          emit(T.Ellipsis, i, i + 3);
          i += 3;
        } else {
          emit(T.Dot, i, i + 1);
          i++;
        }
        continue;
    }
    const single = SINGLE[c];
    if (c < 128 && single !== undefined) {
      emit(single, i, i + 1);
      i++;
      continue;
    }
    if (isLoneSurrogate(src, i)) {
      emit(T.BadUTF8, i, i + 1);
      i++;
      continue;
    }
    const len = cpLength(src, i);
    emit(T.Invalid, i, i + len);
    i += len;
  }
  emit(T.EOF, n, n);
  return tokens;
}

const SINGLE: T[] = [];
SINGLE[C_LBRACK] = T.OBrack;
SINGLE[C_RBRACK] = T.CBrack;
SINGLE[C_LPAREN] = T.OParen;
SINGLE[C_RPAREN] = T.CParen;
SINGLE[C_COMMA] = T.Comma;
SINGLE[C_STAR] = T.Star;
SINGLE[C_PERCENT] = T.Percent;
SINGLE[C_PLUS] = T.Plus;
SINGLE[C_MINUS] = T.Minus;
SINGLE[C_QUESTION] = T.Question;
SINGLE[C_CARET] = T.BitwiseXor;
SINGLE[C_SEMI] = T.Semicolon;
SINGLE[C_BACKTICK] = T.Backtick;
SINGLE[C_APOS] = T.Apostrophe;

// A `#` or `//` comment runs to the end of the line and includes the newline.
function lineCommentEnd(src: string, i: number, tokens: Token[]): number {
  const nl = src.indexOf('\n', i);
  const end = nl < 0 ? src.length : nl + 1;
  tokens.push({ type: T.Comment, start: i, end });
  return end;
}
