import { randomUUID } from 'node:crypto';
import { nuid, type Subscription } from 'nats';
import { decodeValue } from '../../eventlog/codec';
import type { EventLog } from '../../eventlog/jetstream-log';
import { subjectOf } from '../../eventlog/subjects';
import type { Command, ObjectRef } from '../../eventlog/types';
import type { ObjectCommandPayload } from '../object/object';
import { reject } from '../rejection';
import type { Outcome } from './actor-host';

type Waiter = { resolve: (o: Outcome) => void; timer: NodeJS.Timeout };

export type SendOptions = Readonly<{
  /** Command id; random unless the caller needs a particular one. */
  id?: string;
  /** What caused this command (an event id), so `why` can walk the chain back. */
  causationId?: string;
  correlationId?: string;
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

  constructor(private readonly log: EventLog, private readonly timeoutMs = 30_000) {
    this.sub = log.nc.subscribe(`${this.prefix}.*`, {
      callback: (_err, msg) => {
        const token = msg.subject.slice(this.prefix.length + 1);
        const w = this.waiters.get(token);
        if (!w) return;
        this.waiters.delete(token);
        clearTimeout(w.timer);
        w.resolve(decodeValue<Outcome>(msg.data));
      },
    });
  }

  async send(ref: ObjectRef, payload: ObjectCommandPayload, who: string, opts: SendOptions = {}): Promise<Outcome> {
    const token = nuid.next();
    const id = opts.id ?? randomUUID();
    const command: Command<ObjectCommandPayload> = {
      kind: 'command', id, type: `object.${payload.op}`, schema: 1, subject: subjectOf('cmd', ref), time: Date.now(),
      who, correlationId: opts.correlationId ?? id, causationId: opts.causationId ?? '', payload, replyTo: `${this.prefix}.${token}`,
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
    this.sub.unsubscribe();
    for (const w of this.waiters.values()) clearTimeout(w.timer);
    this.waiters.clear();
  }
}
