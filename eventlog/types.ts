/**
 * The log's vocabulary. Every record on the log is an Envelope: a Command (what someone asked)
 * or an Event (what an actor decided happened). The log itself knows no object kinds.
 */

/** Address of one object. group '' is the core group; namespace '' means cluster-scoped. */
export type ObjectRef = Readonly<{ group: string; resource: string; namespace: string; name: string }>;

/** Global position in the event stream (JetStream stream sequence). resourceVersion is this number. */
export type Position = number;

export type RecordKind = 'command' | 'event';

/**
 * Plain JSON data, as a command's `detail` holds it: it goes through msgpack and out of the API as
 * JSON unchanged. An object member may be absent (`undefined`), never a function or a class instance.
 */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue | undefined };

export type Envelope<P = unknown> = Readonly<{
  kind: RecordKind;
  /** Unique id. For events: `${causationId}/${index}`, so a re-delivered command re-appends the same ids. */
  id: string;
  /** Dotted, kind first: `object.create`, `object.created`, `supervisor.restarted`. */
  type: string;
  /** Schema version of the payload, for upcasting old records on read. */
  schema: number;
  subject: string;
  /** Milliseconds since the epoch; for commands this is the only clock decide may read. */
  time: number;
  /** Authenticated user (or controller identity) on whose behalf this was written. */
  who: string;
  correlationId: string;
  /** The record that caused this one ('' for a command that came from outside). */
  causationId: string;
  payload: P;
}>;

export type Command<P = unknown> = Envelope<P> & Readonly<{
  kind: 'command';
  /** Core NATS subject where the deciding actor sends the outcome; absent when nobody waits. */
  replyTo?: string;
  /** Why a controller issued it, in words a user can read (`skiff why` / `explain`). */
  reason?: string;
  /**
   * The same why, structured and compact, for tools (`skiff explain`): e.g. the scheduler's
   * SchedulingRecord on a bind. Written once per command, so it must stay small.
   */
  detail?: JsonValue;
}>;
export type Event<P = unknown> = Envelope<P> & Readonly<{ kind: 'event' }>;

/** A record as read back from the log, with where it sits. */
export type Recorded<E extends Envelope = Envelope> = Readonly<{
  envelope: E;
  /** Stream sequence of this record. For events this is the object's resourceVersion. */
  seq: Position;
  /** Server time the record was stored, ms since the epoch. */
  storedAt: number;
}>;
