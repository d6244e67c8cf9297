// The one error type a user sees: from the parser, the evaluator, the configuration
// schema, and (through the callers of lang) the planner and the engine.
import type { Range } from './syntax/ast.js';

export type Severity = 'error' | 'warning';

// What a diagnostic is about is a place in the source (subject, with an optional wider
// context for the snippet), or, for errors that arise outside any source text, an opaque
// address of the object it concerns and the name of the machine it happened on. lang
// only carries these two strings; their callers give them meaning.
export interface Diagnostic {
  severity: Severity;
  summary: string;
  detail?: string;
  subject?: Range; // the tight range the diagnostic is about
  context?: Range; // an optional wider range for the snippet
  address?: string; // the object the diagnostic is about, as its caller prints it
  host?: string; // the machine it is about
}

// An error about a range of the source, with an optional wider context for the snippet.
export const errorAt = (summary: string, detail: string, subject: Range, context?: Range): Diagnostic => ({
  severity: 'error',
  summary,
  detail,
  subject,
  ...(context ? { context } : {}),
});
