/**
 * A long-running `ctr events` child for one namespace, parsed line by line into TaskEvents
 * (exit with status and time, OOM, start): instant notice of exits instead of polling.
 *
 * `ready` resolves once the subscription is known to be live: we label the namespace with a fresh
 * token until the `/namespaces/update` event carrying it comes back. Events before that, or while
 * the child is being restarted, can be missed: `onGap` says so, and the runtime then reconciles
 * from `ctr tasks ls` instead.
 */
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Ctr } from './ctr';
import { parseEventLine, toTaskEvent, type TaskEvent } from './ctr-output';
import { CtrErrorKind, CtrError } from './errors';
import { within } from './timing';

const PROBE_LABEL = 'io.skiff.events-probe';

export type TaskEventStream = Readonly<{
  /** Resolves when events are flowing (rejects if no probe came back in time). */
  ready: Promise<void>;
  close: () => Promise<void>;
}>;

export type TaskEventOptions = Readonly<{
  /** Called when events may have been lost (the child died and is being restarted). */
  onGap?: () => void;
  restartDelayMs?: number;
  readyTimeoutMs?: number;
}>;

export function followTaskEvents(ctr: Ctr, onEvent: (e: TaskEvent) => void, opts: TaskEventOptions = {}): TaskEventStream {
  let closed = false;
  let child: ChildProcess | undefined;
  let probeToken = '';
  let seenProbe: (() => void) | undefined;
  const filter = `namespace==${JSON.stringify(ctr.namespace)},topic~="^/(tasks|namespaces)/"`;

  const handleLine = (line: string) => {
    const raw = parseEventLine(line);
    if (!raw || raw.namespace !== ctr.namespace) return;
    if (raw.topic === '/namespaces/update') {
      const labels = raw.payload.labels as Record<string, string> | undefined;
      if (labels?.[PROBE_LABEL] === probeToken) seenProbe?.();
      return;
    }
    const e = toTaskEvent(raw);
    if (e) onEvent(e);
  };

  const startChild = (): Promise<void> => {
    const c = ctr.spawn(['events', filter], { stdio: ['ignore', 'pipe', 'ignore'] });
    child = c;
    createInterface({ input: c.stdout! }).on('line', handleLine);
    c.once('error', () => undefined);
    c.once('exit', () => {
      if (closed || child !== c) return;
      opts.onGap?.();
      setTimeout(() => {
        if (!closed) void startChild().catch(() => undefined);
      }, opts.restartDelayMs ?? 1_000);
    });
    return probe(opts.readyTimeoutMs ?? 10_000);
  };

  const probe = async (timeoutMs: number): Promise<void> => {
    probeToken = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const seen = new Promise<void>((ok) => (seenProbe = ok));
    let done = false;
    void seen.then(() => (done = true));
    await ctr.run(['namespaces', 'create', ctr.namespace]).catch((e: unknown) => {
      if (!(e instanceof CtrError && e.kind === CtrErrorKind.AlreadyExists)) throw e;
    });
    const deadline = Date.now() + timeoutMs;
    while (!done && !closed) {
      await ctr.run(['namespaces', 'label', ctr.namespace, `${PROBE_LABEL}=${probeToken}`]);
      await within(seen, 200, undefined);
      if (!done && Date.now() > deadline) throw new Error(`ctr events for namespace ${ctr.namespace} did not start within ${timeoutMs} ms`);
    }
  };

  const ready = startChild();
  ready.catch(() => undefined);
  return {
    ready,
    close: async () => {
      closed = true;
      const c = child;
      if (c && c.exitCode === null && c.signalCode === null) {
        const exited = new Promise((r) => c.once('exit', r));
        c.kill('SIGTERM');
        await exited;
      }
    },
  };
}
