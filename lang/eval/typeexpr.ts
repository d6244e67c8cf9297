// Type constraints as written in `variable { type = ... }`: string, number, bool, any,
// list(T), set(T), map(T), object({...}) with optional(T, default), tuple([...]).
import type { Diagnostic } from '../diagnostics.js';
import type { Expression } from '../syntax/ast.js';
import { BOOL, DYNAMIC, NUMBER, STRING, type Type, type Value } from './value.js';

export interface TypeExprResult {
  type: Type;
  diagnostics: Diagnostic[];
}

// `evalDefault` evaluates the default of optional(T, default) (a constant expression).
export function typeFromExpr(expr: Expression, evalDefault: (e: Expression) => Value): TypeExprResult {
  const diagnostics: Diagnostic[] = [];
  const bad = (e: Expression, detail: string): Type => {
    diagnostics.push({ severity: 'error', summary: 'Invalid type specification', detail, subject: e.range });
    return DYNAMIC;
  };
  const walk = (e: Expression, allowOptional: boolean): Type => {
    if (e.kind === 'ParenthesesExpr') return walk(e.expr, allowOptional);
    if (e.kind === 'ScopeTraversalExpr' && e.traversal.length === 0) {
      switch (e.root) {
        case 'string':
          return STRING;
        case 'number':
          return NUMBER;
        case 'bool':
          return BOOL;
        case 'any':
          return DYNAMIC;
        case 'list':
        case 'set':
        case 'map':
          return bad(e, `The ${e.root} type constructor requires one argument specifying the element type.`);
        case 'object':
        case 'tuple':
          return bad(e, `The ${e.root} type constructor requires one argument specifying the ${e.root === 'object' ? 'attribute types as an object' : 'element types as a list'}.`);
        default:
          return bad(e, `The keyword "${e.root}" is not a valid type specification.`);
      }
    }
    if (e.kind === 'FunctionCallExpr') {
      const one = (): Expression | null => {
        if (e.args.length !== 1) {
          bad(e, `The ${e.name} type constructor requires one argument.`);
          return null;
        }
        return e.args[0];
      };
      switch (e.name) {
        case 'list':
        case 'set':
        case 'map': {
          const a = one();
          if (!a) return DYNAMIC;
          return { kind: e.name, elem: walk(a, false) };
        }
        case 'tuple': {
          const a = one();
          if (!a) return DYNAMIC;
          if (a.kind !== 'TupleConsExpr') return bad(a, 'The tuple type constructor requires a list of element types.');
          return { kind: 'tuple', elems: a.exprs.map((x) => walk(x, false)) };
        }
        case 'object': {
          const a = one();
          if (!a) return DYNAMIC;
          if (a.kind !== 'ObjectConsExpr') return bad(a, 'The object type constructor requires an object of attribute types.');
          const attrs: Record<string, Type> = Object.create(null);
          const optional: Record<string, Value | null> = Object.create(null);
          let hasOptional = false;
          for (const item of a.items) {
            const key = item.key.kind === 'ObjectConsKeyExpr' ? item.key.wrapped : item.key;
            let name: string | null = null;
            if (key.kind === 'ScopeTraversalExpr' && key.traversal.length === 0) name = key.root;
            else if (key.kind === 'LiteralValue' && typeof key.value === 'string') name = key.value;
            else if (key.kind === 'TemplateExpr' && key.parts.length === 1 && key.parts[0].kind === 'TemplateLiteral') name = key.parts[0].value;
            if (name === null) {
              bad(key, 'Object constructor map keys must be attribute names.');
              continue;
            }
            const v = item.value;
            if (v.kind === 'FunctionCallExpr' && v.name === 'optional') {
              if (v.args.length < 1 || v.args.length > 2) {
                bad(v, 'Optional attribute modifier requires the attribute type and an optional default value.');
                continue;
              }
              attrs[name] = walk(v.args[0], false);
              optional[name] = v.args.length === 2 ? evalDefault(v.args[1]) : null;
              hasOptional = true;
            } else {
              attrs[name] = walk(v, false);
            }
          }
          return hasOptional ? { kind: 'object', attrs, optional } : { kind: 'object', attrs };
        }
        case 'optional':
          return bad(e, 'Optional attribute modifier is only for use in object type constraints.');
        default:
          return bad(e, `Keyword "${e.name}" is not a valid type constructor.`);
      }
    }
    return bad(e, 'A type specification is either a primitive type keyword (bool, number, string) or a complex type constructor call, like list(string).');
  };
  const type = walk(expr, false);
  return { type, diagnostics };
}
