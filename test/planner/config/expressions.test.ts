// Expressions evaluate as in Terraform: templates, for-expressions, splats, operators.
import t from 'tap';
import { UNKNOWN } from '../../../planner/config/types.js';
import { evalExpr, HOST } from './support.js';

const extra = `
locals {
  m    = { a = 1, b = "two" }
  objs = [{ name = "x", n = 1 }, { name = "y", n = 2 }]
  list = ["a", "b", "c"]
}
`;

const cases: [string, string, unknown][] = [
  ['a template interpolates values', '"n=${local.m.a}, b=${local.m.b}"', 'n=1, b=two'],
  ['a lone interpolation keeps the value\'s type', '"${local.m.a}"', 1],
  ['an if directive picks a branch', '"%{ if local.m.a == 1 }one%{ else }other%{ endif }"', 'one'],
  ['a for directive repeats its body', '"%{ for x in local.list }${x};%{ endfor }"', 'a;b;c;'],
  ['a for directive binds keys', '"%{ for k, v in local.m }${k}=${v} %{ endfor }"', 'a=1 b=two '],
  ['strip markers remove surrounding whitespace', '"a  ${~ "b" ~}  c"', 'abc'],
  ['a heredoc keeps its lines', '<<EOT\nhello\n  ${local.m.b}\nEOT', 'hello\n  two\n'],
  ['an indented heredoc loses the common indentation', '<<-EOT\n    hello\n      world\n    EOT', 'hello\n  world\n'],
  ['a heredoc with a for directive and strip markers', '<<EOT\n%{ for x in local.list ~}\n- ${x}\n%{ endfor ~}\nEOT', '- a\n- b\n- c\n'],
  ['a list for-expression maps values', '[for s in local.list : upper(s)]', ['A', 'B', 'C']],
  ['a for-expression filters with if', '[for i, s in local.list : "${i}${s}" if s != "b"]', ['0a', '2c']],
  ['an object for-expression builds a map', '{for o in local.objs : o.name => o.n}', { x: 1, y: 2 }],
  ['an object for-expression groups with ...', '{for s in ["ab", "ac", "b"] : substr(s, 0, 1) => s...}', { a: ['ab', 'ac'], b: ['b'] }],
  ['a full splat takes an attribute of each element', 'local.objs[*].name', ['x', 'y']],
  ['a legacy splat works too', 'local.objs.*.n', [1, 2]],
  ['a splat of null is an empty list', 'null[*]', []],
  ['a conditional picks the true result', 'local.m.a > 0 ? "pos" : "neg"', 'pos'],
  ['arithmetic follows precedence', '1 + 2 * 3 - 4 / 2', 5],
  ['modulo keeps the sign of the dividend', '-7 % 3', -1],
  ['a numeric string converts for arithmetic', '"5" + 1', 6],
  ['equality of different types is false', '1 == "1"', false],
  ['equality compares collections deeply', '[1, {a = "x"}] == [1, {a = "x"}]', true],
  ['logical operators combine bools', 'true && !false || false', true],
  ['comparison of numbers', '3 >= 3', true],
  ['unary minus negates', '-local.m.a', -1],
  ['an index takes an element', 'local.list[1]', 'b'],
  ['a string key indexes a map', 'local.m["b"]', 'two'],
  ['a legacy numeric attribute indexes a list', 'local.list.2', 'c'],
  ['an object literal with an expression key', '{ (local.m.b) = 2, "k" = 3 }', { two: 2, k: 3 }],
  ['path.module is the configuration directory', 'path.module', '.'],
  ['fractions add without binary noise', '0.1 + 0.2', 0.3],
  ['numbers print in full in templates', '"n=${1 / 4}"', 'n=0.25'],
  ['a large integer prints in full', '"${pow(2, 60)}"', '1152921504606846976'],
  ['a value known only after apply stays unknown', 'vm.db.uuid', UNKNOWN],
  ['unknown propagates through templates', '"id-${vm.db.uuid}"', UNKNOWN],
  ['unknown propagates through functions', 'upper(vm.db.uuid)', UNKNOWN],
  ['unknown propagates through operators', 'vm.db.uuid == "x"', UNKNOWN],
  ['a known VM attribute resolves', 'vm.db.name', 'db'],
  ['a host reference exposes its name', 'host.lab.name', 'lab'],
];

const vmDb = `${HOST}vm "db" {\n  host = host.lab\n  template = "t"\n  memory = "1GiB"\n}\n`;

for (const [name, expr, expected] of cases) {
  t.test(name, async (t) => {
    const r = evalExpr(expr, extra + vmDb);
    t.same(r.errors, []);
    t.same(r.value, expected);
  });
}

t.test('a uuid known from the state resolves', async (t) => {
  const r = evalExpr('vm.db.uuid', vmDb, { known: { 'vm.db': { uuid: 'c0ffee' } } });
  t.same(r.errors, []);
  t.equal(r.value, 'c0ffee');
});

