// The syntax tree of HCL native syntax, after hashicorp/hcl `hclsyntax`.
// Every node carries the source range it was parsed from.
import type { Diagnostic } from '../diagnostics.js';

export interface Pos {
  line: number; // 1-based
  column: number; // 1-based, in Unicode code points (grapheme clusters are not split)
  byte: number; // 0-based offset in UTF-8 bytes
}

export interface Range {
  filename: string;
  start: Pos;
  end: Pos; // exclusive
}

export interface Body {
  kind: 'Body';
  items: (Attribute | Block)[]; // in source order
  range: Range;
  endRange: Range; // the closing brace, or the end of the file
}

export interface Attribute {
  kind: 'Attribute';
  name: string;
  expr: Expression;
  range: Range;
  nameRange: Range;
  equalsRange: Range;
}

export interface Block {
  kind: 'Block';
  type: string;
  labels: string[];
  body: Body;
  range: Range;
  typeRange: Range;
  labelRanges: Range[];
  openBraceRange: Range;
  closeBraceRange: Range;
}

// Traversal steps after a root name, or after any expression.
export type Traverser =
  | { kind: 'GetAttr'; name: string; range: Range }
  | { kind: 'Index'; key: LiteralValue; range: Range } // legacy `a.0` and literal `a[0]`/`a["k"]`
  | { kind: 'Splat'; range: Range }; // `.*` legacy attribute splat element, only inside a splat's each

export type Expression =
  | LiteralValue
  | TemplateExpr
  | TemplateWrapExpr
  | ScopeTraversalExpr
  | RelativeTraversalExpr
  | FunctionCallExpr
  | ConditionalExpr
  | BinaryOpExpr
  | UnaryOpExpr
  | TupleConsExpr
  | ObjectConsExpr
  | ObjectConsKeyExpr
  | ForExpr
  | IndexExpr
  | SplatExpr
  | AnonSymbolExpr
  | ParenthesesExpr
  | TemplateJoinExpr;

export type LiteralJs = string | number | boolean | null;

export interface LiteralValue {
  kind: 'LiteralValue';
  value: LiteralJs;
  range: Range;
}

// A quoted string or heredoc; parts are literals, interpolations and directives.
export interface TemplateExpr {
  kind: 'TemplateExpr';
  parts: TemplatePart[];
  heredoc?: { marker: string; indent: boolean };
  range: Range;
}

export type TemplatePart =
  | { kind: 'TemplateLiteral'; value: string; range: Range }
  | { kind: 'TemplateInterp'; expr: Expression; stripLeft: boolean; stripRight: boolean; range: Range }
  | TemplateIfPart
  | TemplateForPart;

export interface TemplateIfPart {
  kind: 'TemplateIf';
  cond: Expression;
  then: TemplatePart[];
  else?: TemplatePart[];
  range: Range;
}

export interface TemplateForPart {
  kind: 'TemplateFor';
  keyVar?: string;
  valueVar: string;
  collection: Expression;
  body: TemplatePart[];
  range: Range;
}

// A template that is exactly one interpolation, "${x}": evaluates to x unconverted.
export interface TemplateWrapExpr {
  kind: 'TemplateWrapExpr';
  wrapped: Expression;
  range: Range;
}

export interface ScopeTraversalExpr {
  kind: 'ScopeTraversalExpr';
  root: string;
  rootRange: Range;
  traversal: Traverser[];
  range: Range;
}

export interface RelativeTraversalExpr {
  kind: 'RelativeTraversalExpr';
  source: Expression;
  traversal: Traverser[];
  range: Range;
}

export interface FunctionCallExpr {
  kind: 'FunctionCallExpr';
  name: string;
  nameRange: Range;
  args: Expression[];
  expandFinal: boolean; // f(a, b...)
  range: Range;
  openParenRange: Range;
  closeParenRange: Range;
}

export interface ConditionalExpr {
  kind: 'ConditionalExpr';
  condition: Expression;
  trueResult: Expression;
  falseResult: Expression;
  range: Range;
}

export type BinaryOperator =
  | '||' | '&&'
  | '==' | '!='
  | '<' | '<=' | '>' | '>='
  | '+' | '-'
  | '*' | '/' | '%';

export interface BinaryOpExpr {
  kind: 'BinaryOpExpr';
  op: BinaryOperator;
  lhs: Expression;
  rhs: Expression;
  range: Range;
  opRange: Range;
}

export interface UnaryOpExpr {
  kind: 'UnaryOpExpr';
  op: '!' | '-';
  operand: Expression;
  range: Range;
  opRange: Range;
}

export interface TupleConsExpr {
  kind: 'TupleConsExpr';
  exprs: Expression[];
  range: Range;
}

export interface ObjectConsItem {
  key: Expression; // an ObjectConsKeyExpr for bare identifiers, else any expression
  value: Expression;
}

export interface ObjectConsExpr {
  kind: 'ObjectConsExpr';
  items: ObjectConsItem[];
  range: Range;
}

// A key of an object constructor: a bare identifier is a literal string key,
// `(expr)` or any other expression is evaluated.
export interface ObjectConsKeyExpr {
  kind: 'ObjectConsKeyExpr';
  wrapped: Expression;
  forceNonLiteral: boolean; // the key was parenthesised
  range: Range;
}

export interface ForExpr {
  kind: 'ForExpr';
  keyVar?: string;
  valueVar: string;
  collExpr: Expression;
  keyExpr?: Expression; // present for the object form `{for k, v in c : k => v}`
  valExpr: Expression;
  condExpr?: Expression;
  group: boolean; // `...` after the value of the object form
  range: Range;
  openRange: Range;
  closeRange: Range;
}

export interface IndexExpr {
  kind: 'IndexExpr';
  collection: Expression;
  key: Expression;
  range: Range;
  openRange: Range;
}

// `source.*.attr` or `source[*].attr`: `each` is evaluated per element with
// `item` (an AnonSymbolExpr) standing for the element.
export interface SplatExpr {
  kind: 'SplatExpr';
  source: Expression;
  each: Expression;
  item: AnonSymbolExpr;
  legacy: boolean; // `.*` form
  range: Range;
  markerRange: Range;
}

export interface AnonSymbolExpr {
  kind: 'AnonSymbolExpr';
  range: Range;
}

export interface ParenthesesExpr {
  kind: 'ParenthesesExpr';
  expr: Expression;
  range: Range;
}

export interface TemplateJoinExpr {
  kind: 'TemplateJoinExpr';
  tuple: Expression;
  range: Range;
}

export interface File {
  filename: string;
  bytes: string;
  body: Body;
}

export interface ParseResult {
  file: File;
  diagnostics: Diagnostic[];
}
