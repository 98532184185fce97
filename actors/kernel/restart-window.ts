/** OTP restart intensity: more than `intensity` restarts within `periodMs` means give up and escalate. */
export type RestartPolicy = Readonly<{ intensity: number; periodMs: number }>;

/** Times (ms) of the restarts still inside the period. */
export type RestartWindow = readonly number[];

/** Pure bookkeeping: add a restart at `now`, forget the ones older than the period. */
export function recordRestart(window: RestartWindow, now: number, policy: RestartPolicy): { window: RestartWindow; exceeded: boolean } {
  const kept = [...window.filter((t) => now - t < policy.periodMs), now];
  return { window: kept, exceeded: kept.length > policy.intensity };
}
