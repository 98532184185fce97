import { createActor } from 'xstate';
import { encodeValue } from '../../eventlog/codec';
import { RevisionConflictError } from '../../eventlog/errors';
import type { CommandDelivery, EventLog } from '../../eventlog/jetstream-log';
import { systemSubject } from '../../eventlog/subjects';
import type { Command, Event } from '../../eventlog/types';
import { Rejection, reject, type FailureStatus } from '../rejection';
import { objectActorMachine, type ActorInput, type Handled, type ObjectActorRef } from './actor.machine';
import { deliverLocally } from './command-bus';
import { eventsFrom, type Decider } from './decider';
import { randomId, systemClock, type Clock } from '../../eventlog/clock';
import { recordRestart, type RestartPolicy, type RestartWindow } from './restart-window';

/** What the deciding actor tells whoever waits on a command (sent to the command's replyTo). */
export type Outcome =
  | Readonly<{ ok: true; seq: number; result: unknown; unchanged: boolean }>
  | Readonly<{ ok: false; status: FailureStatus }>;

/** How the host finds the behaviour and the current state of the actor behind a command subject. */
export type ActorKind<S> = Readonly<{
  /** The decider for the object addressed by a command subject, and that object's event subject. */
  resolve: (commandSubject: string) => { decider: Decider<S>; eventSubject: string };
  /** Fast start: state from a local read model, if it has the object (it may lag; appends are guarded). */
  cachedState?: (eventSubject: string) => S | undefined;
  /** The same state, guarded by another log revision (when retention removed the subject's last event). */
  withRevision?: (state: S, revision: number) => S;
  /** What to send back to the caller after a command: usually the object as it now is. */
  resultOf: (state: S, lastEvent: Event | undefined, seq: number) => unknown;
}>;

export type HostOptions = Readonly<{
  durable: string;
  ackWaitMs: number;
  maxAckPending: number;
  /** Per-actor restart intensity; past it the command at the head of the mailbox is given up. */
  actorRestarts: RestartPolicy;
  /** Host-wide: more actors given up than this within the period and the host escalates. */
  hostRestarts: RestartPolicy;
  maxConflictRetries: number;
  idleEvictMs: number;
  /** Idle actors beyond this many are evicted least recently used first, whatever their age. */
  maxIdleActors: number;
  /** Time for restart windows and idle eviction (never seen by deciders: they read the command's time). */
  clock: Clock;
  /** Ids of the kernel's own facts. */
  newId: () => string;
}>;

export const defaultHostOptions: HostOptions = {
  durable: 'actor-host',
  // Short enough that commands of a crashed host come back quickly; a redelivered command still in
  // a mailbox is recognised by id and answered without being decided twice.
  ackWaitMs: 10_000,
  maxAckPending: 20_000,
  actorRestarts: { intensity: 3, periodMs: 5_000 },
  hostRestarts: { intensity: 10, periodMs: 60_000 },
  maxConflictRetries: 8,
  idleEvictMs: 15_000,
  maxIdleActors: 5_000,
  clock: systemClock,
  newId: randomId,
};

type Cell<S> = {
  subject: string;
  eventSubject: string;
  decider: Decider<S>;
  actor?: ObjectActorRef;
  /** Deliveries that arrived while the actor's state was loading. */
  waiting: CommandDelivery[];
  restarts: RestartWindow;
  lastUsed: number;
};

/**
 * Hosts actors: one durable consumer over the whole command tree routes each command to its
 * object's actor, spawned on first use and evicted when idle (state lives in the log, not here).
 * Supervises them one_for_one with restart intensity, records every decision as a `supervisor.*`
 * fact on the log, and escalates to its own supervisor when too many actors give up.
 */
export class ActorHost<S> {
  private readonly cells = new Map<string, Cell<S>>();
  private hostWindow: RestartWindow = [];
  private consumer?: AsyncIterable<CommandDelivery> & { stop(): Promise<void> };
  private sweeper?: NodeJS.Timeout;
  private stopped = false;
  private failWith!: (err: Error) => void;
  /** Resolves when the host fails and must be restarted by its supervisor. */
  readonly failed: Promise<Error> = new Promise((ok) => (this.failWith = ok));

  constructor(private readonly log: EventLog, private readonly kind: ActorKind<S>, private readonly opts: HostOptions = defaultHostOptions) {}

