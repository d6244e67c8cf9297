// The function library and the one way to call a function: arity, argument conversion,
// null and unknown handling, and diagnostics pointing at the offending argument.
import type { Diagnostic } from '../diagnostics.js';
import type { Range } from '../syntax/ast.js';
import { convert } from '../eval/convert.js';
import { DYNAMIC, type Value, isUnknownValue, isWhollyKnown, unknownOf } from '../eval/value.js';
import { collectionFunctions } from './collection.js';
import { conversionFunctions } from './conversion.js';
import { cryptoFunctions } from './crypto.js';
import { encodingFunctions } from './encoding.js';
import { filesystemFunctions } from './filesystem.js';
import { ipFunctions } from './ip.js';
import { numericFunctions } from './numeric.js';
import { FnError, MAX_STRING, TOO_LONG, type FnContext, type FnSpec, type FnTable } from './spec.js';
import { stringFunctions } from './string.js';

export const FUNCTIONS: FnTable = {
  ...numericFunctions,
  ...stringFunctions,
  ...collectionFunctions,
  ...encodingFunctions,
  ...conversionFunctions,
  ...filesystemFunctions,
  ...ipFunctions,
  ...cryptoFunctions,
};

// Evaluated by the evaluator itself, since they look at diagnostics of their arguments.
export const SPECIAL_FUNCTIONS = ['try', 'can'];

export function functionNames(): string[] {
  return [...Object.keys(FUNCTIONS), ...SPECIAL_FUNCTIONS].sort();
}

export interface CallSite {
  name: string;
  range: Range; // the whole call
  argRanges: Range[];
  closeRange: Range;
}

export function callFunction(
  spec: FnSpec,
  args: Value[],
  site: CallSite,
  ctx: FnContext,
): { value: Value; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const fail = (d: Omit<Diagnostic, 'severity'>) => {
    diagnostics.push({ severity: 'error', ...d });
    return { value: unknownOf(spec.returns ?? DYNAMIC), diagnostics };
  };
  const n = spec.params.length;
  if (args.length < n) {
    return fail({
      summary: 'Not enough function arguments',
      detail: `Function "${site.name}" expects ${n} argument(s). Missing value for "${spec.params[args.length].name}".`,
      subject: site.closeRange,
      context: site.range,
    });
  }
  if (args.length > n && !spec.variadic) {
    return fail({
      summary: 'Too many function arguments',
      detail: `Function "${site.name}" expects only ${n} argument(s).`,
      subject: site.argRanges[n],
      context: site.range,
    });
  }
  const converted: Value[] = [];
  let unknown = false;
  for (let i = 0; i < args.length; i++) {
    const param = i < n ? spec.params[i] : spec.variadic!;
    const a = args[i];
    if (a.raw === null && !param.allowNull) {
      return fail({
        summary: 'Invalid function argument',
        detail: `Invalid value for "${param.name}" parameter: argument must not be null.`,
        subject: site.argRanges[i],
        context: site.range,
      });
    }
    const r = convert(a, param.type);
    if (!r.ok) {
      return fail({
        summary: 'Invalid function argument',
        detail: `Invalid value for "${param.name}" parameter: ${r.error}.`,
        subject: site.argRanges[i],
        context: site.range,
      });
    }
    if (!param.allowUnknown && (param.allowUnknownElements ? isUnknownValue(r.value) : !isWhollyKnown(r.value))) unknown = true;
    converted.push(r.value);
  }
  if (unknown) return { value: unknownOf(spec.returns ?? DYNAMIC), diagnostics };
  try {
    const value = spec.impl(converted, ctx);
    if (typeof value.raw === 'string' && value.raw.length > MAX_STRING) throw new FnError(TOO_LONG);
    return { value, diagnostics };
  } catch (caught) {
    // A RangeError is a string or array past what the engine can hold, or a stack exhausted
    // by a value nested too deeply: the call failed, not xenform.
    const e = caught instanceof RangeError ? new FnError(`the result is too large or too deeply nested (${caught.message})`) : caught;
    if (!(e instanceof FnError)) throw e;
    if (e.arg !== undefined && e.arg < args.length) {
      const param = e.arg < n ? spec.params[e.arg] : spec.variadic!;
      return fail({
        summary: 'Invalid function argument',
        detail: `Invalid value for "${param.name}" parameter: ${e.message}.`,
        subject: site.argRanges[e.arg],
        context: site.range,
      });
    }
    return fail({
      summary: 'Error in function call',
      detail: `Call to function "${site.name}" failed: ${e.message}.`,
      subject: site.range,
    });
  }
}

export type { FnContext, FnSpec };
