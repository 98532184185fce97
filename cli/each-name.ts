import { ApiError } from '../gateways/client';
import type { Output } from './context';
import { formatError } from './errors';

/**
 * Fetches each name in turn, as kubectl does for `get/describe KIND A B`: a server error for one
 * name is printed as its own line and the others are still fetched. Other errors (an unreachable
 * server) stop everything.
 */
export async function eachName<T>(names: readonly string[], fetch: (name: string) => Promise<T>, stderr: Output): Promise<{ found: T[]; failed: boolean }> {
  const found: T[] = [];
  let failed = false;
  for (const name of names) {
    try {
      found.push(await fetch(name));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      stderr.write(`${formatError(err)}\n`);
      failed = true;
    }
  }
  return { found, failed };
}
