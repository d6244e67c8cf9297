// How a function of the library is declared, and the error an implementation raises.
import type { Expression } from '../syntax/ast.js';
import type { Type, Value } from '../eval/value.js';
import type { SourceReader } from '../source.js';

export interface Param {
  name: string;
  type: Type; // arguments are converted to it; DYNAMIC takes anything
  allowNull?: boolean;
  allowUnknown?: boolean; // the implementation handles unknown values itself
  allowUnknownElements?: boolean; // a known collection may hold values known only after apply
}

export interface FnContext {
  dir: string; // the configuration directory, for file() and friends
  source: SourceReader; // how they read it
  // Evaluates a template file's text with the given variables (templatefile).
  renderTemplate: (text: string, filename: string, vars: Map<string, Value>) => Value;
}

export interface FnSpec {
  params: Param[];
  variadic?: Param;
  returns?: Type; // the type of the unknown result when an argument is unknown
  impl: (args: Value[], ctx: FnContext) => Value;
}

// Raised by an implementation: what went wrong, and which argument (0-based) it is about.
export class FnError extends Error {
  constructor(
    message: string,
    readonly arg?: number,
  ) {
    super(message);
  }
}

export type FnTable = Record<string, FnSpec>;

// The largest string a function or template may produce (in UTF-16 code units), and the most
// elements a function may produce: far beyond any real configuration, and small enough that
// a hostile one fails with a diagnostic rather than exhausting memory.
export const MAX_STRING = 16 * 1024 * 1024;
export const MAX_ELEMENTS = 1_000_000;
export const TOO_LONG = `the result would be longer than ${MAX_STRING / 1024 / 1024} MiB`;
export type { Expression };
