/** Go duration flags (`--timeout=30s`, `1m30s`, `0`) as kubectl takes them. */
import { CliError } from './errors';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds; `undefined` for an absent flag. */
export function parseDuration(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (text === '0') return 0;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new CliError(`invalid argument "${text}" for "--${flag}" flag: time: invalid duration "${text}"`);
  }
  return parts.reduce((ms, [, amount, unit]) => ms + Number(amount) * UNIT_MS[unit], 0);
}

/** An AbortSignal that fires on Ctrl-C or after `ms` (0/undefined = never), and whether the timer fired. */
export function withTimeout(signal: AbortSignal, ms: number | undefined): { signal: AbortSignal; timedOut: () => boolean; clear: () => void } {
  if (!ms) return { signal, timedOut: () => false, clear: () => undefined };
  const timer = new AbortController();
  const handle = setTimeout(() => timer.abort(), ms);
  return { signal: AbortSignal.any([signal, timer.signal]), timedOut: () => timer.signal.aborted, clear: () => clearTimeout(handle) };
}
