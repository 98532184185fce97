import { nuid, type Subscription } from 'nats';
import { decodeValue } from '../../eventlog/codec';
import type { EventLog } from '../../eventlog/jetstream-log';
import { subjectOf } from '../../eventlog/subjects';
import type { Command, JsonValue, ObjectRef } from '../../eventlog/types';
import type { ObjectCommandPayload } from '../object/object';
import { reject } from '../rejection';
import type { Outcome } from './actor-host';
import { randomId, systemClock, type Clock } from '../../eventlog/clock';

type Waiter = { resolve: (o: Outcome) => void; timer: NodeJS.Timeout };

/**
 * Buses of this process by reply prefix. An actor host in the same process hands an outcome over
 * directly instead of through the NATS server (a round trip saved on every write); a host in
 * another process, or a bus that is gone, gets the outcome by NATS as usual.
 */
const localBuses = new Map<string, CommandBus>();

/** Delivers an outcome to a bus in this process; false when the reply subject is not one of ours. */
export function deliverLocally(replyTo: string, outcome: Outcome): boolean {
  const dot = replyTo.lastIndexOf('.');
  const bus = localBuses.get(replyTo.slice(0, dot));
  return bus !== undefined && bus.settle(replyTo.slice(dot + 1), outcome);
}

export type SendOptions = Readonly<{
  /** Command id; random unless the caller needs a particular one. */
  id?: string;
  /** What caused this command (an event id), so `why` can walk the chain back. */
  causationId?: string;
  correlationId?: string;
  reason?: string;
  /** Structured why, kept on the command (`Command.detail`). */
  detail?: JsonValue;
}>;

/**
 * Issuing a command and awaiting its outcome, for the API gateway and for controllers alike: append
 * the command to the log, then wait for the deciding actor's outcome on one wildcard reply subscription. The command is durable once appended; a timeout here
 * means "the outcome is unknown", never "the write was dropped".
 */
export class CommandBus {
  private readonly prefix = `_SKIFF_OUT.${nuid.next()}`;
  private readonly waiters = new Map<string, Waiter>();
  private readonly sub: Subscription;

  constructor(
    private readonly log: EventLog,
    private readonly timeoutMs = 30_000,
    /** A command's time and id are stamped here, at the edge: deciders only ever read them. */
    private readonly stamp: Readonly<{ clock: Clock; newId: () => string }> = { clock: systemClock, newId: randomId },
  ) {
    this.sub = log.nc.subscribe(`${this.prefix}.*`, {
      callback: (_err, msg) => void this.settle(msg.subject.slice(this.prefix.length + 1), decodeValue<Outcome>(msg.data)),
    });
    localBuses.set(this.prefix, this);
  }

  /** Resolves the waiter behind `token`; false when nobody waits for it (any more). */
  settle(token: string, outcome: Outcome): boolean {
    const w = this.waiters.get(token);
    if (!w) return false;
    this.waiters.delete(token);
    clearTimeout(w.timer);
    w.resolve(outcome);
    return true;
  }

  async send(ref: ObjectRef, payload: ObjectCommandPayload, who: string, opts: SendOptions = {}): Promise<Outcome> {
    const token = nuid.next();
    const id = opts.id ?? this.stamp.newId();
    const command: Command<ObjectCommandPayload> = {
      kind: 'command', id, type: `object.${payload.op}`, schema: 1, subject: subjectOf('cmd', ref), time: this.stamp.clock(),
      who, correlationId: opts.correlationId ?? id, causationId: opts.causationId ?? '', payload, replyTo: `${this.prefix}.${token}`,
      ...(opts.reason ? { reason: opts.reason } : {}),
      ...(opts.detail !== undefined ? { detail: opts.detail } : {}),
    };
    const outcome = new Promise<Outcome>((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(token);
        resolve({ ok: false, status: reject.timeout('Timeout: request did not complete within the allotted timeout; the write may still be applied').status });
      }, this.timeoutMs);
      this.waiters.set(token, { resolve, timer });
    });
    try {
      await this.log.appendCommand(command);
    } catch (err) {
      const w = this.waiters.get(token);
      if (w) clearTimeout(w.timer);
      this.waiters.delete(token);
      throw reject.unavailable(`the cluster store did not take the write: ${(err as Error).message}`);
    }
    return outcome;
  }

  close(): void {
    localBuses.delete(this.prefix);
    this.sub.unsubscribe();
    for (const w of this.waiters.values()) clearTimeout(w.timer);
    this.waiters.clear();
  }
}