// Line 7 column 11 is where the expression starts (after `output "x" {` and `  value = `).
const failures: [string, string, string[]][] = [
  ['an undeclared variable is named', 'var.nope', ['main.xf.hcl:7:11: Reference to undeclared input variable: An input variable with the name "nope" has not been declared. This variable can be declared with a variable "nope" {} block.']],
  ['an undeclared local suggests the closest', 'local.mm', ['main.xf.hcl:7:11: Reference to undeclared local value: A local value with the name "mm" has not been declared. Did you mean "m"?']],
  ['a missing attribute suggests the closest', 'local.m.aa', ['main.xf.hcl:7:18: Unsupported attribute: This object does not have an attribute named "aa". Did you mean "a"?']],
  ['an index past the end says so', 'local.list[5]', ['main.xf.hcl:7:22: Invalid index: The given key does not identify an element in this collection value: the given index is greater than or equal to the length of the collection.']],
  ['division by zero is an error', '1 / 0', ["main.xf.hcl:7:11: Operation failed: Error during operation: can't divide by zero."]],
  ['a non-number operand is named', '"a" * 2', ['main.xf.hcl:7:11: Invalid operand: Unsuitable value for left operand: cannot convert "a" to number; given string must be a decimal representation of a number.']],
  ['a condition must be a bool', '"x" ? 1 : 2', ['main.xf.hcl:7:11: Incorrect condition type: The condition expression must be of type bool.']],
  ['null cannot be interpolated', '"a${null}"', ['main.xf.hcl:7:15: Invalid template interpolation value: The expression result is null. Cannot include a null value in a string template.']],
  ['count outside a counted block is refused', 'count.index', ['main.xf.hcl:7:11: Reference to "count" in non-counted context: The "count" object can only be used in a vm block, and only when the "count" argument is set.']],
  ['a duplicate key in a for-expression needs grouping', '{for s in ["a", "a"] : s => 1}', ["main.xf.hcl:7:34: Duplicate object key: Two different items produced the key \"a\" in this 'for' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key."]],
  ['every error is reported, not only the first', '[var.a, local.zz, nope(1)]', [
    'main.xf.hcl:7:12: Reference to undeclared input variable: An input variable with the name "a" has not been declared. This variable can be declared with a variable "a" {} block.',
    'main.xf.hcl:7:19: Reference to undeclared local value: A local value with the name "zz" has not been declared.',
    'main.xf.hcl:7:29: Call to unknown function: There is no function named "nope".',
  ]],
];

for (const [name, expr, expected] of failures) {
  t.test(name, async (t) => {
    const r = evalExpr(expr, 'locals {\n  m    = { a = 1 }\n  list = ["a"]\n}\n');
    t.same(r.errors, expected);
  });
}

t.test('locals that refer to each other in a cycle are named in order', async (t) => {
  const r = evalExpr('local.a', 'locals {\n  a = local.b\n  b = local.c\n  c = local.a\n}\n');
  t.same(r.errors, [
    'main.xf.hcl:2:7: Cycle in references: These values refer to each other in a cycle: local.a -> local.b -> local.c -> local.a. Remove one of these references to break the cycle.',
  ]);
});

t.test('locals are evaluated in dependency order, whatever their order in the file', async (t) => {
  const r = evalExpr('local.c', 'locals {\n  c = "${local.b}!"\n  b = upper(local.a)\n}\nlocals {\n  a = "x"\n}\n');
  t.same(r.errors, []);
  t.equal(r.value, 'X!');
});

t.test('names that JavaScript objects carry are ordinary names', async (t) => {
  t.same(evalExpr('{ "__proto__" = 1, constructor = 2 }').value, { ['__proto__']: 1, constructor: 2 });
  t.same(evalExpr('jsondecode("{\\"__proto__\\": {\\"a\\": 1}}")["__proto__"].a').value, 1);
  t.same(evalExpr('toString("x")').errors, ['main.xf.hcl:3:11: Call to unknown function: There is no function named "toString". Did you mean "tostring"?']);
  t.same(evalExpr('"${1}"', 'variable "constructor" {\n  default = 1\n}\n').errors, []);
});

t.test('collection functions keep known structure around values known only after apply', async (t) => {
  const cases: [string, unknown][] = [
    ['merge({ a = "x" }, { db = vm.db.uuid })', { a: 'x', db: UNKNOWN }],
    ['concat(["a"], [vm.db.uuid])', ['a', UNKNOWN]],
    ['length([vm.db.uuid, 1])', 2],
    ['keys({ db = vm.db.uuid })', ['db']],
    ['lookup({ db = vm.db.uuid }, "db")', UNKNOWN],
    ['tolist([vm.db.uuid, "b"])', [UNKNOWN, 'b']],
    ['contains([vm.db.uuid], "x")', UNKNOWN],
    ['sort([vm.db.uuid, "b"])', UNKNOWN],
  ];
  for (const [expr, expected] of cases) {
    const r = evalExpr(expr, vmDb);
    t.same(r.errors, [], expr);
    t.same(r.value, expected, expr);
  }
});

t.test('a vm can use a map that holds a value known only after apply', async (t) => {
  const r = evalExpr('vm.web.other_config', `${vmDb}vm "web" {\n  host = host.lab\n  template = "t"\n  memory = "1GiB"\n  other_config = merge({ role = "web" }, { db = vm.db.uuid })\n}\n`);
  t.same(r.errors, []);
  t.same(r.value, { db: UNKNOWN, role: 'web' });
});
