import { ApiError } from '../gateways/client';

/** A user-facing failure: printed as one `error: …` line, never with a stack. */
export class CliError extends Error {
  override readonly name: string = 'CliError';
}

/**
 * The single stderr line for any error, in kubectl's wording: `Error from server (NotFound): …`
 * for API errors, `error: …` for everything else. `context` (e.g. `error when applying "x.yaml"`)
 * goes before the server's message, as kubectl does.
 */
export function formatError(err: unknown, context?: string): string {
  if (err instanceof ApiError) {
    if (err.code === 401) return `error: You must be logged in to the server (${err.message})`;
    const message = context ? `${context}: ${err.message}` : err.message;
    return err.reason ? `Error from server (${err.reason}): ${message}` : `Error from server: ${message}`;
  }
  const message = err instanceof Error ? err.message : String(err);
  return `error: ${message.split('\n')[0]}`;
}
