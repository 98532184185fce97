/**
 * Runs queued callbacks together once the current event-loop turn's I/O callbacks are done. NATS
 * writes whatever is published in one synchronous run as one socket write, and a socket write is
 * the most expensive step of a publish on this machine class: batching the publishes and acks of a
 * busy turn (many HTTP requests, many deliveries) into one run saves most of them, for at most one
 * turn of latency.
 */
let queue: (() => void)[] = [];

export function atEndOfTurn(run: () => void): void {
  if (queue.push(run) === 1) setImmediate(drain);
}

function drain(): void {
  const batch = queue;
  queue = [];
  for (const run of batch) run();
}
