// The `cdrom` block of a vm: `iso` names an ISO image on the host (an ISO VDI in an ISO SR, by
// name-label; on an xl host, the ISO file's absolute path in dom0), or is null for an empty drive.
// No block: the VM's CD drive is left alone.
import type { Diagnostic } from '../../lang/diagnostics.js';
import type { Attribute, Block } from '../../lang/syntax/ast.js';
import type { BodyContent, BodySchema } from '../../lang/body.js';
import { blockHeader } from '../../lang/body.js';
import type { BootMode, CdromAttributes, Toolstack } from '../model/vm.js';
import type { Decoder } from './decode.js';

export const CDROM_SCHEMA: BodySchema = { attributes: ['iso'] };

export function decodeCdrom(cdrom: { block: Block; content: BodyContent } | undefined, d: Decoder, diags: Diagnostic[], toolstack: Toolstack | undefined, mode?: BootMode): CdromAttributes | undefined {
  if (!cdrom) return undefined;
  if (toolstack === 'xl' && mode !== 'hvm') {
    // xl(1) cd-insert/cd-eject: "Insert/eject a cdrom into/from a guest's cd drive. Only works with HVM domains."
    d.error('Unsupported block', 'A cdrom block on an xl host needs boot.mode = "hvm": xl has CD drives (xl cd-insert, cd-eject) for HVM guests only.', cdrom.block.typeRange);
    return undefined;
  }
  const attr: Attribute | undefined = cdrom.content.attrs.get('iso');
  if (!attr) {
    diags.push({
      severity: 'error',
      summary: 'Missing required argument',
      detail: 'The argument "iso" is required in a cdrom block (the name of an ISO image, or null for an empty drive), but no definition was found.',
      subject: blockHeader(cdrom.block),
    });
    return undefined;
  }
  const before = diags.length;
  const iso = d.knownText(attr, 'cdrom.iso');
  if (diags.length > before) return undefined;
  if (iso === '') {
    d.error('Invalid value', '"cdrom.iso" must name an ISO image, or be null for an empty drive; got "".', attr.expr.range);
    return undefined;
  }
  if (toolstack === 'xl' && iso !== undefined && iso !== null && !iso.startsWith('/')) {
    d.error('Invalid value', `"cdrom.iso" on an xl host is the ISO file's absolute path in dom0, like "/var/lib/xen/iso/debian-12.iso"; got "${iso}".`, attr.expr.range);
    return undefined;
  }
  return { iso: iso ?? null };
}
