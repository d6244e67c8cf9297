import t from 'tap';
import { parse } from '../../lang/syntax/parser.js';
import type { Attribute, Block, Expression } from '../../lang/syntax/ast.js';

const config = `variable "web_count" {
  type    = number
  default = 2
}

host "lab" {
  address   = "192.0.2.10" # a comment
  simulator = true
}

vm "web" {
  count  = var.web_count
  host   = host.lab
  name   = "web-\${count.index}"
  memory = "2GiB"
  vcpus  = 2
  tags   = ["web", "prod"]
  other  = { role = "web", "tier" = 1 }
  boot {
    mode = "pv"
  }
  disk "root" { size = "20GiB" }
}
`;

function attr(body: { items: (Attribute | Block)[] }, name: string): Expression {
  const a = body.items.find((i): i is Attribute => i.kind === 'Attribute' && i.name === name);
  if (!a) throw new Error(`no attribute ${name}`);
  return a.expr;
}

function block(body: { items: (Attribute | Block)[] }, type: string, n = 0): Block {
  const b = body.items.filter((i): i is Block => i.kind === 'Block' && i.type === type)[n];
  if (!b) throw new Error(`no block ${type}`);
  return b;
}

t.test('a host and vm configuration parses into blocks, attributes and expressions', async (t) => {
  const { file, diagnostics } = parse(config, 'main.xf.hcl');
  t.same(diagnostics, []);
  t.same(file.body.items.map((i) => (i.kind === 'Block' ? `${i.type} ${i.labels.join(' ')}` : i.name)), ['variable web_count', 'host lab', 'vm web']);
  const vm = block(file.body, 'vm').body;
  t.match(attr(vm, 'count'), { kind: 'ScopeTraversalExpr', root: 'var', traversal: [{ kind: 'GetAttr', name: 'web_count' }] });
  t.match(attr(vm, 'name'), {
    kind: 'TemplateExpr',
    parts: [{ kind: 'TemplateLiteral', value: 'web-' }, { kind: 'TemplateInterp', expr: { kind: 'ScopeTraversalExpr', root: 'count' } }],
  });
  t.match(attr(vm, 'vcpus'), { kind: 'LiteralValue', value: 2 });
  t.match(attr(vm, 'tags'), { kind: 'TupleConsExpr', exprs: [{ kind: 'TemplateExpr' }, { kind: 'TemplateExpr' }] });
  t.match(attr(vm, 'other'), { kind: 'ObjectConsExpr', items: [{ key: { kind: 'ObjectConsKeyExpr', wrapped: { kind: 'ScopeTraversalExpr', root: 'role' } } }, {}] });
  t.match(block(vm, 'boot').body.items, [{ kind: 'Attribute', name: 'mode' }]);
  t.same(block(vm, 'disk').labels, ['root']);
  t.match(attr(block(file.body, 'host').body, 'simulator'), { kind: 'LiteralValue', value: true });
});

t.test('every node carries its range as line, column and UTF-8 byte', async (t) => {
  const src = 'a = 1\nnamé = "é${x}"\n';
  const { file, diagnostics } = parse(src, 'f.hcl');
  t.same(diagnostics, []);
  const second = file.body.items[1] as Attribute;
  t.same(second.nameRange, { filename: 'f.hcl', start: { line: 2, column: 1, byte: 6 }, end: { line: 2, column: 5, byte: 11 } });
  t.same(second.expr.range, { filename: 'f.hcl', start: { line: 2, column: 8, byte: 14 }, end: { line: 2, column: 15, byte: 22 } });
  const interp = (second.expr as { parts: { kind: string; expr?: Expression }[] }).parts[1];
  t.same(interp.expr!.range.start, { line: 2, column: 12, byte: 19 });
});

