/**
 * An in-memory stand-in for core NATS as eventlog/streams/link.ts uses it: subjects, inboxes,
 * asynchronous in-order delivery, and the server's "no responders" answer to a message with a reply
 * subject that nobody listens to. `published` records every message for the tests to inspect.
 */
import { decodeMessage, type StreamMessage } from '../../eventlog/streams/protocol';
import type { Wire } from '../../eventlog/streams/link';

export type MemoryWire = Wire & Readonly<{
  published: { subject: string; message?: StreamMessage }[];
  /** Drops whatever is published to subjects matching this from now on (a link that went dark). */
  blackhole(match: (subject: string) => boolean): void;
  /** Removes every subscriber of `subject` without a word (a process that died). */
  vanish(subject: string): void;
}>;

export function memoryWire(): MemoryWire {
  const subs = new Map<string, Set<(m: { data: Uint8Array; reply?: string; noResponders: boolean }) => void>>();
  const published: { subject: string; message?: StreamMessage }[] = [];
  const holes: ((subject: string) => boolean)[] = [];
  let inbox = 0;
  let queue = Promise.resolve();
  return {
    published,
    blackhole: (match) => void holes.push(match),
    vanish: (subject) => void subs.delete(subject),
    newInbox: () => `_INBOX.mem.${++inbox}`,
    subscribe: (subject, onMessage) => {
      const set = subs.get(subject) ?? new Set();
      set.add(onMessage);
      subs.set(subject, set);
      return () => void set.delete(onMessage);
    },
    publish: (subject, data, reply) => {
      let message: StreamMessage | undefined;
      try {
        message = decodeMessage(data);
      } catch {
        message = undefined; // a request
      }
      published.push({ subject, message });
      if (holes.some((h) => h(subject))) return;
      // One queue for everything: the order of publishing is the order of delivery, as within one NATS connection.
      queue = queue.then(() => {
        const targets = [...(subs.get(subject) ?? [])];
        if (targets.length === 0) {
          if (reply) for (const r of subs.get(reply) ?? []) r({ data: new Uint8Array(0), noResponders: true });
          return;
        }
        for (const t of targets) t({ data, reply, noResponders: false });
      });
    },
  };
}
