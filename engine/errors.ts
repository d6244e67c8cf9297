// The text of an error caught at the I/O edge, for a sentence shown to the user.
import { ProviderError } from '../providers/provider.js';

export function errorText(err: unknown): string {
  if (err instanceof ProviderError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