const exprCases: { name: string; src: string; want: unknown }[] = [
  { name: 'multiplication binds tighter than addition', src: '1 + 2 * 3', want: { kind: 'BinaryOpExpr', op: '+', rhs: { op: '*' } } },
  { name: 'operators of one level associate to the left', src: 'a - b - c', want: { op: '-', lhs: { op: '-' }, rhs: { root: 'c' } } },
  { name: 'or is looser than and, which is looser than comparison', src: 'a || b && c == d', want: { op: '||', rhs: { op: '&&', rhs: { op: '==' } } } },
  { name: 'unary minus takes only the term after it', src: '-a.b + 1', want: { op: '+', lhs: { kind: 'UnaryOpExpr', op: '-', operand: { root: 'a' } } } },
  { name: 'conditionals nest to the right', src: 'a ? b : c ? d : e', want: { kind: 'ConditionalExpr', falseResult: { kind: 'ConditionalExpr' } } },
  { name: 'a legacy numeric attribute is an index', src: 'a.0.b', want: { traversal: [{ kind: 'Index', key: { value: 0 } }, { kind: 'GetAttr', name: 'b' }] } },
  { name: 'a literal string index is a traversal step', src: 'a["k"]', want: { traversal: [{ kind: 'Index', key: { value: 'k' } }] } },
  { name: 'a computed index is an index expression', src: 'a[i + 1]', want: { kind: 'IndexExpr', key: { kind: 'BinaryOpExpr' } } },
  { name: 'a full splat takes the traversal after it', src: 'vm.web[*].uuid', want: { kind: 'SplatExpr', legacy: false, each: { kind: 'RelativeTraversalExpr', traversal: [{ name: 'uuid' }] } } },
  { name: 'an attribute-only splat is marked legacy', src: 'a.*.b', want: { kind: 'SplatExpr', legacy: true } },
  { name: 'a function call may expand its last argument', src: 'concat(a, b...)', want: { kind: 'FunctionCallExpr', name: 'concat', expandFinal: true } },
  { name: 'a tuple for expression has a condition', src: '[for x in xs : x if x > 1]', want: { kind: 'ForExpr', valueVar: 'x', condExpr: { op: '>' } } },
  { name: 'an object for expression may group', src: '{for k, v in m : v => k...}', want: { kind: 'ForExpr', keyVar: 'k', group: true } },
  { name: 'a parenthesised object key is not a literal name', src: '{(k) = 1}', want: { items: [{ key: { forceNonLiteral: true } }] } },
  { name: 'a lone interpolation wraps its expression', src: '"${x}"', want: { kind: 'TemplateWrapExpr', wrapped: { root: 'x' } } },
  { name: 'strip markers remove the whitespace beside them', src: '"a  ${~ x ~}  b"', want: { parts: [{ value: 'a' }, { kind: 'TemplateInterp' }, { value: 'b' }] } },
  {
    name: 'template directives nest',
    src: '"%{for s in xs}%{if s != ""}${s}%{else}-%{endif}%{endfor}"',
    want: { parts: [{ kind: 'TemplateFor', valueVar: 's', body: [{ kind: 'TemplateIf', then: [{ kind: 'TemplateInterp' }], else: [{ value: '-' }] }] }] },
  },
  { name: 'every escape is decoded', src: '"\\n\\r\\t\\"\\\\\\u00e9\\U0001F600$${x}%%{y}"', want: { parts: [{ value: '\n\r\t"\\é😀${x}%{y}' }] } },
  { name: 'an indented heredoc loses its common indentation', src: '<<-EOT\n    a\n      b\n    EOT\n', want: { heredoc: { marker: 'EOT', indent: true }, parts: [{ value: 'a\n' }, { value: '  b\n' }] } },
  { name: 'a plain heredoc keeps its text', src: '<<EOT\n  a ${x}\nEOT\n', want: { heredoc: { indent: false }, parts: [{ value: '  a ' }, { kind: 'TemplateInterp' }, { value: '\n' }] } },
  { name: 'newlines are free inside brackets', src: '[\n1,\n2\n]', want: { kind: 'TupleConsExpr', exprs: [{ value: 1 }, { value: 2 }] } },
  { name: 'objects take newlines as separators', src: '{\na = 1\nb = 2\n}', want: { kind: 'ObjectConsExpr', items: [{}, {}] } },
  { name: 'Unicode identifiers are names', src: 'héllo.wörld', want: { root: 'héllo', traversal: [{ name: 'wörld' }] } },
  { name: 'numbers may have a fraction and an exponent', src: '1.5e3', want: { value: 1500 } },
];

