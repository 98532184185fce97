import type { ObservedContainer } from './types';

/**
 * The kubelet's crash-loop back-off, derived from the attempts the runtime still has instead of
 * kept in memory. Upstream keeps a flowcontrol.Backoff per container (10 s, doubling, at most
 * 300 s): the first crash restarts at once (no entry yet), each later restart waits the entry's
 * delay counted from the crash, and a run longer than twice the maximum (10 min) starts over as if
 * it were the first crash. So the wait after attempt n exits depends only on how many short runs
 * end at n:
 *
 *   n = 0, or attempt n ran > 10 min      → 0
 *   otherwise, with j the latest earlier attempt that ran > 10 min (or 0)
 *                                          → min(10 s · 2^(n − j − 1), 300 s)
 *
 * An attempt the runtime no longer has counts as a short run (a crash loop is the reason it is
 * gone); six short runs reach the cap, so keeping the last six attempts keeps this exact
 * (see KEPT_ATTEMPTS).
 */

export const RESTART_BACKOFF_INITIAL_MS = 10_000;
export const RESTART_BACKOFF_MAX_MS = 300_000;
/** flowcontrol.Backoff's hasExpired: an entry untouched for twice the maximum is stale. */
export const RESTART_BACKOFF_RESET_MS = 2 * RESTART_BACKOFF_MAX_MS;
/** Attempts of one container the runtime keeps: enough short runs to reach the cap. */
export const KEPT_ATTEMPTS = 6;

type Run = Pick<ObservedContainer, 'attempt' | 'startedAtMs' | 'finishedAtMs'>;

/** Ran long enough to reset the back-off (upstream compares with the restart that began it). */
export function ranLong(run: Run): boolean {
  return run.startedAtMs !== undefined && run.finishedAtMs !== undefined && run.finishedAtMs - run.startedAtMs > RESTART_BACKOFF_RESET_MS;
}

/** How long to wait after the newest of `runs` exited before starting the next attempt. */
export function restartDelayMs(runs: readonly Run[]): number {
  const latest = newest(runs);
  if (!latest || latest.attempt === 0 || ranLong(latest)) return 0;
  const byAttempt = new Map(runs.map((r) => [r.attempt, r]));
  let shortRuns = 1;
  for (let attempt = latest.attempt - 1; attempt > 0 && delayAfter(shortRuns) < RESTART_BACKOFF_MAX_MS; attempt--) {
    const run = byAttempt.get(attempt);
    if (run && ranLong(run)) break;
    shortRuns++;
  }
  return delayAfter(shortRuns);
}

export type RestartBackOff = Readonly<{ delayMs: number; untilMs: number }>;

/** The wait and when it ends (the newest run's exit plus the delay); `untilMs` ≤ now means restart now. */
export function restartBackOff(runs: readonly Run[]): RestartBackOff {
  const delayMs = restartDelayMs(runs);
  return { delayMs, untilMs: (newest(runs)?.finishedAtMs ?? 0) + delayMs };
}

function delayAfter(shortRuns: number): number {
  return Math.min(RESTART_BACKOFF_INITIAL_MS * 2 ** (shortRuns - 1), RESTART_BACKOFF_MAX_MS);
}

function newest<R extends Run>(runs: readonly R[]): R | undefined {
  return runs.reduce<R | undefined>((best, r) => (best === undefined || r.attempt > best.attempt ? r : best), undefined);
}

/** Go's time.Duration.String for whole milliseconds, as kubelet messages print durations: 10s, 1m20s, 5m0s, 1.234s, 500ms. */
export function goDuration(ms: number): string {
  const whole = Math.round(Math.abs(ms));
  const sign = ms < 0 ? '-' : '';
  if (whole === 0) return '0s';
  if (whole < 1000) return `${sign}${whole}ms`;
  const hours = Math.floor(whole / 3_600_000);
  const minutes = Math.floor((whole % 3_600_000) / 60_000);
  const millis = whole % 60_000;
  const fraction = millis % 1000 === 0 ? '' : `.${String(millis % 1000).padStart(3, '0').replace(/0+$/, '')}`;
  const seconds = `${Math.floor(millis / 1000)}${fraction}s`;
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`;
  return minutes > 0 ? `${sign}${minutes}m${seconds}` : `${sign}${seconds}`;
}
