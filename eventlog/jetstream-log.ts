import {
  AckPolicy, connect, DeliverPolicy, DiscardPolicy, nanos, RetentionPolicy, StorageType,
  type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg, type NatsConnection, type StreamConfig,
} from 'nats';
import { decodeEnvelope, decodeValue, encodeEnvelope, encodeValue } from './codec';
import { atEndOfTurn } from './end-of-turn';
import { EventLogError } from './errors';
import { AckedPublisher, type PubAck } from './publisher';
import { encodeToken, SUBJECT_ROOT } from './subjects';
import type { Command, Envelope, Event, Position, Recorded } from './types';

/**
 * Two streams, deliberately:
 * - SKIFF_EVENTS holds what actors decided (object events, and the kernel's own `skiff.sys.>` facts).
 *   Its sequence is the cluster's resourceVersion: dense, global, monotonic — exactly what
 *   Kubernetes clients expect — and not diluted by commands.
 * - SKIFF_COMMANDS holds what was asked. It is the actor hosts' work queue (a durable consumer acks
 *   each command once its events are committed) and, kept under its own retention, the input of replay.
 */
export const STREAMS = { events: 'SKIFF_EVENTS', commands: 'SKIFF_COMMANDS', heartbeats: 'SKIFF_HEARTBEATS' } as const;

/** Node heartbeats: renewals, not history — only the latest per node is kept, for a short while. */
export const HEARTBEAT_ROOT = `${SUBJECT_ROOT}.hb`;
export type Heartbeat = Readonly<{ node: string; timeMs: number }>;

export type RetentionConfig = Readonly<{
  /** 0 = keep forever. */
  eventsMaxAgeMs: number;
  eventsMaxBytes: number;
  commandsMaxAgeMs: number;
  commandsMaxBytes: number;
}>;

export const defaultRetention: RetentionConfig = {
  eventsMaxAgeMs: 0,
  eventsMaxBytes: -1,
  commandsMaxAgeMs: 30 * 24 * 3600 * 1000,
  commandsMaxBytes: -1,
};

export type LogOptions = Readonly<{
  servers: string;
  name?: string;
  retention?: Partial<RetentionConfig>;
  publishTimeoutMs?: number;
}>;

export type ReadOptions = Readonly<{
  /** First sequence to read (inclusive). */
  from: Position;
  /** Last sequence to read (inclusive); omit to stop at the end of the log as it is when reading starts. */
  to?: Position;
  /** Stop before the first record stored after this time (ms since the epoch). */
  until?: number;
  filter?: string | readonly string[];
}>;

export type CommandDelivery = Readonly<{
  command: Command;
  seq: Position;
  redelivered: boolean;
  ack: () => void;
  /** Give up on the command for good (it will not be re-delivered). */
  term: () => void;
  /** Tell the server the command is still being worked on. */
  working: () => void;
}>;

/** JetStream refuses a duplicate window longer than the stream's max age. */
function dedupeWindow(maxAgeMs: number): number {
  return nanos(maxAgeMs > 0 ? Math.min(DUPLICATE_WINDOW_MS, maxAgeMs) : DUPLICATE_WINDOW_MS);
}

const DUPLICATE_WINDOW_MS = 120_000;
const HEARTBEAT_RETENTION_MS = 15 * 60_000;

