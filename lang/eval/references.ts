// The references an expression makes (`local.a`, `vm.db.uuid`, `host.lab`), found without
// evaluating it: they order evaluation and give VMs their dependencies.
import type { Expression, LiteralJs, Range, TemplatePart } from '../syntax/ast.js';
import { assertNever } from './value.js';

export interface Reference {
  root: string; // "local", "vm", "host", "var", ...
  name: string; // the attribute after the root; "" when there is none
  key?: LiteralJs; // a literal index right after the name: vm.web[0]
  range: Range;
}

export function findReferences(e: Expression, out: Reference[] = [], bound: ReadonlySet<string> = new Set()): Reference[] {
  const walk = (x: Expression, b: ReadonlySet<string>): void => {
    switch (x.kind) {
      case 'LiteralValue':
      case 'AnonSymbolExpr':
        return;
      case 'ScopeTraversalExpr': {
        if (b.has(x.root)) {
          for (const t of x.traversal) if (t.kind === 'Index') walk(t.key, b);
          return;
        }
        const first = x.traversal[0];
        const second = x.traversal[1];
        out.push({
          root: x.root,
          name: first && first.kind === 'GetAttr' ? first.name : '',
          ...(second && second.kind === 'Index' && second.key.kind === 'LiteralValue' ? { key: second.key.value } : {}),
          range: x.range,
        });
        for (const t of x.traversal) if (t.kind === 'Index') walk(t.key, b);
        return;
      }
      case 'TemplateExpr':
        parts(x.parts, b);
        return;
      case 'TemplateWrapExpr':
        return walk(x.wrapped, b);
      case 'ParenthesesExpr':
        return walk(x.expr, b);
      case 'RelativeTraversalExpr':
        walk(x.source, b);
        for (const t of x.traversal) if (t.kind === 'Index') walk(t.key, b);
        return;
      case 'FunctionCallExpr':
        for (const a of x.args) walk(a, b);
        return;
      case 'ConditionalExpr':
        walk(x.condition, b);
        walk(x.trueResult, b);
        walk(x.falseResult, b);
        return;
      case 'BinaryOpExpr':
        walk(x.lhs, b);
        walk(x.rhs, b);
        return;
      case 'UnaryOpExpr':
        return walk(x.operand, b);
      case 'TupleConsExpr':
        for (const el of x.exprs) walk(el, b);
        return;
      case 'ObjectConsExpr':
        for (const item of x.items) {
          const k = item.key;
          const literalKey =
            k.kind === 'ObjectConsKeyExpr' && !k.forceNonLiteral && k.wrapped.kind === 'ScopeTraversalExpr' && k.wrapped.traversal.length === 0;
          if (!literalKey) walk(k, b);
          walk(item.value, b);
        }
        return;
      case 'ObjectConsKeyExpr':
        return walk(x.wrapped, b);
      case 'ForExpr': {
        walk(x.collExpr, b);
        const inner = new Set(b);
        inner.add(x.valueVar);
        if (x.keyVar) inner.add(x.keyVar);
        if (x.keyExpr) walk(x.keyExpr, inner);
        walk(x.valExpr, inner);
        if (x.condExpr) walk(x.condExpr, inner);
        return;
      }
      case 'IndexExpr':
        walk(x.collection, b);
        walk(x.key, b);
        return;
      case 'SplatExpr':
        walk(x.source, b);
        walk(x.each, b);
        return;
      case 'TemplateJoinExpr':
        return walk(x.tuple, b);
      default:
        assertNever(x);
    }
  };
  const parts = (ps: TemplatePart[], b: ReadonlySet<string>): void => {
    for (const p of ps) {
      if (p.kind === 'TemplateInterp') walk(p.expr, b);
      else if (p.kind === 'TemplateIf') {
        walk(p.cond, b);
        parts(p.then, b);
        if (p.else) parts(p.else, b);
      } else if (p.kind === 'TemplateFor') {
        walk(p.collection, b);
        const inner = new Set(b);
        inner.add(p.valueVar);
        if (p.keyVar) inner.add(p.keyVar);
        parts(p.body, inner);
      }
    }
  };
  walk(e, bound);
  return out;
}
