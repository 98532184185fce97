import type { Command, Event } from '../../eventlog/types';

export type EventDraft<P = unknown> = Readonly<{ type: string; payload: P }>;

/**
 * The write model of one actor kind: pure, deterministic, no I/O. decide throws a Rejection for an
 * expected "no" and returns [] when nothing needs to change.
 */
export type Decider<S, P = unknown> = Readonly<{
  initialState: () => S;
  decide: (state: S, command: Command) => readonly EventDraft<P>[];
  evolve: (state: S, event: Event<P>, seq: number) => S;
  /** The sequence the next append must follow (JetStream expected-last-subject-sequence). */
  revisionOf: (state: S) => number;
  /** Where the actor is in its lifecycle; shown as the machine's lifecycle state. */
  lifecycleOf: (state: S) => Lifecycle;
}>;

export type Lifecycle = 'absent' | 'live' | 'terminating';

/** Wraps drafts into event envelopes with ids derived from the command, so a re-delivery re-appends the same ids. */
export function eventsFrom<P>(command: Command, subject: string, drafts: readonly EventDraft<P>[]): Event<P>[] {
  return drafts.map((d, i) => ({
    kind: 'event',
    id: `${command.id}/${i}`,
    type: d.type,
    schema: 1,
    subject,
    time: command.time,
    who: command.who,
    correlationId: command.correlationId,
    causationId: command.id,
    payload: d.payload,
  }));
}