function streamConfigs(r: RetentionConfig): Partial<StreamConfig>[] {
  const ms = (v: number) => (v > 0 ? nanos(v) : 0);
  return [
    {
      name: STREAMS.events,
      subjects: [`${SUBJECT_ROOT}.evt.>`, `${SUBJECT_ROOT}.sys.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: ms(r.eventsMaxAgeMs),
      max_bytes: r.eventsMaxBytes,
      duplicate_window: dedupeWindow(r.eventsMaxAgeMs),
      allow_direct: true,
      num_replicas: 1,
    },
    {
      name: STREAMS.commands,
      subjects: [`${SUBJECT_ROOT}.cmd.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: ms(r.commandsMaxAgeMs),
      max_bytes: r.commandsMaxBytes,
      duplicate_window: dedupeWindow(r.commandsMaxAgeMs),
      allow_direct: true,
      num_replicas: 1,
    },
    {
      name: STREAMS.heartbeats,
      subjects: [`${HEARTBEAT_ROOT}.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_msgs_per_subject: 1,
      max_age: nanos(HEARTBEAT_RETENTION_MS),
      duplicate_window: dedupeWindow(HEARTBEAT_RETENTION_MS),
      allow_direct: true,
      num_replicas: 1,
    },
  ];
}

export class EventLog {
  private constructor(
    readonly nc: NatsConnection,
    readonly jsm: JetStreamManager,
    readonly js: JetStreamClient,
    private readonly publisher: AckedPublisher,
  ) {}

  /** Connects and creates or updates the streams; safe to call on every start. */
  static async open(opts: LogOptions): Promise<EventLog> {
    const nc = await connect({ servers: opts.servers, name: opts.name ?? 'skiff', maxReconnectAttempts: -1, reconnectTimeWait: 250, pingInterval: 10_000 });
    try {
      const jsm = await nc.jetstreamManager();
      const retention = { ...defaultRetention, ...opts.retention };
      for (const config of streamConfigs(retention)) {
        try {
          await jsm.streams.info(config.name as string);
          await jsm.streams.update(config.name as string, config);
        } catch (err) {
          if (!isNotFound(err)) throw err;
          await jsm.streams.add(config);
        }
      }
      return new EventLog(nc, jsm, nc.jetstream(), new AckedPublisher(nc, opts.publishTimeoutMs));
    } catch (err) {
      await nc.close();
      throw new EventLogError(`could not set up the event log streams on ${opts.servers}`, { cause: err });
    }
  }

  appendCommand(command: Command): Promise<PubAck> {
    return this.publisher.publish(command.subject, encodeEnvelope(command), { msgId: command.id });
  }

  /**
   * Appends an object's events in order, each guarded by the sequence the previous one must follow.
   * `expectedLast` is the subject's last sequence as the deciding actor saw it (0 = no event yet).
   */
  async appendEvents(events: readonly Event[], expectedLast: Position): Promise<PubAck[]> {
    const acks: PubAck[] = [];
    let expected = expectedLast;
    for (const event of events) {
      const ack = await this.publisher.publish(event.subject, encodeEnvelope(event), { msgId: event.id, expectedLastSubjectSequence: expected });
      acks.push(ack);
      expected = ack.seq;
    }
    return acks;
  }

  /** A fact with no concurrency guard (kernel records such as supervisor decisions). */
  appendFact(event: Event): Promise<PubAck> {
    return this.publisher.publish(event.subject, encodeEnvelope(event), { msgId: event.id });
  }

  /** A node's heartbeat: a renewal on its own short-retention subject, never an event. */
  heartbeat(node: string, timeMs: number): Promise<PubAck> {
    return this.publisher.publish(`${HEARTBEAT_ROOT}.${encodeToken(node)}`, encodeValue({ node, timeMs } satisfies Heartbeat));
  }

  /** The latest heartbeat of every node, then each new one as it comes. */
  async *heartbeats(signal?: AbortSignal): AsyncGenerator<Heartbeat> {
    const consumer = await this.js.consumers.get(STREAMS.heartbeats, { deliver_policy: DeliverPolicy.LastPerSubject, filterSubjects: `${HEARTBEAT_ROOT}.>` });
    const messages = await consumer.consume({ max_messages: 1000 });
    const stop = () => void stopQuietly(messages);
    signal?.addEventListener('abort', stop, { once: true });
    try {
      for await (const m of messages) yield decodeValue<Heartbeat>(m.data);
    } finally {
      signal?.removeEventListener('abort', stop);
      await stopQuietly(messages);
    }
  }

  async lastSequence(stream: string = STREAMS.events): Promise<Position> {
    const info = await this.jsm.streams.info(stream);
    return info.state.last_seq;
  }

  async firstSequence(stream: string = STREAMS.events): Promise<Position> {
    const info = await this.jsm.streams.info(stream);
    return info.state.first_seq;
  }

  /** The last record on one subject, or undefined. */
  async lastOf(subject: string, stream: string = STREAMS.events): Promise<Recorded | undefined> {
    try {
      // nats.js types omit `direct` from JetStreamManager although the implementation has it.
      const direct = (this.jsm as JetStreamManager & { direct: DirectGet }).direct;
      const m = await direct.getMessage(stream, { last_by_subj: subject });
      return { envelope: decodeEnvelope(m.data), seq: m.seq, storedAt: m.time.getTime() };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /**
   * The newest record on one subject that `accept` takes. JetStream reads only forwards, so this
   * looks at the subject's last record (a direct get), then reads the subject in windows of the
   * stream that grow fourfold going back, newest window first. Bounded: after `maxReads` windows
   * (by default ~90 million stream records back) it gives up and answers undefined.
   */
  async findLast(subject: string, accept: (r: Recorded) => boolean, opts: Readonly<{ stream?: string; maxReads?: number; firstWindow?: number }> = {}): Promise<Recorded | undefined> {
    const stream = opts.stream ?? STREAMS.events;
    const last = await this.lastOf(subject, stream);
    if (!last || accept(last)) return last;
    const first = await this.firstSequence(stream);
    let to = last.seq - 1;
    let window = opts.firstWindow ?? 4096;
    for (let reads = 0; reads < (opts.maxReads ?? 8) && to >= first; reads++) {
      const from = Math.max(first, to - window + 1);
      let found: Recorded | undefined;
      for await (const r of this.read({ from, to, filter: subject }, stream)) if (accept(r)) found = r;
      if (found) return found;
      to = from - 1;
      window *= 4;
    }
    return undefined;
  }

  /** Reads a bounded range of the log, oldest first. */
  async *read(opts: ReadOptions, stream: string = STREAMS.events): AsyncGenerator<Recorded> {
    const last = opts.to ?? (await this.lastSequence(stream));
    if (last < opts.from) return;
    const { messages, pending } = await this.open(opts.from, opts.filter, stream);
    try {
      // The consumer counted the matching records at creation: read that many, so a filter whose
      // last match lies before the end of the stream still ends.
      let remaining = pending;
      if (remaining === 0) return;
      for await (const m of messages) {
        const rec = recordedOf(m);
        if (rec.seq > last || (opts.until !== undefined && rec.storedAt > opts.until)) return;
        yield rec;
        if (--remaining === 0 || rec.seq >= last) return;
      }
    } finally {
      await stopQuietly(messages);
    }
  }

  /**
   * Reads from `from` on and keeps following new records until the consumer breaks out or `signal`
   * aborts (a generator waiting for the next record cannot be returned from outside).
   */
  async *follow(from: Position, filter?: string | readonly string[], stream: string = STREAMS.events, signal?: AbortSignal): AsyncGenerator<Recorded> {
    const { messages } = await this.open(from, filter, stream);
    const stop = () => void stopQuietly(messages);
    signal?.addEventListener('abort', stop, { once: true });
    if (signal?.aborted) stop();
    try {
      for await (const m of messages) yield recordedOf(m);
    } finally {
      signal?.removeEventListener('abort', stop);
      await stopQuietly(messages);
    }
  }

  private async open(from: Position, filter: string | readonly string[] | undefined, stream: string): Promise<{ messages: ConsumerMessages; pending: number }> {
    const consumer = await this.js.consumers.get(stream, {
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: Math.max(1, from),
      ...(filter ? { filterSubjects: typeof filter === 'string' ? filter : [...filter] } : {}),
    });
    const messages = await consumer.consume({ max_messages: 2000 });
    const info = await consumer.info(true);
    return { messages, pending: info.num_pending + info.num_ack_pending + info.delivered.consumer_seq };
  }

  /**
   * The durable command consumer of an actor host. Commands are acked only after their events are
   * committed; unacked ones come back after `ackWaitMs`.
   */
  async consumeCommands(durable: string, opts: { ackWaitMs: number; maxAckPending: number }): Promise<AsyncIterable<CommandDelivery> & { stop(): Promise<void> }> {
    const config = {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(opts.ackWaitMs),
      max_ack_pending: opts.maxAckPending,
      filter_subject: `${SUBJECT_ROOT}.cmd.>`,
    };
    try {
      await this.jsm.consumers.info(STREAMS.commands, durable);
      await this.jsm.consumers.update(STREAMS.commands, durable, { ack_wait: config.ack_wait, max_ack_pending: config.max_ack_pending });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await this.jsm.consumers.add(STREAMS.commands, config);
    }
    const consumer = await this.js.consumers.get(STREAMS.commands, durable);
    const messages = await consumer.consume({ max_messages: 1000 });
    async function* deliveries(): AsyncGenerator<CommandDelivery> {
      for await (const m of messages) {
        yield {
          command: decodeEnvelope(m.data) as Command,
          seq: m.seq,
          redelivered: m.redelivered,
          ack: () => atEndOfTurn(() => m.ack()),
          term: () => m.term(),
          working: () => m.working(),
        };
      }
    }
    const iterable = deliveries();
    return Object.assign(iterable, { stop: () => stopQuietly(messages) });
  }

  async close(): Promise<void> {
    this.publisher.close();
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => this.nc.close());
  }
}

/** The part of nats.js's direct-get API used here. */
type DirectGet = { getMessage(stream: string, query: { last_by_subj: string }): Promise<{ data: Uint8Array; seq: number; time: Date }> };

function recordedOf(m: JsMsg): Recorded<Envelope> {
  return { envelope: decodeEnvelope(m.data), seq: m.seq, storedAt: Math.floor(m.info.timestampNanos / 1e6) };
}

async function stopQuietly(messages: ConsumerMessages): Promise<void> {
  try {
    await messages.close();
  } catch {
    // Closing a consumer whose connection already went away has nothing left to release.
  }
}

function isNotFound(err: unknown): boolean {
  const e = err as { code?: string; api_error?: { code?: number; err_code?: number }; message?: string };
  return e?.api_error?.code === 404 || e?.code === '404' || /not found/i.test(e?.message ?? '');
}
