/** Small timing helpers that never leave a timer behind (so a process can exit when its work is done). */

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** `p`'s value, or `timedOut` if it takes longer than ms; the timer is cleared either way. */
export async function within<T, U>(p: Promise<T>, ms: number, timedOut: U): Promise<T | U> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<U>((ok) => (timer = setTimeout(() => ok(timedOut), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
