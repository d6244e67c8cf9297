// Type conversion functions: tobool tolist tomap tonumber toset tostring.
import { convert } from '../eval/convert.js';
import { BOOL, DYNAMIC, NUMBER, STRING, type Type, type Value, typeName } from '../eval/value.js';
import { FnError, type FnSpec, type FnTable } from './spec.js';

function to(want: Type): FnSpec {
  return {
    params: [{ name: 'v', type: DYNAMIC, allowNull: true, allowUnknownElements: true }],
    returns: want,
    impl: ([v]: Value[]) => {
      const r = convert(v, want);
      if (r.ok) return r.value;
      const from = v.type.kind === 'dynamic' ? 'value' : typeName(v.type);
      if (want.kind === 'string' || want.kind === 'number' || want.kind === 'bool') {
        throw new FnError(v.type.kind === 'string' ? r.error : `cannot convert ${from} to ${want.kind}`, 0);
      }
      throw new FnError(`cannot convert ${from} to ${typeName(want)}: ${r.error}`, 0);
    },
  };
}

export const conversionFunctions: FnTable = {
  tobool: to(BOOL),
  tonumber: to(NUMBER),
  tostring: to(STRING),
  tolist: to({ kind: 'list', elem: DYNAMIC }),
  toset: to({ kind: 'set', elem: DYNAMIC }),
  tomap: to({ kind: 'map', elem: DYNAMIC }),
};