  async start(): Promise<void> {
    this.consumer = await this.log.consumeCommands(this.opts.durable, { ackWaitMs: this.opts.ackWaitMs, maxAckPending: this.opts.maxAckPending });
    this.sweeper = setInterval(() => this.evictIdle(this.opts.clock()), Math.max(1_000, this.opts.idleEvictMs / 4));
    this.sweeper.unref();
    void this.pump(this.consumer);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweeper) clearInterval(this.sweeper);
    await this.consumer?.stop();
    for (const cell of this.cells.values()) cell.actor?.stop();
    this.cells.clear();
  }

  /** Number of actors in memory (for tests and metrics). */
  get actorCount(): number {
    return this.cells.size;
  }

  private async pump(consumer: AsyncIterable<CommandDelivery>): Promise<void> {
    try {
      for await (const delivery of consumer) this.route(delivery);
      // The consumer only ends on its own when its server side is gone: a fresh start recreates it.
      if (!this.stopped) this.failWith(new Error('the command consumer ended'));
    } catch (err) {
      if (!this.stopped) this.failWith(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private route(delivery: CommandDelivery): void {
    const subject = delivery.command.subject;
    let cell = this.cells.get(subject);
    if (!cell) {
      let resolved;
      try {
        resolved = this.kind.resolve(subject);
      } catch (err) {
        // A command no actor kind understands can never succeed: answer and drop it.
        this.reply(delivery.command, { ok: false, status: reject.badRequest(String((err as Error).message)).status });
        delivery.term();
        return;
      }
      cell = { subject, eventSubject: resolved.eventSubject, decider: resolved.decider, waiting: [], restarts: [], lastUsed: this.opts.clock() };
      this.cells.set(subject, cell);
      void this.spawn(cell, this.kind.cachedState?.(cell.eventSubject), []);
    }
    cell.lastUsed = this.opts.clock();
    // Re-inserting keeps the map in least-recently-used order for eviction.
    this.cells.delete(subject);
    this.cells.set(subject, cell);
    if (cell.actor) cell.actor.send({ type: 'command', delivery });
    else cell.waiting.push(delivery);
  }

  private async spawn(cell: Cell<S>, cached: S | undefined, queue: readonly CommandDelivery[]): Promise<void> {
    let state: S;
    try {
      state = cached ?? (await this.loadFromLog(cell));
    } catch (err) {
      this.crashed(cell, [...queue, ...cell.waiting.splice(0)], err);
      return;
    }
    const input: ActorInput<S> = { state, decider: cell.decider, handle: (s, d) => this.handle(cell, s, d) };
    // The machine is shared by every actor kind, so it holds state as `unknown`; this host is typed.
    const actor = createActor(objectActorMachine, { input: input as unknown as ActorInput<unknown> });
    actor.subscribe({ error: (err) => this.crashed(cell, actor.getSnapshot().context.queue, err) });
    cell.actor = actor;
    actor.start();
    for (const d of [...queue, ...cell.waiting.splice(0)]) actor.send({ type: 'command', delivery: d });
  }

  private async loadFromLog(cell: Cell<S>): Promise<S> {
    const last = await this.log.lastOf(cell.eventSubject);
    const initial = cell.decider.initialState();
    if (last) return cell.decider.evolve(initial, last.envelope as Event, last.seq);
    // Nothing on the subject: never written, or retention removed its last event. In the second
    // case the read model (restored from snapshots) still has the object, and the log's guard for
    // the subject starts again from 0.
    const cached = this.kind.cachedState?.(cell.eventSubject);
    return cached !== undefined && this.kind.withRevision ? this.kind.withRevision(cached, 0) : initial;
  }

  /** decide → append (guarded) → evolve → reply → ack. Conflicts re-read the log and decide again. */
  private async handle(cell: Cell<S>, state: S, delivery: CommandDelivery): Promise<Handled<S>> {
    const { command } = delivery;
    const { decider } = cell;
    let current = state;
    for (let attempt = 0; attempt <= this.opts.maxConflictRetries; attempt++) {
      let drafts;
      try {
        drafts = decider.decide(current, command);
      } catch (err) {
        if (!(err instanceof Rejection)) throw err;
        this.finish(delivery, { ok: false, status: err.status });
        return { state: current };
      }
      if (drafts.length === 0) {
        const seq = decider.revisionOf(current);
        this.finish(delivery, { ok: true, seq, result: this.kind.resultOf(current, undefined, seq), unchanged: true });
        return { state: current };
      }
      const events = eventsFrom(command, cell.eventSubject, drafts);
      try {
        const acks = await this.log.appendEvents(events, decider.revisionOf(current));
        if (acks.some((a) => a.duplicate)) {
          // JetStream already holds these event ids: an earlier life of this actor committed the
          // command but did not get to ack it. The log, not this decision, is the truth.
          current = await this.loadFromLog(cell);
          const seq = decider.revisionOf(current);
          this.finish(delivery, { ok: true, seq, result: this.kind.resultOf(current, undefined, seq), unchanged: true });
          return { state: current };
        }
        events.forEach((e, i) => (current = decider.evolve(current, e, acks[i].seq)));
        const seq = acks[acks.length - 1].seq;
        this.finish(delivery, { ok: true, seq, result: this.kind.resultOf(current, events[events.length - 1], seq), unchanged: false });
        return { state: current };
      } catch (err) {
        if (!(err instanceof RevisionConflictError)) throw err;
        // Someone else (or an earlier life of this actor) wrote first: take the log's word and decide again.
        current = await this.loadFromLog(cell);
      }
    }
    throw new Error(`gave up after ${this.opts.maxConflictRetries} revision conflicts on ${cell.eventSubject}`);
  }

  private finish(delivery: CommandDelivery, outcome: Outcome): void {
    this.reply(delivery.command, outcome);
    delivery.ack();
  }

  private reply(command: Command, outcome: Outcome): void {
    if (!command.replyTo || deliverLocally(command.replyTo, outcome)) return;
    try {
      this.log.nc.publish(command.replyTo, encodeValue(outcome));
    } catch {
      // The caller's connection is gone; the command itself is committed and acked regardless.
    }
  }

  /** one_for_one: restart the crashed actor from the log, keeping its mailbox; past the intensity, give up its head command. */
  private crashed(cell: Cell<S>, queue: readonly CommandDelivery[], err: unknown): void {
    if (this.stopped) return;
    const reason = err instanceof Error ? err.message : String(err);
    cell.actor = undefined;
    const now = this.opts.clock();
    const { window, exceeded } = recordRestart(cell.restarts, now, this.opts.actorRestarts);
    cell.restarts = window;
    let rest = [...queue];
    if (exceeded) {
      const [head, ...tail] = rest;
      rest = tail;
      cell.restarts = [];
      if (head) {
        this.reply(head.command, { ok: false, status: reject.internal(`actor for ${cell.eventSubject} failed repeatedly: ${reason}`).status });
        head.term();
      }
      this.recordFact('supervisor.childGaveUp', cell.eventSubject, { reason, command: head?.command.id ?? null });
      const host = recordRestart(this.hostWindow, now, this.opts.hostRestarts);
      this.hostWindow = host.window;
      if (host.exceeded) {
        this.recordFact('supervisor.escalated', 'actor-host', { reason: `more than ${this.opts.hostRestarts.intensity} actors gave up within ${this.opts.hostRestarts.periodMs} ms` });
        this.failWith(new Error(`actor host escalates: ${reason}`));
        return;
      }
    } else {
      this.recordFact('supervisor.restarted', cell.eventSubject, { reason, restartsInWindow: window.length });
    }
    void this.spawn(cell, undefined, rest);
  }

  private recordFact(type: string, child: string, data: Record<string, unknown>): void {
    const id = this.opts.newId();
    const fact: Event = {
      kind: 'event', id, type, schema: 1, subject: systemSubject('supervisor', this.opts.durable), time: this.opts.clock(),
      who: 'system:skiff:supervisor', correlationId: id, causationId: '', payload: { child, ...data },
    };
    this.log.appendFact(fact).catch(() => {
      // Recording is best effort: a log that cannot take the fact cannot take the commands either,
      // and those failures surface on their own path.
    });
  }

  private evictIdle(now: number): void {
    // The state of an idle actor is in the log and the read model; memory is better spent elsewhere.
    let excess = this.cells.size - this.opts.maxIdleActors;
    for (const [subject, cell] of this.cells) {
      const snapshot = cell.actor?.getSnapshot();
      const idle = snapshot && snapshot.status === 'active' && snapshot.context.queue.length === 0 && cell.waiting.length === 0;
      if (!idle) continue;
      if (excess > 0 || now - cell.lastUsed > this.opts.idleEvictMs) {
        cell.actor?.stop();
        this.cells.delete(subject);
        excess--;
      } else if (excess <= 0) {
        // Least recently used first: the rest were used more recently still.
        return;
      }
    }
  }
}