for (const c of exprCases) {
  t.test(c.name, async (t) => {
    const { file, diagnostics } = parse(`x = ${c.src}\n`, 'e.hcl');
    t.same(diagnostics, []);
    t.match((file.body.items[0] as Attribute).expr, c.want);
  });
}

const errorCases: { name: string; src: string; summaries: string[]; at: [number, number][] }[] = [
  { name: 'a missing value is reported where the value should be', src: 'a = \n', summaries: ['Missing expression'], at: [[1, 5]] },
  { name: 'an unknown escape is reported at the backslash', src: 'a = "x\\qy"\n', summaries: ['Invalid escape sequence'], at: [[1, 7]] },
  { name: 'an unclosed block is reported at its brace', src: 'vm "a" {\n  x = 1\n', summaries: ['Unclosed configuration block'], at: [[1, 8]] },
  { name: 'a second definition of an argument is refused', src: 'a = 1\na = 2\n', summaries: ['Attribute redefined'], at: [[2, 1]] },
  { name: 'a newline inside a quoted string is refused', src: 'a = "abc\nb = 1\n', summaries: ['Unterminated template string'], at: [[1, 5]] },
  { name: 'single quotes are refused with a hint', src: "a = 'x'\n", summaries: ['Invalid character', 'Invalid character'], at: [[1, 5], [1, 7]] },
  { name: 'an error in each of three attributes gives three diagnostics', src: 'a = [1 2]\nb = 1 +\nc = f(,)\nd = 1\n', summaries: ['Missing item separator', 'Missing expression', 'Invalid expression'], at: [[1, 8], [2, 8], [3, 7]] },
  { name: 'an unterminated heredoc names its marker', src: 'a = <<EOT\nhello\n', summaries: ['Unterminated heredoc'], at: [[1, 5]] },
  { name: 'a nested block on the line of its parent is refused', src: 'a { b {} }\n', summaries: ['Argument definition required'], at: [[1, 5]] },
  { name: 'a misspelt template keyword gets a suggestion', src: 'a = "%{iff x}y%{endif}"\n', summaries: ['Invalid template control keyword', 'Unexpected %{endif}'], at: [[1, 8], [1, 15]] },
  { name: 'an else without an if is refused', src: 'a = "%{else}"\n', summaries: ['Unexpected %{else}'], at: [[1, 6]] },
  { name: 'chained legacy indexes are refused', src: 'a = b.0.1\n', summaries: ['Invalid legacy index syntax'], at: [[1, 7]] },
  { name: 'a key expression in a tuple for is refused', src: 'a = [for k, v in m : k => v]\n', summaries: ["Invalid 'for' expression"], at: [[1, 22]] },
];

for (const c of errorCases) {
  t.test(c.name, async (t) => {
    const { diagnostics } = parse(c.src, 'bad.hcl');
    t.same(diagnostics.map((d) => d.summary), c.summaries);
    t.same(diagnostics.map((d) => [d.subject!.start.line, d.subject!.start.column]), c.at);
    for (const d of diagnostics) t.ok(d.detail && d.detail.length > 10, `"${d.summary}" says what to do`);
  });
}

t.test('a did-you-mean suggestion names the keyword', async (t) => {
  const { diagnostics } = parse('a = "%{iff x}y%{endif}"\n', 'bad.hcl');
  t.match(diagnostics[0].detail, 'Did you mean "if"?');
});
