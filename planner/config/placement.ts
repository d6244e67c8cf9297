// The `placement` block of a vm: `spread = "NAME"` puts the VM in an anti-affinity group. The VMs
// of one pool (host block) sharing a spread name are started on distinct members where capacity
// allows (planner/plan/spread.ts). XAPI pools only: an xl host is one dom0.
import type { Block } from '../../lang/syntax/ast.js';
import type { BodyContent, BodySchema } from '../../lang/body.js';
import type { Toolstack } from '../model/vm.js';
import type { Decoder } from './decode.js';

export const PLACEMENT_SCHEMA: BodySchema = { attributes: ['spread'] };

export function decodeSpread(placement: { block: Block; content: BodyContent } | undefined, d: Decoder, toolstack: Toolstack | undefined): string | undefined {
  if (!placement) return undefined;
  const attr = placement.content.attrs.get('spread');
  if (toolstack !== 'xapi') {
    d.error('Unsupported block', 'A placement block applies only to VMs on hosts with toolstack = "xapi": it spreads VMs over the members of a pool.', placement.block.typeRange);
    return undefined;
  }
  const spread = d.knownText(attr, 'placement.spread');
  if (spread === '') {
    d.error('Invalid value', '"placement.spread" must name a spread group, like "web"; got "".', attr!.expr.range);
    return undefined;
  }
  return spread;
}
