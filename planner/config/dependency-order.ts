// The order in which locals, hosts and VMs are evaluated: each after what it refers to;
// reference cycles are reported and their members left out.
import type { Diagnostic } from '../../lang/diagnostics.js';
import type { Body, Expression, Range } from '../../lang/syntax/ast.js';
import { findReferences, type Reference } from '../../lang/eval/references.js';
import type { Declarations } from './declarations.js';

function bodyExpressions(body: Body, out: Expression[] = []): Expression[] {
  for (const item of body.items) {
    if (item.kind === 'Attribute') out.push(item.expr);
    else bodyExpressions(item.body, out);
  }
  return out;
}

export interface Node {
  id: string; // "local.a", "host.lab", "vm.web", "output.ip"
  deps: Map<string, Range>; // node id -> the first reference to it
  range: Range;
}

// Nodes in an order where every node comes after what it references; nodes in a cycle
// are reported once per cycle and left out.
function order(nodes: Map<string, Node>, diags: Diagnostic[]): { sorted: Node[]; broken: Set<string> } {
  const state = new Map<string, 1 | 2>();
  const sorted: Node[] = [];
  const broken = new Set<string>();
  const reported = new Set<string>();
  for (const start of nodes.values()) {
    if (state.has(start.id)) continue;
    const stack: { node: Node; deps: string[]; i: number }[] = [{ node: start, deps: [...start.deps.keys()], i: 0 }];
    state.set(start.id, 1);
    while (stack.length) {
      const top = stack[stack.length - 1];
      if (top.i === top.deps.length) {
        stack.pop();
        state.set(top.node.id, 2);
        sorted.push(top.node);
        continue;
      }
      const depId = top.deps[top.i++];
      const dep = nodes.get(depId);
      if (!dep) continue;
      const s = state.get(depId);
      if (s === 2) continue;
      if (s === 1) {
        const at = stack.findIndex((f) => f.node.id === depId);
        const cycle = stack.slice(at).map((f) => f.node.id);
        for (const id of cycle) broken.add(id);
        const key = [...cycle].sort().join(' ');
        if (reported.has(key)) continue;
        reported.add(key);
        const path = [...cycle, depId].join(' -> ');
        diags.push(
          cycle.length === 1
            ? {
                severity: 'error',
                summary: 'Self-referential block',
                detail: `Configuration for ${depId} may not refer to itself.`,
                subject: top.node.deps.get(depId),
              }
            : {
                severity: 'error',
                summary: 'Cycle in references',
                detail: `These values refer to each other in a cycle: ${path}. Remove one of these references to break the cycle.`,
                subject: nodes.get(cycle[0])!.deps.get(cycle[1]),
              },
        );
        continue;
      }
      state.set(depId, 1);
      stack.push({ node: dep, deps: [...dep.deps.keys()], i: 0 });
    }
  }
  return { sorted, broken };
}

export interface EvaluationOrder {
  sorted: Node[];
  broken: Set<string>; // nodes in a reference cycle
  vmValueRefs: Map<string, Reference[]>; // per vm block, its references but depends_on
}

export function evaluationOrder(decls: Declarations, diags: Diagnostic[]): EvaluationOrder {
  const nodes = new Map<string, Node>();
  const addNode = (id: string, refs: Reference[], range: Range, extra: [string, Range][] = []) => {
    const deps = new Map<string, Range>();
    for (const r of refs) {
      if (r.root !== 'local' && r.root !== 'vm' && r.root !== 'host' && r.root !== 'module') continue;
      const target = `${r.root}.${r.name}`;
      if (!deps.has(target)) deps.set(target, r.range);
    }
    for (const [t, r] of extra) if (!deps.has(t)) deps.set(t, r);
    nodes.set(id, { id, deps, range });
  };
  const refsOf = (exprs: Expression[], out: Reference[] = []) => {
    for (const e of exprs) findReferences(e, out);
    return out;
  };
  // references from everything but depends_on: the VMs a vm block uses values of
  const vmValueRefs = new Map<string, Reference[]>();
  for (const [name, attr] of decls.locals) addNode(`local.${name}`, refsOf([attr.expr]), attr.range);
  for (const [name, b] of decls.hosts) addNode(`host.${name}`, refsOf(bodyExpressions(b.body)), b.range);
  for (const [name, vm] of decls.vms) {
    // `host = "lab"` names a host without a reference; it still has to be decoded first
    const hostAttr = vm.top.attrs.get('host');
    const extra: [string, Range][] = [];
    const e = hostAttr?.expr;
    if (e && e.kind === 'TemplateExpr' && e.parts.length === 1 && e.parts[0].kind === 'TemplateLiteral') {
      extra.push([`host.${e.parts[0].value}`, e.range]);
    } else if (e && e.kind === 'LiteralValue' && typeof e.value === 'string') extra.push([`host.${e.value}`, e.range]);
    const refs: Reference[] = [];
    for (const item of vm.block.body.items) {
      if (item.kind === 'Attribute') {
        if (item.name !== 'depends_on') findReferences(item.expr, refs);
      } else refsOf(bodyExpressions(item.body), refs);
    }
    vmValueRefs.set(name, refs);
    const dependsOn = vm.top.attrs.get('depends_on');
    addNode(`vm.${name}`, dependsOn ? findReferences(dependsOn.expr, [...refs]) : refs, vm.block.range, extra);
  }
  for (const [name, b] of decls.modules) addNode(`module.${name}`, refsOf(bodyExpressions(b.body)), b.range);
  const { sorted, broken } = order(nodes, diags);
  return { sorted, broken, vmValueRefs };
}

export const splitId = (id: string): [string, string] => {
  const dot = id.indexOf('.');
  return [id.slice(0, dot), id.slice(dot + 1)];
};
